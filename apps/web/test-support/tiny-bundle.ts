// A tiny real model bundle for tests: a hand-made piece, the timed tokenizer, a 1-layer LSTM of
// 16 units, one short training epoch, packed by core and written as a published folder.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { createModel, getTokenizer, normalizeKey, packBundle, presetConfigs, sha256Hex, splitSongs, trainModel, Vocabulary, type TrainingConfig } from "@motif/core";
import { writeMidi, type QuarterNote } from "@motif/midi";

/** A little C-major tune with chords, repeated: enough tokens for a few training windows. */
export function tinyTuneNotes(bars = 8): QuarterNote[] {
  const melody = [60, 62, 64, 65, 67, 65, 64, 62, 64, 67, 72, 71, 69, 67, 65, 64];
  const notes: QuarterNote[] = [];
  for (let bar = 0; bar < bars; bar += 1) {
    for (let beat = 0; beat < 4; beat += 1) {
      const q = bar * 4 + beat;
      notes.push({ pitch: melody[(bar * 4 + beat) % melody.length]!, velocity: 70 + ((q * 7) % 40), startQuarter: q, endQuarter: q + 0.9 });
    }
    const root = [48, 53, 55, 48][bar % 4]!;
    for (const offset of [0, 4, 7]) notes.push({ pitch: root + offset, velocity: 60, startQuarter: bar * 4, endQuarter: bar * 4 + 3.5 });
  }
  return notes;
}

/** `keyNormalization` defaults to the default preset's ("song": songs moved to C major / A minor, as the trainer does). */
export async function writeTinyBundle(modelsDir: string, options: { name?: string; version?: string; epochs?: number; keyNormalization?: NonNullable<TrainingConfig["keyNormalization"]> } = {}) {
  const name = options.name ?? "tiny";
  const version = options.version ?? "v1";
  const tokenizer = getTokenizer("timed");
  const tuneBytes = writeMidi({ notes: tinyTuneNotes(), title: "tiny tune" });
  const keyNormalization = options.keyNormalization ?? presetConfigs("default", 2).training.keyNormalization ?? "none";
  const tokens = tokenizer.encode(keyNormalization === "song" ? normalizeKey(tinyTuneNotes()).notes : tinyTuneNotes());
  const vocabulary = Vocabulary.build([tokens]);
  const { model: modelConfig, training } = presetConfigs("default", vocabulary.size, {
    units: [16],
    embeddingDim: 8,
    seqLen: 16,
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
      training,
      dataset: { files: [{ name: "tiny-tune.mid", sha256: await sha256Hex(tuneBytes), tokens: tokens.length, split: "train" }], skipped: [] },
      metrics: history,
      backend: tf.getBackend(),
    },
  });
  model.dispose();
  const dir = join(modelsDir, name, version);
  await mkdir(dir, { recursive: true });
  for (const [file, bytes] of Object.entries(files)) await writeFile(join(dir, file), bytes);
  await writeFile(join(dir, "curves.svg"), lossCurveSvg(history.map((m) => m.loss)));
  return { dir, tuneBytes, vocabulary };
}

/** A plain loss-per-epoch chart standing in for the trainer's curves (the app only serves it). */
function lossCurveSvg(losses: number[]): string {
  const max = Math.max(...losses, 1e-9);
  const points = losses.map((loss, i) => `${20 + (i / Math.max(1, losses.length - 1)) * 360},${180 - (loss / max) * 150}`).join(" ");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 200"><rect width="400" height="200" fill="#fff"/><polyline points="${points}" fill="none" stroke="#5b4bdb" stroke-width="3"/><text x="20" y="20" font-size="14" font-family="sans-serif">training loss</text></svg>`;
}
