// The CLI on core's Composer: the real `generate`, `evaluate --pieces` and `tonality` still write
// what they wrote before the Composer (core's recorded fixtures), and Composer refusals come out
// as errors naming the flag to change.
import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../test-support/run-cli.js";

const fixtures = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../../packages/core/src/compose/test-support/fixtures",
);
const corpusDir = path.join(fixtures, "corpus");

/** A recorded recipe in the CLI's terms: its name, its bundle and the fields it set. */
type RecordedInput = { name: string; bundle: string } & Record<string, unknown>;
interface Recorded {
  primerFile: string;
  generate: { input: RecordedInput; recipeLines: string[]; midiSha256: string }[];
  evaluate: {
    bundle: string;
    args: string[];
    pieces: { file: string; midiSha256: string }[];
    report: unknown;
  }[];
  tonality: {
    args: string[];
    pieces: unknown;
    long: unknown;
    overlap: unknown;
    copyAt16: unknown;
    longestCopy: unknown;
  };
}

let recorded: Recorded;
let work: string;

beforeAll(async () => {
  recorded = JSON.parse(await readFile(path.join(fixtures, "recorded.json"), "utf8")) as Recorded;
  work = await mkdtemp(path.join(tmpdir(), "motif-generate-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");
const orNone = (value: unknown): string => (value === null ? "none" : String(value));

/** Each recorded field as the flags the recorder gave `generate` for it. */
const FLAGS: Record<string, (value: unknown) => string[]> = {
  seed: (value) => ["--seed", String(value)],
  length: (value) => ["--length", String(value)],
  temperature: (value) => ["--temperature", String(value)],
  topK: (value) => ["--top-k", orNone(value)],
  topP: (value) => ["--top-p", orNone(value)],
  primer: (value) =>
    value === "corpus"
      ? ["--primer", "corpus", "--data", corpusDir]
      : value === "file"
        ? ["--primer", path.join(fixtures, recorded.primerFile)]
        : [],
  primerLength: (value) => ["--primer-length", String(value)],
  keepPrimer: (value) => (value === true ? ["--keep-primer"] : []),
  guard: (value) => (value === false ? ["--guard", "off"] : []),
  style: (value) => ["--style", String(value)],
  bpm: (value) => ["--bpm", String(value)],
  key: (value) => ["--key", String(value)],
};

function generateArgs({ name: _name, bundle, ...fields }: RecordedInput, out: string): string[] {
  const flags = Object.entries(fields).flatMap(([field, value]) => {
    const flag = FLAGS[field];
    if (flag === undefined) throw new Error(`no flag for the recorded field ${field}`);
    return flag(value);
  });
  return ["generate", "--model", path.join(fixtures, bundle), "--backend", "wasm", "--out", out, ...flags];
}

describe("generate on the Composer", () => {
  // A corpus primer, a MIDI-file primer and a notes-chords key move: the CLI's own I/O around the Composer.
  for (const name of [
    "timed, corpus primer kept, Bb major, top-k only",
    "timed, file primer, guard off, 96 bpm, as-trained",
    "chords, corpus primer, E minor",
  ]) {
    it(`writes the recorded bytes and prints the recorded recipe: ${name}`, async () => {
      const expected = recorded.generate.find((piece) => piece.input.name === name)!;
      const out = path.join(work, `${expected.input.seed}.mid`);
      const result = await runCli(generateArgs(expected.input, out));
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trim().split("\n")).toEqual(expected.recipeLines);
      expect(sha256(new Uint8Array(await readFile(out)))).toBe(expected.midiSha256);
    });
  }

  it("names the flag when the Composer refuses a primer", async () => {
    const bad = path.join(work, "bad.mid");
    await writeFile(bad, "not a midi file");
    const notMidi = await runCli([
      "generate",
      "--model",
      path.join(fixtures, "timed-tiny"),
      "--seed",
      "1",
      "--length",
      "10",
      "--primer",
      bad,
      "--out",
      path.join(work, "x.mid"),
    ]);
    expect(notMidi.code).toBe(1);
    expect(notMidi.stderr).toContain(`--primer ${bad}: bad.mid is not a MIDI file Motif can read: `);
    // A folder with only a validation song of the model's: nothing to cut a corpus primer from.
    const validationOnly = path.join(work, "validation-only");
    await mkdir(validationOnly);
    await copyFile(path.join(corpusDir, "scale-c-major.mid"), path.join(validationOnly, "scale-c-major.mid"));
    const noCorpus = await runCli([
      "generate",
      "--model",
      path.join(fixtures, "timed-tiny"),
      "--seed",
      "1",
      "--length",
      "10",
      "--primer",
      "corpus",
      "--data",
      validationOnly,
      "--out",
      path.join(work, "y.mid"),
    ]);
    expect(noCorpus.code).toBe(1);
    expect(noCorpus.stderr).toMatch(
      /--primer corpus: none of the model's 5 training songs are among the 1 corpus songs given .*; pass --data with the folder the model was trained on/,
    );
  });
});

describe("evaluate --pieces and tonality on the Composer", () => {
  it("evaluate --pieces writes the recorded files and the recorded report", async () => {
    const expected = recorded.evaluate.find((run) => run.bundle === "timed-tiny")!;
    const out = path.join(work, "pieces");
    const args = expected.args.map((arg) => arg.replace("<fixtures>", fixtures));
    args.splice(args.indexOf("--out") + 1, 0, out);
    const result = await runCli(["evaluate", ...args]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(expected.report);
    for (const piece of expected.pieces)
      expect(sha256(new Uint8Array(await readFile(path.join(out, piece.file)))), piece.file).toBe(
        piece.midiSha256,
      );
  });

  it("tonality measures the recorded pieces", async () => {
    const expected = recorded.tonality;
    const result = await runCli([
      "tonality",
      "--model",
      path.join(fixtures, "timed-tiny"),
      "--data",
      corpusDir,
      ...expected.args,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as Recorded["tonality"];
    const { args: _args, ...figures } = expected;
    expect({
      pieces: report.pieces,
      long: report.long,
      overlap: report.overlap,
      copyAt16: report.copyAt16,
      longestCopy: report.longestCopy,
    }).toEqual(figures);
  });

  it("tonality scores a key memory: the sweep from one pass, the network alone beside it, continuations of the songs", async () => {
    const args = ["--pieces", "2", "--length", "60", "--long-pieces", "0", "--max-order", "2"];
    const run = (extra: string[]) =>
      runCli([
        "tonality",
        "--model",
        path.join(fixtures, "timed-tiny"),
        "--data",
        corpusDir,
        ...args,
        ...extra,
      ]);
    const report = (stdout: string) =>
      JSON.parse(stdout.trim().split("\n").at(-1)!) as {
        keyMemory: { strength: number; halfLife: number | null };
        teacherForced: { inKeyMass: number; noteLoss: number };
        lstmAlone: { inKeyMass: number; noteLoss: number };
        pieces: unknown;
      };
    const plain = await run([]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(report(plain.stdout).keyMemory).toEqual({ strength: 0, halfLife: null });
    expect(report(plain.stdout).teacherForced).toEqual(report(plain.stdout).lstmAlone);

    const memory = await run([
      "--key-memory",
      "1",
      "--sweep-key-memory",
      "0,1",
      "--sweep-half-lives",
      "off,8",
    ]);
    expect(memory.code, memory.stderr).toBe(0);
    const scored = report(memory.stdout);
    expect(scored.keyMemory).toEqual({ strength: 1, halfLife: null });
    expect(scored.lstmAlone).toEqual(report(plain.stdout).teacherForced);
    // The tiny corpus is diatonic: a memory of each song's own notes puts more mass on its scale.
    expect(scored.teacherForced.inKeyMass).toBeGreaterThan(scored.lstmAlone.inKeyMass);
    const sweep = memory.stdout.split("\n").filter((line) => /^(0|1) +(off|8) +\d/.test(line));
    expect(sweep).toHaveLength(4);
    expect(memory.stdout).toContain("LSTM alone (no key memory)");

    // Unprimed pieces never hear the memory; continuations of the songs' openings do.
    expect(scored.pieces).toEqual(report(plain.stdout).pieces);
    const primed = await run(["--key-memory", "1", "--primer-tokens", "24"]);
    const primedAlone = await run(["--primer-tokens", "24"]);
    expect(primed.code, primed.stderr).toBe(0);
    expect(report(primed.stdout).pieces).not.toEqual(report(primedAlone.stdout).pieces);
  });
});
