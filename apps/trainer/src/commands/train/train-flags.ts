// `train` flags: parsed and validated here (no tfjs import, so --help stays fast).
import { PRESET_NAMES, TOKENIZER_KINDS, presetOf, type Preset, type TokenizerKind } from "@motif/core";
import { z } from "zod";
import { BACKEND_CHOICES, type BackendChoice } from "../../runtime/backend-choice.js";
import type { CommandSpec } from "../../cli/command-args.js";
import { integerFlag, numberFlag, seedFlag, transpositionFlag } from "../../cli/flag-values.js";

const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

/** "90s", "30m", "1h", "1h30m", "2.5h" → seconds, or a message saying what was expected. */
export function parseDuration(text: string): number | string {
  const match = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text.trim());
  if (!match || text.trim() === "") return `expected a duration like 90s, 30m, 1h or 1h30m; got "${text}"`;
  const [hours, minutes, seconds] = [match[1], match[2], match[3]].map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
  ];
  const total = hours * 3600 + minutes * 60 + seconds;
  return total > 0 ? total : "the duration must be longer than 0";
}

/** A --time-budget value: a duration string → seconds. */
export const durationFlag = z.string().transform((text, ctx) => {
  const seconds = parseDuration(text);
  if (typeof seconds === "string") {
    ctx.addIssue({ code: "custom", message: seconds });
    return z.NEVER;
  }
  return seconds;
});

export interface TrainOptions {
  /** null = the built-in demo corpus. */
  data: string | null;
  /** undefined = "default" (see resolvedPreset); `--preset seed` (the old name) arrives as notebook. */
  preset: Preset | undefined;
  /** undefined = timed, or notes-chords for the notebook/parent presets (see resolvedTokenizer). */
  tokenizer: TokenizerKind | undefined;
  epochs: number | undefined;
  batch: number | undefined;
  seqLen: number | undefined;
  stride: number | undefined;
  units: number | undefined;
  layers: number | undefined;
  cell: "stock" | "fast" | undefined;
  embeddingInit: "uniform" | "normal" | undefined;
  dropout: number | undefined;
  /** The model's key memory (core sampling/key-memory.ts): strength (0 = off) and half-life in notes (null = never fades); undefined = the preset's. */
  keyMemory: number | undefined;
  keyMemoryHalfLife: number | null | undefined;
  lr: number | undefined;
  val: number | undefined;
  split: "songs" | "random-windows" | undefined;
  /** Semitone shifts; undefined = the default for the tokenizer. */
  augment: number[] | undefined;
  /** `random`: one drawn transposition per song per epoch; `all`: every one; undefined = random (all with random-windows). */
  augmentMode: "random" | "all" | undefined;
  /** Timed tokens: a tempo factor in [1 - x, 1 + x] drawn per song per epoch; undefined = off. */
  tempoStretch: number | undefined;
  /** Seconds of training after which the run stops (at the end of that step) and publishes its best. */
  timeBudget: number | undefined;
  /** Also validate every N optimizer steps. */
  valEvery: number | undefined;
  /** true: each batch row walks one song's chunks, carrying the LSTM state from chunk to chunk; undefined = off. */
  carryState: true | undefined;
  /** A bundle folder or model name whose weights training starts from (fine-tuning); undefined = a fresh model. */
  initFrom: string | undefined;
  /** Print one JSON summary object on stdout at the end. */
  json: boolean;
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
  data: {
    type: "string",
    value: "DIR",
    description:
      "Folder of MIDI files to train on (searched recursively; broken files are listed and skipped).",
    defaultText: "the built-in demo corpus, with a quick config",
  },
  preset: {
    type: "string",
    value: "NAME",
    description:
      "Architecture: default (Motif: embedding, many-to-many LSTM), notebook (the seed notebook exactly; seed, its old name, still works), parent (LSTM 512x3).",
    defaultText: "default",
  },
  tokenizer: {
    type: "string",
    value: "KIND",
    description: "Token language: timed (onsets, durations, rests, velocity) or notes-chords (the seed's).",
    defaultText: "timed; notes-chords for --preset notebook/parent",
  },
  epochs: {
    type: "string",
    value: "N",
    description: "Number of epochs.",
    defaultText:
      "preset's; 16 on the demo corpus; 14 on a small corpus (timed, keys normalised, < 500,000 tokens)",
  },
  batch: {
    type: "string",
    value: "N",
    description: "Batch size (windows per step).",
    defaultText:
      "preset's; 16 for the default preset on notes-chords; 8 (with 128-token windows) on a small corpus",
  },
  "seq-len": {
    type: "string",
    value: "N",
    description: "Window / training-chunk length in tokens.",
    defaultText:
      "preset's; 32 on the demo corpus and for the default preset on notes-chords; 128 on a small corpus",
  },
  stride: {
    type: "string",
    value: "N",
    description:
      "Tokens between the starts of consecutive training windows (smaller = more, overlapping windows per epoch; useful on small corpora).",
    defaultText: "seq-len for default (contiguous chunks), 1 for notebook/parent",
  },
  units: {
    type: "string",
    value: "N",
    description: "LSTM units per layer.",
    defaultText: "preset's; 128 on the demo corpus",
  },
  layers: {
    type: "string",
    value: "N",
    description: "Number of stacked LSTM layers.",
    defaultText: "preset's",
  },
  dropout: {
    type: "string",
    value: "X",
    description: "Dropout rate before each LSTM layer (0 = none).",
    defaultText: "preset's",
  },
  "key-memory": {
    type: "string",
    value: "S|off",
    description:
      "Key memory: the piece's own pitch classes so far, raised to S, bias the model's next note (BENCHMARKS.md, \"Key memory\"); off = the network alone.",
    defaultText: "off",
  },
  "key-memory-half-life": {
    type: "string",
    value: "N|off",
    description: "Notes after which a note counts half in the key memory; off = never fades.",
    defaultText: "16 (with --key-memory)",
  },
  "embedding-init": {
    type: "string",
    value: "KIND",
    description:
      "Initial token embeddings: normal (N(0,1), the LSTM tells tokens apart from the first step) or uniform (Keras' ±0.05).",
    defaultText: "preset's",
  },
  cell: {
    type: "string",
    value: "KIND",
    description:
      "LSTM implementation: fast (Motif's own layer, same weights as tf.layers.lstm, much faster on wasm/cpu) or stock (tf.layers.lstm).",
    defaultText: "fast (every preset)",
  },
  lr: { type: "string", value: "X", description: "Learning rate.", defaultText: "preset's" },
  val: {
    type: "string",
    value: "SHARE",
    description: "Validation share, 0 to 0.9 (whole songs with --split songs).",
    defaultText: "0.1 (notebook preset: 0.6)",
  },
  split: {
    type: "string",
    value: "MODE",
    description:
      "songs: validation made of whole songs (no window shared with training); random-windows: the seed's random window split.",
    defaultText: "songs (notebook preset: random-windows)",
  },
  keys: {
    type: "string",
    value: "MODE",
    description:
      "song: move every song to C major / A minor by its estimated key (Krumhansl-Schmuckler) before tokenizing, so the model learns one scale; generation then moves pieces to the key asked for. none: keep the keys as written.",
    defaultText: "song for the default preset on timed tokens; none for notebook/parent and for notes-chords",
  },
  augment: {
    type: "string",
    value: "RANGE",
    description:
      'Transpose training songs by these semitones: "-5..6", "-2,2,5" or "none" (after --keys song has moved them to C major / A minor). Validation songs are never transposed.',
    defaultText:
      "none with --keys song (-12,12 on a small corpus: timed, < 500,000 tokens); -5..6 for the default preset with --keys none (-3..3 on the demo corpus); none for notebook/parent",
  },
  "augment-mode": {
    type: "string",
    value: "MODE",
    description:
      "random: every epoch each training song is played at one transposition drawn from the range (the original included), seeded by --seed and the epoch, so an epoch is one pass over the music; all: every transposition every epoch (an epoch is one pass per transposition).",
    defaultText: "random (all with --split random-windows); a resumed run keeps its own",
  },
  "tempo-stretch": {
    type: "string",
    value: "X",
    description:
      "Timed tokens: every epoch each training song is also played faster or slower by a factor drawn from [1-X, 1+X], e.g. 0.05 for ±5%. Needs --augment-mode random; 0 = off.",
    defaultText: "0",
  },
  "time-budget": {
    type: "string",
    value: "TIME",
    description:
      "Stop at the end of the step that reaches this much training time (90s, 30m, 1h, 1h30m; resumed runs count their earlier time), validate there if that step did not, and publish the best validation so far.",
  },
  "val-every": {
    type: "string",
    value: "N",
    description:
      "Also validate every N optimizer steps, not only at the end of each epoch (for long epochs); a better validation keeps its weights. Every validation is a line of metrics.jsonl.",
    defaultText: "end of each epoch only",
  },
  "carry-state": {
    type: "boolean",
    description:
      "Truncated back-propagation through time: each batch row walks one song's consecutive chunks and starts each from the LSTM states the previous chunk ended with (no gradient across chunks; zeros at a song's start), so the model learns the states it meets deep into a piece. Needs the default preset's every-step target, contiguous chunks (--stride = --seq-len), --split songs and --cell fast. Validation walks the validation songs the same way (in order, forward only).",
    defaultText: "off",
  },
  "init-from": {
    type: "string",
    value: "MODEL",
    description:
      "Fine-tune: start from this bundle's weights (a bundle folder, a model name under the models root, or a built-in model such as mutopia-piano) instead of a fresh model. Its architecture is used (--units/--layers/--cell must agree), its tokens stay in the vocabulary, tokens only your music has start fresh; its tokenizer and key handling must be this run's.",
    defaultText: "a fresh model",
  },
  json: {
    type: "boolean",
    description:
      "Print one JSON object on stdout at the end: bundle folder, name, version, best validation, epochs, wall time, tokens/s and why training stopped.",
  },
  patience: {
    type: "string",
    value: "N",
    description: "Stop after N epochs without a better validation loss; 0 = never stop early.",
    defaultText: "preset's",
  },
  seed: {
    type: "string",
    value: "N",
    description: "Random seed for initialisation, split and shuffling.",
    defaultText: "1",
  },
  name: {
    type: "string",
    value: "NAME",
    description: "Model name: bundles go to <out>/<name>/<version>/.",
    defaultText: "demo, or the data folder's name",
  },
  out: {
    type: "string",
    value: "DIR",
    description: "Models root folder.",
    defaultText: "$MOTIF_MODELS_DIR or <repo>/models",
  },
  backend: {
    type: "string",
    value: "KIND",
    description: "auto (tfjs-node, else wasm, else cpu), node, wasm or cpu.",
    defaultText: "$MOTIF_BACKEND or auto",
  },
  shards: {
    type: "string",
    value: "N",
    description:
      "Cut every batch into N row slices whose gradients are summed in a fixed order: the result is the same on any number of threads. At most the batch size; fixed for a run.",
    defaultText: "2",
  },
  workers: {
    type: "string",
    value: "N",
    description:
      "Threads computing the gradient shards (worker threads + the main thread); 1 = the main thread only. Never changes what is learned, only the speed.",
    defaultText: "min(CPU cores, shards)",
  },
  resume: {
    type: "boolean",
    description:
      "Continue the interrupted run saved in <out>/<name>/.checkpoint/ with its saved settings (only --epochs, --patience, --time-budget and --workers may change).",
  },
} as const satisfies CommandSpec<unknown>["flags"];

const schema = z
  .object({
    positionals: z.array(z.string()).max(0),
    data: z.string().min(1).optional(),
    // An old name (seed) is read as the preset it was renamed to (notebook).
    preset: z.enum(PRESET_NAMES).transform(presetOf).optional(),
    tokenizer: z.enum(TOKENIZER_KINDS).optional(),
    epochs: integerFlag(1, 10_000).optional(),
    batch: integerFlag(1, 4096).optional(),
    "seq-len": integerFlag(2, 1024).optional(),
    stride: integerFlag(1, 1024).optional(),
    units: integerFlag(1, 2048).optional(),
    layers: integerFlag(1, 8).optional(),
    cell: z.enum(["stock", "fast"]).optional(),
    "embedding-init": z.enum(["uniform", "normal"]).optional(),
    dropout: numberFlag(0, 0.9).optional(),
    "key-memory": z.union([z.literal("off"), numberFlag(0, 4)]).optional(),
    "key-memory-half-life": z.union([z.literal("off"), numberFlag(1, 1e9)]).optional(),
    lr: numberFlag(0, 1, { exclusiveMin: true }).optional(),
    val: numberFlag(0, 0.9).optional(),
    split: z.enum(["songs", "random-windows"]).optional(),
    augment: transpositionFlag.optional(),
    "augment-mode": z.enum(["random", "all"]).optional(),
    "tempo-stretch": numberFlag(0, 0.5).optional(),
    "time-budget": durationFlag.optional(),
    "val-every": integerFlag(1, 100_000_000).optional(),
    "carry-state": z.boolean().optional(),
    "init-from": z.string().min(1).optional(),
    json: z.boolean().optional(),
    keys: z.enum(["song", "none"]).optional(),
    patience: integerFlag(0, 10_000).optional(),
    seed: seedFlag.optional(),
    name: z
      .string()
      .regex(MODEL_NAME, "use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit)")
      .optional(),
    out: z.string().min(1).optional(),
    backend: z.enum(BACKEND_CHOICES).optional(),
    shards: integerFlag(1, 64).optional(),
    workers: integerFlag(1, 64).optional(),
    resume: z.boolean().optional(),
  })
  .transform((raw): TrainOptions => ({
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
    keyMemory: raw["key-memory"] === "off" ? 0 : raw["key-memory"],
    keyMemoryHalfLife: raw["key-memory-half-life"] === "off" ? null : raw["key-memory-half-life"],
    dropout: raw.dropout,
    lr: raw.lr,
    val: raw.val,
    split: raw.split,
    augment: raw.augment,
    augmentMode: raw["augment-mode"],
    tempoStretch: raw["tempo-stretch"],
    timeBudget: raw["time-budget"],
    valEvery: raw["val-every"],
    carryState: raw["carry-state"] === true ? true : undefined,
    initFrom: raw["init-from"],
    json: raw.json ?? false,
    keys: raw.keys,
    patience: raw.patience,
    seed: raw.seed,
    name: raw.name,
    out: raw.out,
    backend: raw.backend,
    workers: raw.workers,
    shards: raw.shards,
    resume: raw.resume ?? false,
  }));

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
    "pnpm --filter trainer train --data ../shared/datasets/final-fantasy --preset notebook --epochs 40",
    "pnpm --filter trainer train --data ../shared/datasets/final-fantasy --workers 1",
    "pnpm --filter trainer train --data ./midi --keys none --augment=-5..6 --tempo-stretch 0.05 --time-budget 30m --val-every 500 --json",
    "pnpm --filter trainer train --data ./midi --carry-state --time-budget 20m",
    "pnpm --filter trainer train --data ./midi --init-from mutopia-piano",
    "pnpm --filter trainer train --resume --name final-fantasy",
  ],
  schema,
};

/**
 * Flags that only the interrupted run's saved settings may decide (--epochs, --patience and
 * --time-budget may change: train longer; --workers too: it never changes the arithmetic).
 */
export const RESUME_FIXED_FLAGS = [
  "data",
  "preset",
  "tokenizer",
  "batch",
  "seqLen",
  "stride",
  "units",
  "layers",
  "cell",
  "embeddingInit",
  "dropout",
  "keyMemory",
  "keyMemoryHalfLife",
  "lr",
  "val",
  "split",
  "augment",
  "augmentMode",
  "tempoStretch",
  "valEvery",
  "carryState",
  "initFrom",
  "keys",
  "seed",
  "shards",
] as const satisfies readonly (keyof TrainOptions)[];

export function resolvedPreset(options: TrainOptions): Preset {
  return options.preset ?? "default";
}

export function resolvedTokenizer(options: TrainOptions): TokenizerKind {
  return (
    options.tokenizer ??
    (options.preset === "notebook" || options.preset === "parent" ? "notes-chords" : "timed")
  );
}
