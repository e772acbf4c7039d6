// A tiny real model bundle for tests: a hand-made piece, the timed tokenizer, a 1-layer LSTM of
// 16 units, one short training epoch, packed by core and written as a published folder.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  buildBundleEvaluation,
  createModel,
  getTokenizer,
  normalizeKey,
  packBundle,
  presetConfigs,
  readManifest,
  sha256Hex,
  splitSongs,
  trainModel,
  Vocabulary,
  type NamedNotes,
  type ModelConfig,
  type TrainingConfig,
} from "@motif/core";
import { writeMidi, type QuarterNote } from "@motif/midi";

/** A little C-major tune with chords, repeated: enough tokens for a few training windows. */
export function tinyTuneNotes(bars = 8): QuarterNote[] {
  const melody = [60, 62, 64, 65, 67, 65, 64, 62, 64, 67, 72, 71, 69, 67, 65, 64];
  const notes: QuarterNote[] = [];
  for (let bar = 0; bar < bars; bar += 1) {
    for (let beat = 0; beat < 4; beat += 1) {
      const q = bar * 4 + beat;
      notes.push({
        pitch: melody[(bar * 4 + beat) % melody.length]!,
        velocity: 70 + ((q * 7) % 40),
        startQuarter: q,
        endQuarter: q + 0.9,
      });
    }
    const root = [48, 53, 55, 48][bar % 4]!;
    for (const offset of [0, 4, 7])
      notes.push({ pitch: root + offset, velocity: 60, startQuarter: bar * 4, endQuarter: bar * 4 + 3.5 });
  }
  return notes;
}

/** A walk over the C major scale unlike the tiny tune: the human baseline's held-out song. */
export function scaleWalkNotes(count = 48): QuarterNote[] {
  const major = [0, 2, 4, 5, 7, 9, 11];
  return Array.from({ length: count }, (_, i) => ({
    pitch: 60 + major[(i * 3 + ((i * i) % 5)) % 7]!,
    velocity: 72,
    startQuarter: i / 2,
    endQuarter: i / 2 + 0.45,
  }));
}

/** Broken chords in eighths drifting up a semitone every 8 beats: a second training song unlike both. */
export function brokenChordNotes(count = 64): QuarterNote[] {
  return Array.from({ length: count }, (_, i) => ({
    pitch: [48, 55, 52, 60, 53, 57, 50, 59][i % 8]! + (i >> 4),
    velocity: 64,
    startQuarter: i / 2,
    endQuarter: i / 2 + 0.5,
  }));
}

interface TinyEvaluationOptions {
  /** More songs for the reference beside the tiny tune (e.g. a second song, so the OA exists). */
  extraReference?: NamedNotes[];
}

/**
 * Writes evaluation.json + reference-notes.bin.gz into a bundle folder, as the trainer publishes
 * them: the reference is the tiny tune as the model saw it (plus `extraReference`), the human
 * baseline a scale walk, the evaluated pieces a copy of the tune's bars 3–6 and a one-note piece.
 */
export async function writeTinyEvaluation(dir: string, options: TinyEvaluationOptions = {}) {
  const manifest = readManifest({ "bundle.json": new Uint8Array(await readFile(join(dir, "bundle.json"))) });
  const seen =
    manifest.training.keyNormalization === "song" ? normalizeKey(tinyTuneNotes()).notes : tinyTuneNotes();
  const train = [{ name: "tiny-tune.mid", notes: seen }, ...(options.extraReference ?? [])];
  const copied = seen
    .filter((n) => n.startQuarter >= 8 && n.startQuarter < 24)
    .map((n) => ({ ...n, startQuarter: n.startQuarter - 8, endQuarter: n.endQuarter - 8 }));
  const oneNote = Array.from({ length: 12 }, (_, i) => ({
    pitch: 60,
    velocity: 80,
    startQuarter: i,
    endQuarter: i + 1,
  }));
  const { evaluation, files } = await buildBundleEvaluation({
    contentHash: manifest.contentHash,
    recipe: { pieces: 2, length: 100, temperature: 1, topK: null, topP: 0.95, guard: true },
    pieces: [
      { name: "piece-1.mid", notes: copied },
      { name: "piece-2.mid", notes: oneNote },
    ],
    train,
    validation: [{ name: "held-out.mid", notes: scaleWalkNotes() }],
    createdAt: new Date().toISOString(),
  });
  for (const [file, bytes] of Object.entries(files)) await writeFile(join(dir, file), bytes);
  return evaluation;
}

/** `keyNormalization` defaults to the default preset's ("song": songs moved to C major / A minor, as the trainer does). */
export async function writeTinyBundle(
  modelsDir: string,
  options: {
    name?: string;
    version?: string;
    epochs?: number;
    keyNormalization?: NonNullable<TrainingConfig["keyNormalization"]>;
    evaluation?: TinyEvaluationOptions;
    /** Recorded as the bundle a fine-tuning run started from (the weights stay the tiny model's own). */
    initFrom?: TrainingConfig["initFrom"];
    /** The model's key memory; undefined = none (as every preset). */
    keyMemory?: ModelConfig["keyMemory"];
  } = {},
) {
  const name = options.name ?? "tiny";
  const version = options.version ?? "v1";
  const tokenizer = getTokenizer("timed");
  const tuneBytes = writeMidi({ notes: tinyTuneNotes(), title: "tiny tune" });
  const keyNormalization =
    options.keyNormalization ?? presetConfigs("default", 2).training.keyNormalization ?? "none";
  const tokens = tokenizer.encode(
    keyNormalization === "song" ? normalizeKey(tinyTuneNotes()).notes : tinyTuneNotes(),
  );
  const vocabulary = Vocabulary.build([tokens]);
  const { model: modelConfig, training } = presetConfigs("default", vocabulary.size, {
    units: [16],
    embeddingDim: 8,
    seqLen: 16,
    keyMemory: options.keyMemory,
    epochs: options.epochs ?? 1,
    batchSize: 8,
    validationShare: 0,
    augment: [],
    keyNormalization,
  });
  const model = createModel(modelConfig, 1);
  const songs = [{ name: "tiny-tune.mid", ids: vocabulary.encode(tokens).ids }];
  const { train, validation } = splitSongs(songs, training);
  const { history } = await trainModel({ model, modelConfig, training, train, validation });
  const files = await packBundle({
    model,
    manifest: {
      name,
      version,
      createdAt: new Date().toISOString(),
      tokenizer: { kind: tokenizer.kind, version: tokenizer.version },
      vocabulary: vocabulary.toJSON(),
      model: modelConfig,
      training: options.initFrom ? { ...training, initFrom: options.initFrom } : training,
      dataset: {
        files: [
          {
            name: "tiny-tune.mid",
            sha256: await sha256Hex(tuneBytes),
            tokens: tokens.length,
            split: "train",
          },
        ],
        skipped: [],
      },
      metrics: history,
      backend: tf.getBackend(),
    },
  });
  model.dispose();
  const dir = join(modelsDir, name, version);
  await mkdir(dir, { recursive: true });
  for (const [file, bytes] of Object.entries(files)) await writeFile(join(dir, file), bytes);
  await writeFile(join(dir, "curves.svg"), lossCurveSvg(history.map((m) => m.loss)));
  if (options.evaluation) await writeTinyEvaluation(dir, options.evaluation);
  return { dir, tuneBytes, vocabulary };
}

/** A plain loss-per-epoch chart standing in for the trainer's curves (the app only serves it). */
function lossCurveSvg(losses: number[]): string {
  const max = Math.max(...losses, 1e-9);
  const points = losses
    .map((loss, i) => `${20 + (i / Math.max(1, losses.length - 1)) * 360},${180 - (loss / max) * 150}`)
    .join(" ");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 200"><rect width="400" height="200" fill="#fff"/><polyline points="${points}" fill="none" stroke="#5b4bdb" stroke-width="3"/><text x="20" y="20" font-size="14" font-family="sans-serif">training loss</text></svg>`;
}
