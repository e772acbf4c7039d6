import { z } from "zod";

/** Named architectures: `notebook` = the seed notebook, `parent` = Classical-Piano-Composer, `default` = Motif's own. */
export const PRESETS = ["notebook", "parent", "default"] as const;
export type Preset = (typeof PRESETS)[number];

/**
 * Old names still read: `notebook` was called `seed` (a word that also names the random seed).
 * Configs saved under an old name keep it as written, since a bundle's content hash covers it;
 * presetOf reads either name as the same preset.
 */
export const PRESET_ALIASES = { seed: "notebook" } as const satisfies Readonly<Record<string, Preset>>;
export type PresetAlias = keyof typeof PRESET_ALIASES;
/** What a model config's `preset` may say: a preset, or an old name of one. */
export type PresetName = Preset | PresetAlias;
/** The presets first, then the old names (the order zod lists them in its messages). */
export const PRESET_NAMES: readonly [PresetName, ...PresetName[]] = [
  ...PRESETS,
  ...(Object.keys(PRESET_ALIASES) as PresetAlias[]),
];

export function isPresetName(value: unknown): value is PresetName {
  return typeof value === "string" && (PRESET_NAMES as readonly string[]).includes(value);
}

/** The preset a stored name means: an old name reads as the preset it was renamed to. */
export function presetOf(name: PresetName): Preset {
  return name in PRESET_ALIASES ? PRESET_ALIASES[name as PresetAlias] : (name as Preset);
}

/** Everything needed to rebuild a network; JSON-able, travels in the bundle. */
export interface ModelConfig {
  /** An old name (`seed`) in configs saved before the rename: compare presetOf(preset), not the name. */
  preset: PresetName;
  vocabSize: number;
  /** Window length in tokens (training chunk length for `every-step`). */
  seqLen: number;
  /** `scalar` = the seed's id/V float per step; `embedding` = learned embedding (trainable on wasm). */
  input: "scalar" | "embedding";
  /** Embedding width; ignored (1) for `scalar` input. */
  embeddingDim: number;
  /**
   * Initial embedding values: `uniform` ±0.05 (Keras), or `normal` N(0, 1) (PyTorch), whose larger
   * inputs let the LSTM tell tokens apart from the first step instead of after a long plateau.
   * Optional: absent (configs made before it existed) = `uniform`. Only training reads it.
   */
  embeddingInit?: "uniform" | "normal";
  /** One entry per LSTM layer. */
  units: number[];
  /** Dropout after the LSTM layers (notebook: after the first only). */
  dropout: number;
  /** Hidden dense layer before the output (notebook/parent 256), or null for none. */
  denseUnits: number | null;
  /** Dropout after the hidden dense layer (notebook/parent 0.3). Optional: defaults to 0. */
  denseDropout?: number;
  /** `last`: predict the token after the window (notebook/parent); `every-step`: many-to-many (default). */
  target: "last" | "every-step";
  /** `fast` = Motif's own LSTM layer (same weight layout as tf.layers.lstm). */
  cell: "stock" | "fast";
  /**
   * The piece's own pitch classes as a bias on the note tokens (sampling/key-memory.ts), part of
   * the model's prediction wherever it runs. Optional and off in every preset (`train
   * --key-memory` sets it): it predicts real songs better, but made generated pieces narrower
   * than the songs in every way it was tried (BENCHMARKS.md, "Key memory").
   */
  keyMemory?: KeyMemoryConfig;
}

/** See `KeyMemorySettings` (sampling/key-memory.ts): strength 0 = off; halfLife in notes, null = never fades. */
export interface KeyMemoryConfig {
  strength: number;
  halfLife: number | null;
}

export interface TrainingConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  lrSchedule: "constant" | "cosine";
  /** Clip gradients by global norm; null = no clipping. */
  clipNorm: number | null;
  /** Stop after this many epochs without a better validation loss; null = never. */
  patience: number | null;
  seed: number;
  /** Share of songs (split `songs`) or of windows (split `random-windows`) used for validation. */
  validationShare: number;
  /** `songs`: whole songs to validation (Motif); `random-windows`: windows split at random (the seed's test_size). */
  split: "songs" | "random-windows";
  /**
   * Semitone shifts used for augmentation, [] = none. Carried for the record only: the app
   * transposes the notes before tokenizing (it knows the tokenizer), core never transposes.
   */
  augment: number[];
  /** Window stride over each song (notebook: 1; default: seqLen = contiguous chunks). */
  stride: number;
  /** Optional: defaults to adam. parent uses rmsprop like the original. */
  optimizer?: "adam" | "rmsprop";
  /**
   * Each batch is cut into this many contiguous row slices whose gradients are summed in a fixed
   * order, so the history is the same whether 1 thread or N threads compute them. Optional: configs
   * and checkpoints made before it existed read as 1 (the whole batch at once). Presets use 2.
   */
  gradientShards?: number;
  /**
   * `song`: every song (training, validation, primers) is moved to C major / A minor by its
   * estimated key before tokenizing, and generation moves the result to the key asked for.
   * Optional: absent (configs made before it existed) = `none`. Done by the app, like `augment`.
   */
  keyNormalization?: KeyNormalization;
  /**
   * How `augment` is used: `all` trains on every transposition of every song in every epoch (an
   * epoch is len(augment) + 1 passes over the music); `random` draws one of them (the original
   * included) per song per epoch, seeded by the run seed and the epoch. Optional: absent (configs
   * made before it existed) = `all`, so recorded configs keep their meaning. New runs use `random`.
   */
  augmentMode?: AugmentMode;
  /**
   * Timed tokens only: each epoch every training song is played faster or slower by a factor drawn
   * from [1 - tempoStretch, 1 + tempoStretch], seeded like the transpositions. Needs
   * `augmentMode: "random"`. Optional: absent = 0 (off).
   */
  tempoStretch?: number;
  /**
   * Also validate every this many optimizer steps (not only at the end of each epoch), for epochs
   * too long to wait for. Optional: absent = at the end of each epoch only.
   */
  validateEvery?: number;
  /**
   * Truncated back-propagation through time: every batch row walks one song's consecutive chunks,
   * and the final LSTM states (h and c of every layer) of chunk k are the initial states of chunk
   * k + 1 (data, no gradient across chunks); each song starts from zero. Needs the fast cell,
   * every-step targets, contiguous chunks (stride = seqLen) and split `songs` (carryStateIssue).
   * Optional: absent = off, and it is left out of configs when off.
   */
  carryState?: boolean;
  /**
   * The bundle the weights started from (fine-tuning, `train --init-from`): its name, version and
   * weights' sha256. The LSTM comes from it whole, embedding rows and output columns by token.
   * Optional: absent = a fresh initialisation from `seed`.
   */
  initFrom?: InitFrom;
}

export interface InitFrom {
  name: string;
  version: string;
  weightsSha256: string;
}

export const AUGMENT_MODES = ["random", "all"] as const;
export type AugmentMode = (typeof AUGMENT_MODES)[number];

const KEY_NORMALIZATIONS = ["none", "song"] as const;
export type KeyNormalization = (typeof KEY_NORMALIZATIONS)[number];

const positiveInt = z.number().int().positive();
const rate = z.number().min(0).lt(1);

export const modelConfigSchema: z.ZodType<ModelConfig> = z
  .object({
    preset: z.enum(PRESET_NAMES),
    vocabSize: z.number().int().min(2),
    seqLen: positiveInt,
    input: z.enum(["scalar", "embedding"]),
    embeddingDim: positiveInt,
    embeddingInit: z.enum(["uniform", "normal"]).optional(),
    units: z.array(positiveInt).min(1),
    dropout: rate,
    denseUnits: positiveInt.nullable(),
    denseDropout: rate.optional(),
    target: z.enum(["last", "every-step"]),
    cell: z.enum(["stock", "fast"]),
    keyMemory: z
      .object({ strength: z.number().min(0).max(4), halfLife: z.number().min(1).max(1e9).nullable() })
      .strict()
      .optional(),
  })
  .strict()
  .refine((c) => !(presetOf(c.preset) === "notebook" && c.target !== "last"), {
    message:
      "the notebook preset flattens its window and predicts only the next token (target must be 'last')",
    path: ["target"],
  });

export const trainingConfigSchema: z.ZodType<TrainingConfig> = z
  .object({
    epochs: positiveInt,
    batchSize: positiveInt,
    learningRate: z.number().positive(),
    lrSchedule: z.enum(["constant", "cosine"]),
    clipNorm: z.number().positive().nullable(),
    patience: positiveInt.nullable(),
    seed: z.number().int(),
    validationShare: rate,
    split: z.enum(["songs", "random-windows"]),
    augment: z.array(z.number().int().min(-24).max(24)),
    stride: positiveInt,
    optimizer: z.enum(["adam", "rmsprop"]).optional(),
    gradientShards: positiveInt.max(64).optional(),
    keyNormalization: z.enum(KEY_NORMALIZATIONS).optional(),
    augmentMode: z.enum(AUGMENT_MODES).optional(),
    tempoStretch: z.number().min(0).max(0.5).optional(),
    validateEvery: positiveInt.optional(),
    carryState: z.boolean().optional(),
    initFrom: z
      .object({
        name: z.string().min(1),
        version: z.string().min(1),
        weightsSha256: z.string().regex(/^[0-9a-f]{64}$/),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((c) => (c.gradientShards ?? 1) <= c.batchSize, {
    message: "gradientShards cannot exceed batchSize (every shard needs at least one window)",
    path: ["gradientShards"],
  })
  .refine((c) => !((c.tempoStretch ?? 0) > 0 && c.augmentMode !== "random"), {
    message: "tempoStretch needs augmentMode 'random' (a new stretch is drawn every epoch)",
    path: ["tempoStretch"],
  })
  .refine((c) => !(drawsAugmentation(c) && c.split === "random-windows"), {
    message:
      "random augmentation needs split 'songs' (random-windows splits fixed windows of fixed songs); use augmentMode 'all'",
    path: ["augmentMode"],
  })
  .refine((c) => !(c.carryState === true && c.split !== "songs"), {
    message: "carryState needs split 'songs' (a state walks whole songs; random-windows splits windows)",
    path: ["carryState"],
  });

/**
 * Why the model and training configs cannot carry state from chunk to chunk (null = they can, or
 * carryState is off): the chunks must follow each other (stride = seqLen), every step must be a
 * target, and the final states come from MotifLSTM (the stock layer does not return its c).
 */
export function carryStateIssue(model: ModelConfig, training: TrainingConfig): string | null {
  if (training.carryState !== true) return null;
  if (model.target !== "every-step")
    return "carryState needs target 'every-step' (a chunk's every step is trained)";
  if (training.stride !== model.seqLen)
    return `carryState needs contiguous chunks: stride (${training.stride}) must equal seqLen (${model.seqLen})`;
  if (model.cell !== "fast")
    return "carryState needs cell 'fast' (the stock tf.layers.lstm does not hand back its final cell state)";
  return null;
}

/** True when every epoch draws its own transposition (and stretch) per training song. */
export function drawsAugmentation(
  training: Pick<TrainingConfig, "augment" | "augmentMode" | "tempoStretch">,
): boolean {
  return (
    training.augmentMode === "random" && (training.augment.length > 0 || (training.tempoStretch ?? 0) > 0)
  );
}

const MODEL_KEYS = new Set<string>([
  "preset",
  "vocabSize",
  "seqLen",
  "input",
  "embeddingDim",
  "embeddingInit",
  "units",
  "dropout",
  "denseUnits",
  "denseDropout",
  "target",
  "cell",
  "keyMemory",
]);

function basePreset(preset: Preset, vocabSize: number): { model: ModelConfig; training: TrainingConfig } {
  switch (preset) {
    case "notebook":
      // The seed notebook exactly: scalar input over 100-token windows, 2×LSTM(128), Flatten,
      // Dense(256), Adam 1e-3, batch 128, 60% of the windows at random for validation.
      // Every preset uses the fast cell: the same LSTM function and weights as tf.layers.lstm,
      // ~5x faster to train here (cell: "stock" picks tf.layers.lstm).
      return {
        model: {
          preset,
          vocabSize,
          seqLen: 100,
          input: "scalar",
          embeddingDim: 1,
          units: [128, 128],
          dropout: 0.2,
          denseUnits: 256,
          denseDropout: 0.3,
          target: "last",
          cell: "fast",
        },
        training: {
          epochs: 100,
          batchSize: 128,
          learningRate: 1e-3,
          lrSchedule: "constant",
          clipNorm: null,
          patience: null,
          seed: 1,
          validationShare: 0.6,
          split: "random-windows",
          augment: [],
          stride: 1,
          optimizer: "adam",
          gradientShards: 2,
        },
      };
    case "parent":
      // Classical-Piano-Composer: LSTM(512)×3 → Dense(256, relu) → softmax, RMSprop, 200 epochs, batch 128.
      return {
        model: {
          preset,
          vocabSize,
          seqLen: 100,
          input: "scalar",
          embeddingDim: 1,
          units: [512, 512, 512],
          dropout: 0.3,
          denseUnits: 256,
          denseDropout: 0.3,
          target: "last",
          cell: "fast",
        },
        training: {
          epochs: 200,
          batchSize: 128,
          learningRate: 1e-3,
          lrSchedule: "constant",
          clipNorm: null,
          patience: null,
          seed: 1,
          validationShare: 0.1,
          split: "songs",
          augment: [],
          stride: 1,
          optimizer: "rmsprop",
          gradientShards: 2,
        },
      };
    case "default":
      // Motif: learned embedding, 2×LSTM(256) many-to-many over contiguous 64-token chunks,
      // dropout, clipping, cosine schedule with warmup, Adam, whole songs for validation, and
      // every song in C major / A minor so the scale is the same 7 notes everywhere. N(0,1)
      // embeddings and batches of 16 chunks: pitch context is learned in far fewer minutes
      // (BENCHMARKS.md, "Music in key"); at this size a smaller batch costs no tokens/s here.
      return {
        model: {
          preset,
          vocabSize,
          seqLen: 64,
          input: "embedding",
          embeddingDim: 64,
          embeddingInit: "normal",
          units: [256, 256],
          dropout: 0.2,
          denseUnits: null,
          denseDropout: 0,
          target: "every-step",
          cell: "fast",
        },
        training: {
          epochs: 30,
          batchSize: 16,
          learningRate: 2e-3,
          lrSchedule: "cosine",
          clipNorm: 1,
          patience: 5,
          seed: 1,
          validationShare: 0.1,
          split: "songs",
          augment: [],
          stride: 64,
          optimizer: "adam",
          gradientShards: 2,
          keyNormalization: "song",
        },
      };
  }
}

/** Formats zod issues as "path: message; ..." for error messages. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
}

/**
 * The configs of a preset, with overrides applied and validated. An old name gives the configs of
 * the preset it was renamed to, under the new name.
 * @example presetConfigs("default", 120, { units: [64, 64], seqLen: 32, epochs: 5 })
 */
export function presetConfigs(
  name: PresetName,
  vocabSize: number,
  overrides: Partial<ModelConfig & TrainingConfig> = {},
): { model: ModelConfig; training: TrainingConfig } {
  if (!isPresetName(name)) throw new Error(`unknown preset "${String(name)}" (known: ${PRESETS.join(", ")})`);
  const preset = presetOf(name);
  const base = basePreset(preset, vocabSize);
  const model: Record<string, unknown> = { ...base.model };
  const training: Record<string, unknown> = { ...base.training };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (MODEL_KEYS.has(key)) model[key] = value;
    else training[key] = value;
  }
  // A changed default seqLen keeps chunks contiguous unless a stride was given explicitly.
  if (preset === "default" && overrides.seqLen !== undefined && overrides.stride === undefined)
    training.stride = model.seqLen;
  const modelResult = modelConfigSchema.safeParse(model);
  if (!modelResult.success)
    throw new Error(`invalid model config for preset ${preset}: ${describeIssues(modelResult.error)}`);
  const trainingResult = trainingConfigSchema.safeParse(training);
  if (!trainingResult.success)
    throw new Error(`invalid training config for preset ${preset}: ${describeIssues(trainingResult.error)}`);
  const carryIssue = carryStateIssue(modelResult.data, trainingResult.data);
  if (carryIssue !== null) throw new Error(`invalid training config for preset ${preset}: ${carryIssue}`);
  return { model: modelResult.data, training: trainingResult.data };
}
