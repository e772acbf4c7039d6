// `evaluate`: next-token loss / accuracy / perplexity of a bundle on a MIDI folder, or (with
// --pieces / --pieces-dir) a music report of pieces against a reference corpus (evaluate-pieces.ts),
// or (with --attach) the evaluation a bundle carries, written into its folder.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  Composer,
  createRecipe,
  createStepModel,
  featureHistograms,
  pieceFeatures,
  pieceToMidi,
} from "@motif/core";
import { selectBackend } from "../../runtime/backend.js";
import { modelDirFor, openBundle, type OpenedBundle } from "../../store/bundle-dir.js";
import { CliError } from "../../errors.js";
import { bundleSplit, ingest, readSongs, type IngestedSong, type MidiSource } from "../../data/dataset.js";
import { demoCorpusFiles } from "../../data/demo-corpus.js";
import { replaceFiles } from "../../store/durable-files.js";
import { resolveUserPath, trainerEnv } from "../../env.js";
import type { EvaluateOptions } from "./evaluate-flags.js";
import { buildMusicReport, formatMusicReport, type MusicReport, type NamedNotes } from "./evaluate-pieces.js";
import { findMidiFiles, readMidiFile } from "../../data/midi-files.js";
import { sceneToPng } from "../../charts/curves-png.js";
import { sceneToSvg } from "../../charts/curves-svg.js";
import { musicReportScene } from "../../charts/music-report-scene.js";
import { bundleEvaluationFiles } from "../../store/publish-evaluation.js";
import { formatTable } from "../../cli/text-table.js";

const log = (line: string) => process.stderr.write(line + "\n");

interface FileScore {
  name: string;
  tokens: number;
  unknown: number;
  loss: number;
  accuracy: number;
}

/** Cross-entropy of `target` under softmax(logits), and whether it is the argmax. */
export function scoreStep(logits: Float32Array, target: number): { nll: number; correct: boolean } {
  let max = -Infinity;
  let argmax = 0;
  for (let i = 0; i < logits.length; i++) {
    if (logits[i]! > max) {
      max = logits[i]!;
      argmax = i;
    }
  }
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  return { nll: Math.log(sum) + max - logits[target]!, correct: argmax === target };
}

export async function runEvaluate(options: EvaluateOptions): Promise<number> {
  if (options.attach) return runAttach(options);
  if (options.pieces !== undefined) {
    if (options.out === undefined)
      throw new CliError(
        "--pieces N writes the generated pieces as MIDI files: add --out DIR (the folder for piece-<seed>.mid)",
        2,
      );
    return runGeneratedReport(options, options.pieces, options.out);
  }
  if (options.piecesDir !== undefined) return runPiecesDirReport(options, options.piecesDir);
  return runLossEvaluate(options);
}

/** --data as sources: the folder's MIDI files, or the built-in demo corpus. */
async function dataSources(data: string | undefined): Promise<MidiSource[]> {
  return data === undefined
    ? demoCorpusFiles().map((file) => ({ name: file.name, read: async () => file.bytes }))
    : (await findMidiFiles(resolveUserPath(data))).map((file) => ({
        name: file.relativePath,
        read: () => readMidiFile(file),
      }));
}

const bundleDirOf = (options: EvaluateOptions): Promise<string> => modelDirFor(options.model);

async function runLossEvaluate(options: EvaluateOptions): Promise<number> {
  const env = trainerEnv();
  const backend = await selectBackend(options.backend ?? env.backend);
  process.stderr.write(`backend: ${backend.description}\n`);
  const bundle = await openBundle(await bundleDirOf(options));
  const sources = await dataSources(options.data);
  const { songs, skipped } = await ingest(sources, bundle.tokenizer);
  const step = createStepModel(bundle.model, bundle.manifest.model);
  const scores: FileScore[] = [];
  try {
    for (const song of songs) {
      const encoded = bundle.vocabulary.encode(song.tokens.slice(0, options.maxTokens));
      const ids = encoded.ids;
      if (ids.length < 2) continue;
      step.reset();
      let nll = 0;
      let correct = 0;
      for (let i = 0; i < ids.length - 1; i++) {
        const score = scoreStep(step.step(ids[i]!), ids[i + 1]!);
        nll += score.nll;
        if (score.correct) correct++;
      }
      const unknown = Object.values(encoded.unknown).reduce((a, b) => a + b, 0);
      scores.push({
        name: song.name,
        tokens: ids.length - 1,
        unknown,
        loss: nll / (ids.length - 1),
        accuracy: correct / (ids.length - 1),
      });
    }
  } finally {
    step.dispose();
    bundle.model.dispose();
  }
  const tokens = scores.reduce((sum, s) => sum + s.tokens, 0);
  const loss = scores.reduce((sum, s) => sum + s.loss * s.tokens, 0) / Math.max(1, tokens);
  const accuracy = scores.reduce((sum, s) => sum + s.accuracy * s.tokens, 0) / Math.max(1, tokens);
  const overall = {
    files: scores.length,
    tokens,
    unknownTokens: scores.reduce((sum, s) => sum + s.unknown, 0),
    loss,
    accuracy,
    perplexity: Math.exp(loss),
  };
  if (options.json) {
    process.stdout.write(
      JSON.stringify({
        model: `${bundle.manifest.name}/${bundle.manifest.version}`,
        files: scores,
        skipped,
        overall,
      }) + "\n",
    );
    return 0;
  }
  const rows = scores.map((s) => [
    s.name,
    s.tokens,
    s.unknown,
    Number(s.loss.toFixed(4)),
    Number(s.accuracy.toFixed(4)),
    Number(Math.exp(s.loss).toFixed(2)),
  ]);
  process.stdout.write(formatTable(["file", "tokens", "unknown", "loss", "acc", "ppl"], rows) + "\n");
  for (const file of skipped) process.stdout.write(`skipped ${file.name}: ${file.reason}\n`);
  process.stdout.write(
    `\n${bundle.manifest.name} ${bundle.manifest.version} on ${overall.files} files, ${tokens} tokens: loss ${loss.toFixed(4)}, accuracy ${accuracy.toFixed(4)}, perplexity ${overall.perplexity.toFixed(2)}` +
      (overall.unknownTokens > 0
        ? `; ${overall.unknownTokens} tokens unknown to the vocabulary were skipped`
        : "") +
      "\n",
  );
  return 0;
}

// ---- music report (--pieces / --pieces-dir) ----

const dataLabel = (data: string | undefined): string =>
  data === undefined ? "the demo corpus" : resolveUserPath(data);

interface ReferenceSplit {
  reference: NamedNotes[];
  /** The bundle's validation songs; null without a bundle or when none were found. */
  human: NamedNotes[] | null;
  description: string;
}

/**
 * With a bundle: its training songs found in --data by sha256 are the reference and its validation
 * songs the human baseline, both key-normalised as the model saw them (`songForTraining`).
 */
async function bundleReference(bundle: OpenedBundle, data: string | undefined): Promise<ReferenceSplit> {
  const { songs } = await ingest(await dataSources(data), bundle.tokenizer);
  const split = bundleSplit(songs, bundle.manifest, bundle.tokenizer);
  const seen = (song: IngestedSong): NamedNotes => ({ name: song.name, notes: song.notes });
  const reference = split.train.map(seen);
  const human = split.validation.map(seen);
  const where = dataLabel(data);
  if (reference.length === 0)
    throw new CliError(
      `none of the bundle's training files were found in ${where}; pass --data with the folder it was trained on`,
    );
  if (human.length === 0)
    log(`none of the bundle's validation files were found in ${where}: no human baseline`);
  const m = bundle.manifest;
  return {
    reference,
    human: human.length === 0 ? null : human,
    description:
      `${reference.length} training songs of ${m.name} ${m.version} found in ${where}` +
      (human.length === 0 ? "" : `; human baseline: its ${human.length} validation songs`),
  };
}

/** Parses MIDI sources to piano notes as written; unreadable files are listed on stderr and left out. */
async function readNotes(sources: readonly MidiSource[], what: string): Promise<NamedNotes[]> {
  const { songs, skipped } = await readSongs(sources);
  for (const file of skipped) log(`skipped ${what} ${file.name}: ${file.reason}`);
  return songs.map((song) => ({ name: song.name, notes: song.notes }));
}

/** Prints the report; with an --out folder also writes report.json and the histograms as report.svg/png there. */
async function printReport(
  report: MusicReport,
  options: EvaluateOptions,
  heading: string,
  files: { pieces: readonly NamedNotes[]; reference: readonly NamedNotes[]; outDir: string | null },
): Promise<number> {
  if (files.outDir !== null) {
    await mkdir(files.outDir, { recursive: true });
    const histograms = featureHistograms(
      files.pieces.map((p) => pieceFeatures(p.notes)),
      files.reference.map((r) => pieceFeatures(r.notes)),
    );
    const scene = musicReportScene({ title: heading.split("\n")[0]!.slice(0, 110), report, histograms });
    await writeFile(path.join(files.outDir, "report.json"), JSON.stringify(report) + "\n");
    await writeFile(path.join(files.outDir, "report.svg"), sceneToSvg(scene));
    await writeFile(path.join(files.outDir, "report.png"), sceneToPng(scene));
    log(`report: ${path.join(files.outDir, "report.{json,svg,png}")}`);
  }
  process.stdout.write(options.json ? JSON.stringify(report) + "\n" : formatMusicReport(report, heading));
  return 0;
}

/** `evaluate --attach`: the evaluation `train` writes when it publishes, written into an existing bundle folder. */
async function runAttach(options: EvaluateOptions): Promise<number> {
  const backend = await selectBackend(options.backend ?? trainerEnv().backend);
  log(`backend: ${backend.description}`);
  const bundle = await openBundle(await bundleDirOf(options));
  try {
    const { songs } = await ingest(await dataSources(options.data), bundle.tokenizer);
    const evaluated = await bundleEvaluationFiles({ bundle, songs });
    if (evaluated.files === null)
      throw new CliError(
        `${evaluated.summary} in ${dataLabel(options.data)}; pass --data with the folder it was trained on`,
      );
    // All written and fsynced before the first rename: a full disk or a kill leaves the old evaluation whole.
    await replaceFiles(bundle.dir, { ...evaluated.files, ...evaluated.pictures });
    log(evaluated.summary);
    process.stdout.write(
      `attached ${Object.keys(evaluated.files).join(", ")} (and evaluation.svg/png) to ${bundle.dir}\n`,
    );
    return 0;
  } finally {
    bundle.model.dispose();
  }
}

/** `evaluate --pieces N --out DIR`: N pieces at the default recipe (flags override), written like `generate` writes them. */
async function runGeneratedReport(options: EvaluateOptions, count: number, out: string): Promise<number> {
  const backend = await selectBackend(options.backend ?? trainerEnv().backend);
  log(`backend: ${backend.description}`);
  const bundle = await openBundle(await bundleDirOf(options));
  const m = bundle.manifest;
  const outDir = resolveUserPath(out);
  const pieces: NamedNotes[] = [];
  let split: ReferenceSplit;
  try {
    split = await bundleReference(bundle, options.data);
    await mkdir(outDir, { recursive: true }).catch((error: unknown) => {
      throw new CliError(
        `cannot create --out folder ${outDir}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    const composer = new Composer(bundle);
    try {
      for (let seed = 1; seed <= count; seed++) {
        // generate's default recipe, so piece-<seed>.mid is what
        // `generate --seed <seed> --length L --temperature T --top-p P` writes.
        const piece = composer.compose(
          createRecipe({
            seed,
            length: options.length,
            temperature: options.temperature,
            topP: options.topP,
          }),
        );
        const file = path.join(outDir, `piece-${seed}.mid`);
        await writeFile(file, pieceToMidi(piece));
        log(
          `piece ${seed}/${count}: ${piece.notes.length} notes from ${piece.tokens.length} tokens → ${file}`,
        );
        pieces.push({ name: path.basename(file), notes: piece.notes });
      }
    } finally {
      composer.dispose();
    }
  } finally {
    bundle.model.dispose();
  }
  const report = buildMusicReport({ pieces, reference: split.reference, human: split.human });
  const topP = options.topP ?? "none";
  return printReport(
    report,
    options,
    `${count} pieces of ${options.length} tokens from ${m.name} ${m.version} (seeds 1..${count}, temperature ${options.temperature}, top-p ${topP}, guard on, no primer) in ${outDir}\nreference: ${split.description}`,
    { pieces, reference: split.reference, outDir },
  );
}

/** `evaluate --pieces-dir DIR`: the same report for MIDI files made elsewhere. */
async function runPiecesDirReport(options: EvaluateOptions, dir: string): Promise<number> {
  const root = resolveUserPath(dir);
  const files = await findMidiFiles(root);
  if (files.length === 0) throw new CliError(`no MIDI files (.mid / .midi) in ${root}: nothing to evaluate`);
  const pieces = await readNotes(
    files.map((file) => ({ name: file.relativePath, read: () => readMidiFile(file) })),
    "piece",
  );
  if (pieces.length === 0)
    throw new CliError(`none of the ${files.length} MIDI files in ${root} could be read`);
  let split: ReferenceSplit;
  if (options.model === undefined) {
    const reference = (await readNotes(await dataSources(options.data), "reference file")).filter(
      (song) => song.notes.length > 0,
    );
    if (reference.length === 0)
      throw new CliError(
        `no readable MIDI files with notes in ${dataLabel(options.data)}: no reference to compare with`,
      );
    split = {
      reference,
      human: null,
      description: `all ${reference.length} files of ${dataLabel(options.data)} (no human baseline without --model)`,
    };
  } else {
    const backend = await selectBackend(options.backend ?? trainerEnv().backend);
    log(`backend: ${backend.description}`);
    const bundle = await openBundle(await bundleDirOf(options));
    try {
      split = await bundleReference(bundle, options.data);
    } finally {
      bundle.model.dispose();
    }
  }
  const report = buildMusicReport({ pieces, reference: split.reference, human: split.human });
  const outDir = options.out === undefined ? null : resolveUserPath(options.out);
  return printReport(
    report,
    options,
    `${pieces.length} pieces from ${root}\nreference: ${split.description}`,
    { pieces, reference: split.reference, outDir },
  );
}
