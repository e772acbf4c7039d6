// One-off recorder (run once, before the Composer existed): runs TODAY's `generate`, `evaluate
// --pieces` and `tonality` on the tiny fixture bundles in packages/core/src/compose/test-support/
// fixtures and writes what they produced (recipe lines, MIDI sha256, tokens) to recorded.json.
// Tokens come from today's primer functions and core's generateTokens with the options generate.ts
// passes; MIDI bytes come from the real CLI. Kept in history as the provenance of the fixture.
//   node --conditions=@motif/source --import tsx src/test-support/record-compose-fixtures.ts
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createStepModel, generateTokens } from "@motif/core";
import { selectBackend } from "../backend.js";
import { openBundle } from "../bundle-dir.js";
import { findMidiFiles, readMidiFile } from "../midi-files.js";
import { corpusPrimer, filePrimer, type Primer } from "../primer.js";
import { runCli } from "./run-cli.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../../..");
const fixtures = path.join(repo, "packages/core/src/compose/test-support/fixtures");
const corpusDir = path.join(fixtures, "corpus");
const primerFile = path.join(fixtures, "ode-to-joy.mid");

/** The inputs of one recipe, in the CLI's terms (undefined = the CLI's default). */
interface RecipeInput {
  name: string;
  bundle: "timed-tiny" | "chords-tiny";
  seed: number;
  length: number;
  temperature?: number;
  topK?: number | null;
  topP?: number | null;
  primer?: "none" | "corpus" | "file";
  primerLength?: number;
  keepPrimer?: boolean;
  guard?: boolean;
  style?: "seed" | "motif";
  bpm?: number;
  key?: string;
}

const RECIPES: RecipeInput[] = [
  { name: "timed, no primer, top-k and top-p", bundle: "timed-tiny", seed: 42, length: 120, temperature: 0.9, topK: 20, topP: 0.9 },
  { name: "timed, no primer, defaults, D minor", bundle: "timed-tiny", seed: 7, length: 200, key: "D minor" },
  { name: "timed, corpus primer, its key", bundle: "timed-tiny", seed: 11, length: 100, primer: "corpus", primerLength: 24 },
  { name: "timed, corpus primer kept, Bb major, top-k only", bundle: "timed-tiny", seed: 3, length: 90, primer: "corpus", keepPrimer: true, topK: 8, topP: null, key: "Bb major" },
  { name: "timed, file primer kept, hot", bundle: "timed-tiny", seed: 5, length: 80, temperature: 1.3, primer: "file", keepPrimer: true },
  { name: "timed, file primer, guard off, 96 bpm, as-trained", bundle: "timed-tiny", seed: 9, length: 150, primer: "file", primerLength: 40, guard: false, bpm: 96, key: "as-trained" },
  { name: "chords, no primer, seed style", bundle: "chords-tiny", seed: 42, length: 120, style: "seed" },
  { name: "chords, corpus primer, E minor", bundle: "chords-tiny", seed: 4, length: 100, primer: "corpus", primerLength: 16, key: "E minor" },
  { name: "chords, file primer kept, temperature 0.7", bundle: "chords-tiny", seed: 8, length: 60, temperature: 0.7, primer: "file", keepPrimer: true },
];

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");
const flagValue = (value: number | null): string => (value === null ? "none" : String(value));

function cliArgs(input: RecipeInput, out: string): string[] {
  const args = ["generate", "--model", path.join(fixtures, input.bundle), "--seed", String(input.seed), "--length", String(input.length), "--backend", "wasm", "--out", out];
  if (input.temperature !== undefined) args.push("--temperature", String(input.temperature));
  if (input.topK !== undefined) args.push("--top-k", flagValue(input.topK));
  if (input.topP !== undefined) args.push("--top-p", flagValue(input.topP));
  if (input.primer === "corpus") args.push("--primer", "corpus", "--data", corpusDir);
  if (input.primer === "file") args.push("--primer", primerFile);
  if (input.primerLength !== undefined) args.push("--primer-length", String(input.primerLength));
  if (input.keepPrimer === true) args.push("--keep-primer");
  if (input.guard === false) args.push("--guard", "off");
  if (input.style !== undefined) args.push("--style", input.style);
  if (input.bpm !== undefined) args.push("--bpm", String(input.bpm));
  if (input.key !== undefined) args.push("--key", input.key);
  return args;
}

/** Today's token path of generate.ts: its primer functions, then generateTokens with its options. */
async function tokensOf(input: RecipeInput): Promise<{ primer: Primer; tokens: string[] }> {
  const bundle = await openBundle(path.join(fixtures, input.bundle));
  const normalize = bundle.manifest.training.keyNormalization === "song";
  const primerLength = input.primerLength ?? 32;
  const { tokenizer, vocabulary, manifest } = bundle;
  let primer: Primer = { tokens: [], description: "none", warnings: [], keyShift: 0 };
  if (input.primer === "file") primer = await filePrimer({ file: primerFile, tokenizer, vocabulary, length: primerLength, normalize });
  if (input.primer === "corpus") {
    const sources = (await findMidiFiles(corpusDir)).map((file) => ({ name: file.relativePath, read: () => readMidiFile(file) }));
    primer = await corpusPrimer({ manifest, sources, tokenizer, vocabulary, seed: input.seed, length: primerLength, normalize });
  }
  const step = createStepModel(bundle.model, bundle.manifest.model);
  try {
    const tokens = generateTokens({
      step,
      vocabulary,
      tokenizer,
      options: { length: input.length, seed: input.seed, primer: primer.tokens, temperature: input.temperature ?? 1, topK: input.topK ?? null, topP: input.topP === undefined ? 0.95 : input.topP, repetitionGuard: input.guard ?? true },
    });
    return { primer, tokens };
  } finally {
    step.dispose();
    bundle.model.dispose();
  }
}

async function recordGenerate(work: string) {
  const recorded = [];
  for (const [index, input] of RECIPES.entries()) {
    const out = path.join(work, `piece-${index}.mid`);
    const result = await runCli(cliArgs(input, out));
    if (result.code !== 0) throw new Error(`${input.name}: generate failed: ${result.stderr}`);
    const recipeLines = result.stdout.trim().split("\n");
    const { primer, tokens } = await tokensOf(input);
    // The token path must have chosen the same primer as the CLI did.
    if (!recipeLines.includes(`primer ${primer.description}`)) throw new Error(`${input.name}: primer ${primer.description} is not in ${recipeLines.join(" | ")}`);
    const bytes = new Uint8Array(await readFile(out));
    recorded.push({ input, recipeLines, primerTokens: primer.tokens, primerKeyShift: primer.keyShift, tokens, midiSha256: sha256(bytes), midiBytes: bytes.length });
    process.stderr.write(`recorded ${input.name}\n`);
  }
  return recorded;
}

async function recordEvaluate(work: string) {
  const recorded = [];
  for (const bundle of ["timed-tiny", "chords-tiny"] as const) {
    const out = path.join(work, `evaluate-${bundle}`);
    const args = ["evaluate", "--model", path.join(fixtures, bundle), "--data", corpusDir, "--pieces", "2", "--length", "60", "--temperature", "0.8", "--out", out, "--json", "--backend", "wasm"];
    const result = await runCli(args);
    if (result.code !== 0) throw new Error(`evaluate ${bundle} failed: ${result.stderr}`);
    const pieces = [];
    for (const file of (await readdir(out)).sort()) pieces.push({ file, midiSha256: sha256(new Uint8Array(await readFile(path.join(out, file)))) });
    const relative = args.slice(1).filter((arg) => arg !== out).map((arg) => arg.replace(fixtures, "<fixtures>"));
    recorded.push({ bundle, args: relative, pieces, report: JSON.parse(result.stdout) as unknown });
  }
  return recorded;
}

async function recordTonality() {
  const args = ["tonality", "--model", path.join(fixtures, "timed-tiny"), "--data", corpusDir, "--pieces", "2", "--length", "60", "--long-pieces", "1", "--long-length", "90", "--max-order", "2"];
  const result = await runCli(args);
  if (result.code !== 0) throw new Error(`tonality failed: ${result.stderr}`);
  const report = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
  return { args: ["--pieces", "2", "--length", "60", "--long-pieces", "1", "--long-length", "90", "--max-order", "2"], pieces: report.pieces, long: report.long, overlap: report.overlap, copyAt16: report.copyAt16, longestCopy: report.longestCopy };
}

const work = await mkdtemp(path.join(tmpdir(), "motif-record-"));
try {
  await selectBackend("wasm");
  const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repo, encoding: "utf8" }).trim();
  const corpus = (await findMidiFiles(corpusDir)).map((file) => file.relativePath);
  const recorded = { recordedWith: commit, corpus, primerFile: path.basename(primerFile), generate: await recordGenerate(work), evaluate: await recordEvaluate(work), tonality: await recordTonality() };
  await writeFile(path.join(fixtures, "recorded.json"), JSON.stringify(recorded, null, 1) + "\n");
  process.stderr.write(`wrote ${path.join(fixtures, "recorded.json")}\n`);
} finally {
  await rm(work, { recursive: true, force: true });
}
