// Turning `train` flags into core's validated ModelConfig + TrainingConfig.
import { presetConfigs, type KeyMemoryConfig, type ModelConfig, type TrainingConfig } from "@motif/core";
import { CliError } from "../../errors.js";
import { parseTranspositions } from "../../cli/flag-values.js";
import { resolvedPreset, resolvedTokenizer, type TrainOptions } from "./train-flags.js";

/** Transpositions the default preset trains on with --keys none and no --augment: a fifth either way around the original. */
export const DEFAULT_AUGMENT = parseTranspositions("-5..6") as number[];

/**
 * The default preset's window and batch for notes-chords tokens (one token per onset, so a corpus
 * has about 5x fewer tokens than in `timed`). Smaller batches mean more optimizer steps per minute:
 * on the seed's corpus (song split) batch 16 x 32 tokens reached val loss 4.93 in 12 epochs where
 * 64 x 64 was still at 5.13 after 14 (measured with `train`, see BENCHMARKS.md, time to quality).
 */
export const NOTES_CHORDS_DEFAULT = { seqLen: 32, batch: 16 };

/**
 * The quick config used when `train` runs on the built-in demo corpus (no --data): small enough to
 * finish in a few minutes on the wasm backend of a 2-core machine. Explicit flags still win.
 * Applies to the default preset only.
 */
const DEMO_QUICK_CONFIG = {
  units: 128,
  layers: 1,
  seqLen: 32,
  epochs: 16,
  batch: 32,
  augment: parseTranspositions("-3..3") as number[],
};

/**
 * The default preset's settings for a small corpus (timed tokens, keys normalised, fewer than
 * `maxTokens` tokens in all its songs): each song also at an octave below or above (one drawn per
 * song per epoch; octaves keep every pitch class, so key normalisation holds), 128-token windows at
 * batch 8 (the same 1,024 tokens per step) and 14 epochs. On the 92-file seed corpus (214k tokens)
 * they moved the in-key mass from 0.805 to 0.845; on Mutopia's 435 pieces (1.4M) octave copies cost
 * loss and longer windows changed nothing, so larger corpora keep the preset's own
 * (BENCHMARKS.md, "Music in key"). Each setting given as a flag wins.
 */
export const SMALL_CORPUS_DEFAULT = {
  maxTokens: 500_000,
  augment: [-12, 12],
  seqLen: 128,
  batch: 8,
  epochs: 14,
};

/** Whether the small-corpus settings apply: the default preset's timed, key-normalised training on a user's folder under the size. */
export function isSmallCorpus(options: TrainOptions, corpusTokens: number | null): boolean {
  if (
    corpusTokens === null ||
    options.data === null ||
    resolvedPreset(options) !== "default" ||
    resolvedTokenizer(options) !== "timed"
  )
    return false;
  return (options.keys ?? "song") === "song" && corpusTokens < SMALL_CORPUS_DEFAULT.maxTokens;
}

/** `corpusTokens`: tokens in all the corpus's songs (train and validation) before any transposition; null when not known yet. */
export function resolveConfigs(
  options: TrainOptions,
  vocabSize: number,
  corpusTokens: number | null = null,
): { model: ModelConfig; training: TrainingConfig } {
  const preset = resolvedPreset(options);
  // The quick config is for the default preset only: notebook/parent keep their published shapes.
  const quick = options.data === null && preset === "default" ? DEMO_QUICK_CONFIG : null;
  const base = presetConfigs(preset, Math.max(2, vocabSize)).model.units;
  const layers = options.layers ?? quick?.layers ?? base.length;
  const units = options.units ?? quick?.units ?? base[0]!;
  const shape =
    preset === "default" && resolvedTokenizer(options) === "notes-chords" ? NOTES_CHORDS_DEFAULT : null;
  // notes-chords keeps the transposed copies its time-to-quality figures were measured with (BENCHMARKS.md).
  const keyNormalization =
    options.keys ??
    (shape === null ? (presetConfigs(preset, 2).training.keyNormalization ?? "none") : "none");
  // Songs in their own keys learn from transposed copies (Motif's preset without key normalisation);
  // normalised songs are already in one key, and notebook/parent train as their notebooks did: no copies.
  const small = isSmallCorpus(options, corpusTokens) ? SMALL_CORPUS_DEFAULT : null;
  const augment =
    options.augment ??
    small?.augment ??
    (keyNormalization === "song" ? [] : (quick?.augment ?? (preset === "default" ? DEFAULT_AUGMENT : [])));
  // The window and the batch go together (the tokens per step): either given keeps the preset's pair.
  const window = options.seqLen === undefined && options.batch === undefined ? small : null;
  // New runs draw one transposition per song per epoch; the seed's random-windows split needs fixed songs.
  const split = options.split ?? presetConfigs(preset, 2).training.split;
  const augmentMode = options.augmentMode ?? (split === "random-windows" ? "all" : "random");
  if (
    options.tempoStretch !== undefined &&
    options.tempoStretch > 0 &&
    resolvedTokenizer(options) !== "timed"
  ) {
    throw new CliError(
      "--tempo-stretch needs --tokenizer timed (notes-chords tokens carry no time to stretch)",
      2,
    );
  }
  const overrides: Partial<ModelConfig & TrainingConfig> = {
    units: Array.from({ length: layers }, () => units),
    cell: options.cell,
    embeddingInit: options.embeddingInit,
    dropout: options.dropout,
    keyMemory: keyMemoryOverride(options),
    seqLen: options.seqLen ?? quick?.seqLen ?? window?.seqLen ?? shape?.seqLen,
    stride: options.stride,
    epochs: options.epochs ?? quick?.epochs ?? small?.epochs,
    batchSize: options.batch ?? quick?.batch ?? window?.batch ?? shape?.batch,
    learningRate: options.lr,
    validationShare: options.val,
    split: options.split,
    augment,
    augmentMode,
    tempoStretch: options.tempoStretch,
    validateEvery: options.valEvery,
    // Left out when off, so configs without it stay as they were.
    carryState: options.carryState,
    keyNormalization,
    patience: options.patience === undefined ? undefined : options.patience === 0 ? null : options.patience,
    seed: options.seed,
    gradientShards: options.shards,
  };
  try {
    return presetConfigs(preset, Math.max(2, vocabSize), overrides);
  } catch (error) {
    throw new CliError(
      `invalid training settings: ${error instanceof Error ? error.message : String(error)}`,
      2,
    );
  }
}

/** The half-life a key memory gets when --key-memory-half-life is not given (the best on Mutopia). */
const KEY_MEMORY_HALF_LIFE = 16;

/** The key memory the flags ask for; undefined = none (no preset has one). */
function keyMemoryOverride(
  options: Pick<TrainOptions, "keyMemory" | "keyMemoryHalfLife">,
): KeyMemoryConfig | undefined {
  if (options.keyMemory === undefined) {
    if (options.keyMemoryHalfLife !== undefined)
      throw new CliError("--key-memory-half-life needs --key-memory S (the memory's strength)", 2);
    return undefined;
  }
  if (options.keyMemory === 0) return { strength: 0, halfLife: null };
  const halfLife = options.keyMemoryHalfLife === undefined ? KEY_MEMORY_HALF_LIFE : options.keyMemoryHalfLife;
  return { strength: options.keyMemory, halfLife };
}
