// `bench:memory`: what holding a collection for training costs. Ingests a MIDI folder (its files
// repeated --copies times under distinct names, to stand in for a larger collection) and prepares
// the dataset `train` would train on, once the in-memory way (every song's notes and token strings
// kept, data/legacy-dataset.ts) and once the compact way (token ids only, files read again for
// their notes), each in its own process. Reports per way the seconds, the peak RSS, the peak heap
// seen while reading, and the memory still held once the dataset is ready (what lives through
// training). A benchmark, not a test:
//   pnpm --filter trainer bench:memory --data ../shared/datasets/mutopia-keyboard/midi --copies 23
// Flags: --way in-memory|compact|both, --keys song|none, --augment RANGE (--augment=-5..6),
// --tempo-stretch X, --tokenizer timed|notes-chords, --heap MB (0: node's default limit).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import {
  TOKENIZER_KINDS,
  augmentationDraws,
  getTokenizer,
  presetConfigs,
  type Tokenizer,
  type TrainingConfig,
} from "@motif/core";
import {
  ingest,
  ingestForTraining,
  prepareDataset,
  type PreparedDataset,
  type RereadableSource,
} from "../data/dataset.js";
import { resolveUserPath } from "../env.js";
import { transpositionFlag } from "../cli/flag-values.js";
import { findMidiFiles } from "../data/midi-files.js";
import { prepareDatasetInMemory } from "../data/legacy-dataset.js";

const WAYS = ["in-memory", "compact"] as const;
type Way = (typeof WAYS)[number];

const optionsSchema = z.object({
  data: z.string().min(1, "--data DIR is required"),
  copies: z.coerce.number().int().min(1).default(1),
  way: z.enum([...WAYS, "both"]).default("both"),
  keys: z.enum(["song", "none"]).default("song"),
  augment: transpositionFlag.optional(),
  "tempo-stretch": z.coerce.number().min(0).max(0.5).default(0),
  tokenizer: z.enum(TOKENIZER_KINDS).default("timed"),
  /** Old-space limit of each run in MB; 0 = node's own default (does today's way fit in it?). */
  heap: z.coerce.number().int().min(0).default(16384),
  child: z.enum(WAYS).optional(),
});
type Options = z.infer<typeof optionsSchema>;

export interface MemoryFigures {
  way: Way;
  files: number;
  songs: number;
  skipped: number;
  tokens: number;
  /** Notes read (in-memory way only: the compact way never holds them all). */
  notes: number | null;
  vocabulary: number;
  ingestSeconds: number;
  prepareSeconds: number;
  /** One epoch's drawn copies (random augmentation only): the compact way reads every training file again for them. */
  epochCopiesSeconds: number | null;
  peakRssMB: number;
  /** Largest heap + array buffers seen between files while reading. */
  peakHeapMB: number;
  /** Heap + array buffers after a full GC with the dataset ready, less the same before reading: what training carries along. */
  heldMB: number;
}

const MB = 1024 * 1024;
const usedMB = () => {
  const memory = process.memoryUsage();
  return (memory.heapUsed + memory.arrayBuffers) / MB;
};

/** The folder's files, `copies` times over under distinct names; every read notes the heap. */
async function sources(dir: string, copies: number, onRead: () => void): Promise<RereadableSource[]> {
  const files = await findMidiFiles(dir);
  return Array.from({ length: copies }, (_, copy) =>
    files.map((file) => ({
      name: copies === 1 ? file.relativePath : `copy-${copy + 1}/${file.relativePath}`,
      read: async () => (onRead(), new Uint8Array(await readFile(file.absolutePath))),
      readSync: () => new Uint8Array(readFileSync(file.absolutePath)),
    })),
  ).flat();
}

function trainingOf(options: Options): TrainingConfig {
  return presetConfigs("default", 2, {
    keyNormalization: options.keys,
    augment: options.augment ?? [],
    augmentMode: "random",
    tempoStretch: options["tempo-stretch"],
    validationShare: 0.1,
    seed: 1,
  }).training;
}

interface Loaded {
  prepared: PreparedDataset;
  /** What train kept besides the prepared dataset. */
  held: unknown;
  counts: { songs: number; skipped: number; notes: number | null };
  ingestSeconds: number;
}

/** Today's way before the compact ingest: train kept every song's notes and tokens to the end, for the bundle's evaluation. */
async function inMemory(
  list: readonly RereadableSource[],
  tokenizer: Tokenizer,
  training: TrainingConfig,
): Promise<Loaded> {
  const started = performance.now();
  const ingested = await ingest(list, tokenizer);
  const ingestSeconds = (performance.now() - started) / 1000;
  const prepared = prepareDatasetInMemory(ingested.songs, tokenizer, training);
  const notes = ingested.songs.reduce((sum, song) => sum + song.notes.length, 0);
  return {
    prepared,
    held: ingested,
    counts: { songs: ingested.songs.length, skipped: ingested.skipped.length, notes },
    ingestSeconds,
  };
}

/** As train.ts's loadDataset: the ingest's ids go out of scope with this frame. */
async function compact(
  list: readonly RereadableSource[],
  tokenizer: Tokenizer,
  training: TrainingConfig,
): Promise<Loaded> {
  const started = performance.now();
  const ingested = await ingestForTraining(list, tokenizer, training.keyNormalization);
  const ingestSeconds = (performance.now() - started) / 1000;
  const prepared = prepareDataset(ingested, tokenizer, training);
  return {
    prepared,
    held: null,
    counts: { songs: ingested.songs.length, skipped: ingested.skipped.length, notes: null },
    ingestSeconds,
  };
}

/** One way, measured in this process (a fresh one per way, so peaks do not mix). */
async function measure(way: Way, options: Options): Promise<MemoryFigures> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --expose-gc");
  gc();
  const baseline = usedMB();
  let peakHeap = baseline;
  const list = await sources(
    resolveUserPath(options.data),
    options.copies,
    () => void (peakHeap = Math.max(peakHeap, usedMB())),
  );
  const tokenizer = getTokenizer(options.tokenizer);
  const training = trainingOf(options);
  const started = performance.now();
  const loaded =
    way === "in-memory"
      ? await inMemory(list, tokenizer, training)
      : await compact(list, tokenizer, training);
  const { prepared, counts, ingestSeconds } = loaded;
  const prepareSeconds = (performance.now() - started) / 1000 - ingestSeconds;
  peakHeap = Math.max(peakHeap, usedMB());
  gc();
  // Array buffers are freed by a background sweeper after the GC: give it a moment.
  await new Promise((resolve) => setTimeout(resolve, 500));
  gc();
  const heldMB = usedMB() - baseline;
  let epochCopiesSeconds: number | null = null;
  if (prepared.augmentSong) {
    const copyStarted = performance.now();
    augmentationDraws(training, 1, prepared.train.length).forEach(
      (draw, song) => (draw.shift === 0 && draw.stretch === 1) || prepared.augmentSong?.(song, draw),
    );
    epochCopiesSeconds = (performance.now() - copyStarted) / 1000;
  }
  void loaded.held;
  return {
    way,
    files: list.length,
    ...counts,
    tokens: prepared.files.reduce((sum, file) => sum + file.tokens, 0),
    vocabulary: prepared.vocabulary.size,
    ingestSeconds: round(ingestSeconds),
    prepareSeconds: round(prepareSeconds),
    epochCopiesSeconds: epochCopiesSeconds === null ? null : round(epochCopiesSeconds),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    peakHeapMB: Math.round(peakHeap),
    heldMB: Math.round(heldMB),
  };
}

const round = (x: number) => Number(x.toFixed(2));

/** Runs `way` in a child node (same loader flags, a GC to call, `heap` MB of old space unless 0). */
function runChild(way: Way, argv: string[], heap: number): Promise<MemoryFigures> {
  const args = [
    ...process.execArgv,
    "--expose-gc",
    ...(heap > 0 ? [`--max-old-space-size=${heap}`] : []),
    fileURLToPath(import.meta.url),
    ...argv,
    "--child",
    way,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").at(-1) ?? "") as MemoryFigures)
        : reject(new Error(`the ${way} run failed (exit ${code ?? signal}; out of heap?)`)),
    );
  });
}

function table(rows: readonly MemoryFigures[]): string {
  const columns: [string, (row: MemoryFigures) => string][] = [
    ["way", (r) => r.way],
    ["files", (r) => String(r.files)],
    ["tokens", (r) => r.tokens.toLocaleString("en-US")],
    ["ingest s", (r) => r.ingestSeconds.toFixed(1)],
    ["prepare s", (r) => r.prepareSeconds.toFixed(1)],
    ["epoch copies s", (r) => (r.epochCopiesSeconds === null ? "-" : r.epochCopiesSeconds.toFixed(1))],
    ["peak RSS MB", (r) => String(r.peakRssMB)],
    ["peak heap MB", (r) => String(r.peakHeapMB)],
    ["held MB", (r) => String(r.heldMB)],
  ];
  const cells = [columns.map(([name]) => name), ...rows.map((row) => columns.map(([, cell]) => cell(row)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] as string).length)));
  return cells.map((line) => line.map((cell, i) => cell.padStart(widths[i] as number)).join("  ")).join("\n");
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: "string" },
      copies: { type: "string" },
      way: { type: "string" },
      keys: { type: "string" },
      augment: { type: "string" },
      "tempo-stretch": { type: "string" },
      tokenizer: { type: "string" },
      heap: { type: "string" },
      child: { type: "string" },
    },
    strict: true,
  });
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(
      `bench:memory: ${parsed.error.issues.map((issue) => `--${issue.path.join(".")}: ${issue.message}`).join("; ")}\n`,
    );
    process.exit(2);
  }
  const options = parsed.data;
  if (options.child !== undefined) {
    process.stdout.write(JSON.stringify(await measure(options.child, options)) + "\n");
    return;
  }
  const ways = options.way === "both" ? WAYS : [options.way];
  const rows: MemoryFigures[] = [];
  for (const way of ways) {
    process.stderr.write(`${way}: ${options.data} x${options.copies} ...\n`);
    try {
      const row = await runChild(way, argv, options.heap);
      process.stdout.write(JSON.stringify(row) + "\n");
      rows.push(row);
    } catch (error) {
      process.stdout.write(JSON.stringify({ way, error: (error as Error).message }) + "\n");
    }
  }
  process.stdout.write(table(rows) + "\n");
}

await main(process.argv.slice(2));
