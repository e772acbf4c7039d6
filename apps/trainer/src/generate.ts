// `generate`: load a bundle, feed a primer, sample step by step with a seeded PRNG, decode to
// notes and write a MIDI file that carries its own recipe.
import { randomInt } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { createStepModel, generateTokens, keyChoiceText, keyShiftForPiece, transposeNotes, type KeyChoice } from "@motif/core";
import { writeMidi, type QuarterNote } from "@motif/midi";
import { selectBackend } from "./backend.js";
import { openBundle, type OpenedBundle } from "./bundle-dir.js";
import type { MidiSource } from "./dataset.js";
import { demoCorpusFiles } from "./demo-corpus.js";
import { resolveUserPath, trainerEnv } from "./env.js";
import type { GenerateCliOptions } from "./generate-command.js";
import { findMidiFiles, readMidiFile } from "./midi-files.js";
import { corpusPrimer, filePrimer, type Primer } from "./primer.js";

const log = (line: string) => process.stderr.write(line + "\n");

/** The recipe, one `key value` per line: printed, and stored as MIDI text events. */
/** The key choice in force: --key, else the primer's key with a primer, else the model's own. */
export function resolvedKeyChoice(options: GenerateCliOptions): KeyChoice {
  return options.key ?? (options.primer.kind === "none" ? { kind: "as-trained" } : { kind: "primer" });
}

export function recipeLines(bundle: OpenedBundle, options: GenerateCliOptions, seed: number, primer: Primer): string[] {
  const m = bundle.manifest;
  return [
    "motif-recipe 1",
    `model ${m.name} ${m.version}`,
    `bundle ${m.contentHash}`,
    `tokenizer ${m.tokenizer.kind} v${m.tokenizer.version}`,
    `seed ${seed}`,
    `length ${options.length}`,
    `temperature ${options.temperature}`,
    `top-k ${options.topK ?? "none"}`,
    `top-p ${options.topP ?? "none"}`,
    `primer ${primer.description}`,
    `keep-primer ${options.keepPrimer ? "yes" : "no"}`,
    `guard ${options.repetitionGuard ? "on" : "off"}`,
    `style ${options.style}`,
    `bpm ${options.bpm}`,
    `key ${keyChoiceText(resolvedKeyChoice(options))}`,
  ];
}

const isKeyNormalized = (bundle: OpenedBundle): boolean => bundle.manifest.training.keyNormalization === "song";

async function primerFor(bundle: OpenedBundle, options: GenerateCliOptions, seed: number): Promise<Primer> {
  const { tokenizer, vocabulary, manifest } = bundle;
  switch (options.primer.kind) {
    case "none":
      return { tokens: [], description: "none", warnings: [], keyShift: 0 };
    case "file":
      return filePrimer({ file: resolveUserPath(options.primer.path), tokenizer, vocabulary, length: options.primerLength, normalize: isKeyNormalized(bundle) });
    case "corpus": {
      const sources: MidiSource[] =
        options.data === undefined
          ? demoCorpusFiles().map((file) => ({ name: file.name, read: async () => file.bytes }))
          : (await findMidiFiles(resolveUserPath(options.data))).map((file) => ({ name: file.relativePath, read: () => readMidiFile(file) }));
      return corpusPrimer({ manifest, sources, tokenizer, vocabulary, seed, length: options.primerLength, normalize: isKeyNormalized(bundle) });
    }
  }
}

/** Drops the primer's notes (those decoded from the primer alone) and starts the piece at 0. */
function continuationOnly(all: QuarterNote[], primerNotes: QuarterNote[]): QuarterNote[] {
  if (primerNotes.length === 0) return all;
  const rest = all.slice(primerNotes.length);
  const offset = rest.length === 0 ? 0 : Math.min(...rest.map((note) => note.startQuarter));
  return rest.map((note) => ({ ...note, startQuarter: note.startQuarter - offset, endQuarter: note.endQuarter - offset }));
}

export async function runGenerate(options: GenerateCliOptions): Promise<number> {
  const env = trainerEnv();
  const backend = await selectBackend(options.backend ?? env.backend);
  log(`backend: ${backend.description}`);
  const bundle = await openBundle(options.model === undefined ? path.join(env.modelsDir, "demo") : resolveUserPath(options.model));
  const seed = options.seed ?? randomInt(2 ** 32);
  const primer = await primerFor(bundle, options, seed);
  for (const warning of primer.warnings) log(warning);

  const started = performance.now();
  const tensorsBefore = tf.memory().numTensors;
  const step = createStepModel(bundle.model, bundle.manifest.model);
  let tokens: string[];
  let leaked: number;
  try {
    tokens = generateTokens({
      step,
      vocabulary: bundle.vocabulary,
      tokenizer: bundle.tokenizer,
      options: { length: options.length, seed, primer: primer.tokens, temperature: options.temperature, topK: options.topK, topP: options.topP, repetitionGuard: options.repetitionGuard },
    });
  } finally {
    step.dispose();
    leaked = tf.memory().numTensors - tensorsBefore;
    bundle.model.dispose();
  }
  const seconds = (performance.now() - started) / 1000;

  const decodeOptions = bundle.tokenizer.kind === "notes-chords" ? { style: options.style } : {};
  const decoded = bundle.tokenizer.decode([...primer.tokens, ...tokens], decodeOptions);
  const keyShift = keyShiftForPiece({ normalized: isKeyNormalized(bundle), choice: resolvedKeyChoice(options), primerShift: primer.keyShift, notes: decoded });
  const all = transposeNotes(decoded, keyShift);
  const notes = options.keepPrimer ? all : continuationOnly(all, bundle.tokenizer.decode(primer.tokens, decodeOptions));
  if (notes.length === 0) log("warning: the generated tokens decode to no notes (try another seed, a primer or a longer --length)");

  const recipe = recipeLines(bundle, options, seed, primer);
  const m = bundle.manifest;
  const outFile = resolveUserPath(options.out ?? `${m.name}-${m.version}-seed${seed}.mid`);
  const bytes = writeMidi({ notes, title: `Motif: ${m.name} ${m.version}, seed ${seed}`, texts: recipe, tempos: [{ quarter: 0, bpm: options.bpm }] });
  await writeFile(outFile, bytes);

  process.stdout.write(recipe.join("\n") + "\n");
  log(
    `wrote ${outFile}: ${notes.length} notes from ${tokens.length} tokens in ${seconds.toFixed(2)} s (${Math.round(tokens.length / Math.max(seconds, 1e-9))} tokens/s)` +
      (leaked > 0 ? `; warning: ${leaked} tensors leaked` : ""),
  );
  return 0;
}
