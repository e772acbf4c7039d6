// `generate`: the CLI around core's Composer. Loads the bundle, reads the primer's bytes, writes
// the MIDI file the Composer makes and prints its recipe.
import { randomInt } from "node:crypto";
import { writeFile } from "node:fs/promises";
import * as tf from "@tensorflow/tfjs";
import {
  ComposeError,
  Composer,
  pieceToMidi,
  type ComposeErrorCode,
  type Piece,
  type PrimerSource,
  type Recipe,
} from "@motif/core";
import { selectBackend } from "../../runtime/backend.js";
import { modelDirFor, openBundle } from "../../store/bundle-dir.js";
import { CliError } from "../../errors.js";
import { resolveUserPath, trainerEnv } from "../../env.js";
import type { GenerateCliOptions } from "./generate-flags.js";
import { primerSource } from "./primer.js";

const log = (line: string) => process.stderr.write(line + "\n");

/** The Composer recipe the flags describe. */
function recipeOf(options: GenerateCliOptions, seed: number, primer: PrimerSource): Recipe {
  const { length, temperature, topK, topP, primerLength, keepPrimer, repetitionGuard, style, bpm, key } =
    options;
  return {
    seed,
    length,
    temperature,
    topK,
    topP,
    primer,
    primerLength,
    keepPrimer,
    repetitionGuard,
    style,
    bpm,
    key,
  };
}

/** A Composer refusal in the CLI's terms: the flag to change. */
function cliError(error: ComposeError, options: GenerateCliOptions): CliError {
  const primer = options.primer.kind === "file" ? options.primer.path : options.primer.kind;
  const flags: Record<ComposeErrorCode, string> = {
    "invalid-recipe": "generate",
    "unknown-key": "--key",
    "bad-primer-file": `--primer ${primer}`,
    "empty-primer": `--primer ${primer}`,
    "bad-primer-tokens": `--primer ${primer}`,
    "primer-too-long": `--primer-length ${options.primerLength}`,
    "corpus-not-found": "--primer corpus",
    // Only open-ended streams refuse this; the CLI composes whole pieces, where --key is the flag.
    "key-needs-piece": "--key",
  };
  const hint =
    error.code === "corpus-not-found" ? "; pass --data with the folder the model was trained on" : "";
  return new CliError(`${flags[error.code]}: ${error.message}${hint}`);
}

export async function runGenerate(options: GenerateCliOptions): Promise<number> {
  const env = trainerEnv();
  const backend = await selectBackend(options.backend ?? env.backend);
  log(`backend: ${backend.description}`);
  const bundle = await openBundle(await modelDirFor(options.model));
  const seed = options.seed ?? randomInt(2 ** 32);
  const recipe = recipeOf(options, seed, await primerSource(options));

  const started = performance.now();
  const tensorsBefore = tf.memory().numTensors;
  const composer = new Composer(bundle);
  let piece: Piece;
  let leaked: number;
  try {
    piece = composer.compose(recipe);
  } catch (error) {
    throw error instanceof ComposeError ? cliError(error, options) : error;
  } finally {
    composer.dispose();
    leaked = tf.memory().numTensors - tensorsBefore;
    bundle.model.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  for (const warning of piece.primer.warnings) log(warning);
  if (piece.notes.length === 0)
    log("warning: the generated tokens decode to no notes (try another seed, a primer or a longer --length)");

  const m = bundle.manifest;
  const outFile = resolveUserPath(options.out ?? `${m.name}-${m.version}-seed${seed}.mid`);
  await writeFile(outFile, pieceToMidi(piece));
  process.stdout.write(piece.recipeLines.join("\n") + "\n");
  log(
    `wrote ${outFile}: ${piece.notes.length} notes from ${piece.tokens.length} tokens in ${seconds.toFixed(2)} s (${Math.round(piece.tokens.length / Math.max(seconds, 1e-9))} tokens/s)` +
      (leaked > 0 ? `; warning: ${leaked} tensors leaked` : ""),
  );
  return 0;
}
