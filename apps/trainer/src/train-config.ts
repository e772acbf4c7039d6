// Turning `train` flags into core's validated ModelConfig + TrainingConfig.
import { presetConfigs, type ModelConfig, type TrainingConfig } from "@motif/core";
import { CliError } from "./command-args.js";
import { parseTranspositions } from "./flag-values.js";
import { resolvedPreset, resolvedTokenizer, type TrainOptions } from "./train-command.js";

/** Transpositions used for `timed` when --augment is absent: a fifth either way around the original. */
export const DEFAULT_TIMED_AUGMENT = parseTranspositions("-5..6") as number[];

/**
 * The quick config used when `train` runs on the built-in demo corpus (no --data): small enough to
 * finish in a few minutes on the wasm backend of a 2-core machine. Explicit flags still win.
 * Applies to the default preset only.
 */
export const DEMO_QUICK_CONFIG = { units: 128, layers: 1, seqLen: 32, epochs: 16, batch: 32, augment: parseTranspositions("-3..3") as number[] };

export function resolveConfigs(options: TrainOptions, vocabSize: number): { model: ModelConfig; training: TrainingConfig } {
  const preset = resolvedPreset(options);
  // The quick config is for the default preset only: seed/parent keep their published shapes.
  const quick = options.data === null && preset === "default" ? DEMO_QUICK_CONFIG : null;
  const base = presetConfigs(preset, Math.max(2, vocabSize)).model.units;
  const layers = options.layers ?? quick?.layers ?? base.length;
  const units = options.units ?? quick?.units ?? base[0]!;
  const augment = options.augment ?? quick?.augment ?? (resolvedTokenizer(options) === "timed" ? DEFAULT_TIMED_AUGMENT : []);
  const overrides: Partial<ModelConfig & TrainingConfig> = {
    units: Array.from({ length: layers }, () => units),
    cell: options.cell,
    seqLen: options.seqLen ?? quick?.seqLen,
    stride: options.stride,
    epochs: options.epochs ?? quick?.epochs,
    batchSize: options.batch ?? quick?.batch,
    learningRate: options.lr,
    validationShare: options.val,
    split: options.split,
    augment,
    patience: options.patience === undefined ? undefined : options.patience === 0 ? null : options.patience,
    seed: options.seed,
    gradientShards: options.shards,
  };
  try {
    return presetConfigs(preset, Math.max(2, vocabSize), overrides);
  } catch (error) {
    throw new CliError(`invalid training settings: ${error instanceof Error ? error.message : String(error)}`, 2);
  }
}
