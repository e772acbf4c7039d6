// `train` flags: parsed and validated here (no tfjs import, so --help stays fast).
import { z } from "zod";
import { BACKEND_CHOICES, type BackendChoice } from "./backend-choice.js";
import type { CommandSpec } from "./command-args.js";
import { integerFlag, numberFlag, seedFlag, transpositionFlag } from "./flag-values.js";

export const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

export interface TrainOptions {
  /** null = the built-in demo corpus. */
  data: string | null;
  /** undefined = "default" (see resolvedPreset). */
  preset: "seed" | "parent" | "default" | undefined;
  /** undefined = timed, or notes-chords for the seed/parent presets (see resolvedTokenizer). */
  tokenizer: "notes-chords" | "timed" | undefined;
  epochs: number | undefined;
  batch: number | undefined;
  seqLen: number | undefined;
  stride: number | undefined;
  units: number | undefined;
  layers: number | undefined;
  cell: "stock" | "fast" | undefined;
  embeddingInit: "uniform" | "normal" | undefined;
  lr: number | undefined;
  val: number | undefined;
  split: "songs" | "random-windows" | undefined;
  /** Semitone shifts; undefined = the default for the tokenizer. */
  augment: number[] | undefined;
  /** `song`: move every song to C major / A minor by its estimated key; undefined = the preset's. */
  keys: "song" | "none" | undefined;
  /** 0 = no early stopping. */
  patience: number | undefined;
  seed: number | undefined;
  name: string | undefined;
  out: string | undefined;
  backend: BackendChoice | undefined;
  /** Threads computing gradients (1 = the main thread only); undefined = min(cores, shards). */
  workers: number | undefined;
  /** Gradient shards per batch (fixed for a run: they decide the arithmetic); undefined = preset's (2). */
  shards: number | undefined;
  resume: boolean;
}

const flags = {
  data: { type: "string", value: "DIR", description: "Folder of MIDI files to train on (searched recursively; broken files are listed and skipped).", defaultText: "the built-in demo corpus, with a quick config" },
  preset: { type: "string", value: "NAME", description: "Architecture: default (Motif: embedding, many-to-many LSTM), seed (the seed notebook exactly), parent (LSTM 512x3).", defaultText: "default" },
  tokenizer: { type: "string", value: "KIND", description: "Token language: timed (onsets, durations, rests, velocity) or notes-chords (the seed's).", defaultText: "timed; notes-chords for --preset seed/parent" },
  epochs: { type: "string", value: "N", description: "Number of epochs.", defaultText: "preset's; 16 on the demo corpus" },
  batch: { type: "string", value: "N", description: "Batch size (windows per step).", defaultText: "preset's; 16 for the default preset on notes-chords" },
  "seq-len": { type: "string", value: "N", description: "Window / training-chunk length in tokens.", defaultText: "preset's; 32 on the demo corpus and for the default preset on notes-chords" },
  stride: { type: "string", value: "N", description: "Tokens between the starts of consecutive training windows (smaller = more, overlapping windows per epoch; useful on small corpora).", defaultText: "seq-len for default (contiguous chunks), 1 for seed/parent" },
  units: { type: "string", value: "N", description: "LSTM units per layer.", defaultText: "preset's; 128 on the demo corpus" },
  layers: { type: "string", value: "N", description: "Number of stacked LSTM layers.", defaultText: "preset's" },
  "embedding-init": { type: "string", value: "KIND", description: "Initial token embeddings: normal (N(0,1), the LSTM tells tokens apart from the first step) or uniform (Keras' ±0.05).", defaultText: "preset's" },
  cell: { type: "string", value: "KIND", description: "LSTM implementation: fast (Motif's own layer, same weights as tf.layers.lstm, much faster on wasm/cpu) or stock (tf.layers.lstm).", defaultText: "fast (every preset)" },
  lr: { type: "string", value: "X", description: "Learning rate.", defaultText: "preset's" },
  val: { type: "string", value: "SHARE", description: "Validation share, 0 to 0.9 (whole songs with --split songs).", defaultText: "0.1 (seed preset: 0.6)" },
  split: { type: "string", value: "MODE", description: "songs: validation made of whole songs (no window shared with training); random-windows: the seed's random window split.", defaultText: "songs (seed preset: random-windows)" },
  keys: { type: "string", value: "MODE", description: "song: move every song to C major / A minor by its estimated key (Krumhansl-Schmuckler) before tokenizing, so the model learns one scale; generation then moves pieces to the key asked for. none: keep the keys as written.", defaultText: "song for the default preset on timed tokens; none for seed/parent and for notes-chords" },
  augment: { type: "string", value: "RANGE", description: 'Transpose training songs by these semitones: "-5..6", "-2,2,5" or "none". Validation songs are never transposed.', defaultText: "-5..6 for the default preset (-3..3 on the demo corpus), none for seed/parent" },
  patience: { type: "string", value: "N", description: "Stop after N epochs without a better validation loss; 0 = never stop early.", defaultText: "preset's" },
  seed: { type: "string", value: "N", description: "Random seed for initialisation, split and shuffling.", defaultText: "1" },
  name: { type: "string", value: "NAME", description: "Model name: bundles go to <out>/<name>/<version>/.", defaultText: "demo, or the data folder's name" },
  out: { type: "string", value: "DIR", description: "Models root folder.", defaultText: "$MOTIF_MODELS_DIR or <repo>/models" },
  backend: { type: "string", value: "KIND", description: "auto (tfjs-node, else wasm, else cpu), node, wasm or cpu.", defaultText: "$MOTIF_BACKEND or auto" },
  shards: { type: "string", value: "N", description: "Cut every batch into N row slices whose gradients are summed in a fixed order: the result is the same on any number of threads. At most the batch size; fixed for a run.", defaultText: "2" },
  workers: { type: "string", value: "N", description: "Threads computing the gradient shards (worker threads + the main thread); 1 = the main thread only. Never changes what is learned, only the speed.", defaultText: "min(CPU cores, shards)" },
  resume: { type: "boolean", description: "Continue the interrupted run saved in <out>/<name>/.checkpoint/ with its saved settings (only --epochs, --patience and --workers may change)." },
} as const satisfies CommandSpec<unknown>["flags"];

const schema = z
  .object({
    positionals: z.array(z.string()).max(0),
    data: z.string().min(1).optional(),
    preset: z.enum(["seed", "parent", "default"]).optional(),
    tokenizer: z.enum(["notes-chords", "timed"]).optional(),
    epochs: integerFlag(1, 10_000).optional(),
    batch: integerFlag(1, 4096).optional(),
    "seq-len": integerFlag(2, 1024).optional(),
    stride: integerFlag(1, 1024).optional(),
    units: integerFlag(1, 2048).optional(),
    layers: integerFlag(1, 8).optional(),
    cell: z.enum(["stock", "fast"]).optional(),
    "embedding-init": z.enum(["uniform", "normal"]).optional(),
    lr: numberFlag(0, 1, { exclusiveMin: true }).optional(),
    val: numberFlag(0, 0.9).optional(),
    split: z.enum(["songs", "random-windows"]).optional(),
    augment: transpositionFlag.optional(),
    keys: z.enum(["song", "none"]).optional(),
    patience: integerFlag(0, 10_000).optional(),
    seed: seedFlag.optional(),
    name: z.string().regex(MODEL_NAME, "use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit)").optional(),
    out: z.string().min(1).optional(),
    backend: z.enum(BACKEND_CHOICES).optional(),
    shards: integerFlag(1, 64).optional(),
    workers: integerFlag(1, 64).optional(),
    resume: z.boolean().optional(),
  })
  .transform(
    (raw): TrainOptions => ({
      data: raw.data ?? null,
      preset: raw.preset,
      tokenizer: raw.tokenizer,
      epochs: raw.epochs,
      batch: raw.batch,
      seqLen: raw["seq-len"],
      stride: raw.stride,
      units: raw.units,
      layers: raw.layers,
      cell: raw.cell,
      embeddingInit: raw["embedding-init"],
      lr: raw.lr,
      val: raw.val,
      split: raw.split,
      augment: raw.augment,
      keys: raw.keys,
      patience: raw.patience,
      seed: raw.seed,
      name: raw.name,
      out: raw.out,
      backend: raw.backend,
      workers: raw.workers,
      shards: raw.shards,
      resume: raw.resume ?? false,
    }),
  );

export const trainCommand: CommandSpec<TrainOptions> = {
  name: "train",
  brief: "Train a model on a MIDI folder (or the demo corpus) and publish a bundle",
  summary:
    "Train an LSTM on a folder of MIDI files and publish a model bundle to <out>/<name>/<version>/. " +
    "Without --data it trains the default preset on Motif's built-in demo corpus with a quick config (a few minutes). " +
    "Ctrl-C saves a checkpoint; --resume continues it with identical history.",
  positionals: [],
  flags,
  examples: [
    "pnpm --filter trainer train",
    "pnpm --filter trainer train --data ../shared/datasets/final-fantasy --tokenizer notes-chords",
    "pnpm --filter trainer train --data ./midi --epochs 20 --units 256 --layers 2 --seq-len 64",
    "pnpm --filter trainer train --data ../shared/datasets/final-fantasy --preset seed --epochs 40",
    "pnpm --filter trainer train --data ../shared/datasets/final-fantasy --workers 1",
    "pnpm --filter trainer train --resume --name final-fantasy",
  ],
  schema,
};

/**
 * Flags that only the interrupted run's saved settings may decide (--epochs and --patience may
 * change: train longer; --workers too: it never changes the arithmetic).
 */
export const RESUME_FIXED_FLAGS = ["data", "preset", "tokenizer", "batch", "seqLen", "stride", "units", "layers", "cell", "embeddingInit", "lr", "val", "split", "augment", "keys", "seed", "shards"] as const satisfies readonly (keyof TrainOptions)[];

export function resolvedPreset(options: TrainOptions): "seed" | "parent" | "default" {
  return options.preset ?? "default";
}

export function resolvedTokenizer(options: TrainOptions): "notes-chords" | "timed" {
  return options.tokenizer ?? (options.preset === "seed" || options.preset === "parent" ? "notes-chords" : "timed");
}
