import type { ModelConfig, TrainingConfig } from "../model/config.js";
import type { OptimizerState } from "./optimizer.js";
import { utf8Decode, utf8Encode } from "../primitives/bytes.js";

export interface EpochMetrics {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  /** e^valLoss; null without validation data. */
  perplexity: number | null;
  tokensPerSecond: number;
  /** Wall time since training started (including earlier runs that were resumed). */
  elapsedSeconds: number;
  /** Learning rate of the epoch's last batch. */
  learningRate: number;
  /**
   * Teacher-forced on validation songs: the share of the note-token probability on the song's
   * scale (see evaluation/tonality.ts). Absent in bundles made before it was measured; null when not measured.
   */
  valInKeyMass?: number | null;
  /** Validation positions whose true token is a note: how often the most likely note is the true one. */
  valNoteAccuracy?: number | null;
}

/**
 * One validation: at the end of an epoch (`epoch`), every `validateEvery` steps inside one
 * (`step`), or where a time budget stopped training (`stop`). Apps write one per line (metrics.jsonl).
 */
export interface ValidationPoint {
  at: "epoch" | "step" | "stop";
  /** The epoch it falls in (1-based; the epoch just finished for `at: "epoch"`). */
  epoch: number;
  /** Optimizer steps done since training started, resumed runs included. */
  step: number;
  /** Target tokens trained on so far. */
  tokensSeen: number;
  /** The training clock (resumed runs included), as EpochMetrics.elapsedSeconds. */
  elapsedSeconds: number;
  /** Training loss and accuracy of the epoch so far. */
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  valInKeyMass: number | null;
  valNoteAccuracy: number | null;
  /** Learning rate of the last step. */
  learningRate: number;
}

/**
 * Everything needed to continue training with an identical history: the state at the end of
 * `epoch` (completed epochs). Plain data + Float32Arrays; `serializeCheckpoint` makes bytes.
 */
export interface TrainCheckpoint {
  version: 1;
  epoch: number;
  history: EpochMetrics[];
  modelConfig: ModelConfig;
  training: TrainingConfig;
  /** Shuffling rng state after `epoch`. */
  rngState: number[];
  /** Model weights in `model.weights` order. */
  weights: Float32Array[];
  optimizer: OptimizerState;
  /**
   * Best validation so far on the monitored loss (validation, else training) and its weights;
   * `point` (absent in checkpoints made before it) says where it was measured, inside an epoch with validateEvery.
   */
  best: { epoch: number; loss: number; weights: Float32Array[]; point?: ValidationPoint } | null;
  epochsWithoutImprovement: number;
  stoppedEarly: boolean;
  elapsedSeconds: number;
  /** Target tokens trained on after `epoch`. Absent in checkpoints made before it was counted. */
  tokensSeen?: number;
}

const MAGIC = "MOTIF-CHECKPOINT-1\n";

type Header = Omit<TrainCheckpoint, "weights" | "optimizer" | "best"> & {
  weights: number[];
  optimizer: Omit<OptimizerState, "slots"> & { slots: number[] };
  best: { epoch: number; loss: number; weights: number[]; point?: ValidationPoint } | null;
};

/** Bytes: magic line, 4-byte header length, JSON header, then all float32 arrays back to back. */
export async function serializeCheckpoint(checkpoint: TrainCheckpoint): Promise<Uint8Array> {
  const arrays = [...checkpoint.weights, ...checkpoint.optimizer.slots, ...(checkpoint.best?.weights ?? [])];
  const lengths = (list: Float32Array[]): number[] => list.map((a) => a.length);
  const header: Header = {
    ...checkpoint,
    weights: lengths(checkpoint.weights),
    optimizer: { ...checkpoint.optimizer, slots: lengths(checkpoint.optimizer.slots) },
    best: checkpoint.best && { ...checkpoint.best, weights: lengths(checkpoint.best.weights) },
  };
  const magic = utf8Encode(MAGIC);
  const json = utf8Encode(JSON.stringify(header));
  const headerEnd = magic.length + 4 + json.length;
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  const total = dataStart + arrays.reduce((sum, a) => sum + a.length * 4, 0);
  const bytes = new Uint8Array(total);
  bytes.set(magic, 0);
  new DataView(bytes.buffer).setUint32(magic.length, json.length, true);
  bytes.set(json, magic.length + 4);
  const floats = new Float32Array(bytes.buffer, dataStart);
  let offset = 0;
  for (const array of arrays) {
    floats.set(array, offset);
    offset += array.length;
  }
  return bytes;
}

export function deserializeCheckpoint(bytes: Uint8Array): TrainCheckpoint {
  const magic = utf8Encode(MAGIC);
  if (bytes.length < magic.length + 4 || magic.some((b, i) => bytes[i] !== b))
    throw new Error("not a Motif training checkpoint (bad magic bytes)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(magic.length, true);
  const headerEnd = magic.length + 4 + jsonLength;
  if (headerEnd > bytes.length) throw new Error("truncated Motif checkpoint (header runs past the end)");
  const header = JSON.parse(utf8Decode(bytes.subarray(magic.length + 4, headerEnd))) as Header;
  if (header.version !== 1)
    throw new Error(`unsupported checkpoint version ${String(header.version)} (this Motif reads version 1)`);
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  const data = bytes.slice(dataStart); // copy: aligned and independent of the input buffer
  const floats = new Float32Array(data.buffer, 0, Math.floor(data.length / 4));
  let offset = 0;
  const take = (lengths: number[]): Float32Array[] =>
    lengths.map((length) => {
      if (offset + length > floats.length)
        throw new Error("truncated Motif checkpoint (weights run past the end)");
      const array = floats.slice(offset, offset + length);
      offset += length;
      return array;
    });
  const weights = take(header.weights);
  const slots = take(header.optimizer.slots);
  const best = header.best && { ...header.best, weights: take(header.best.weights) };
  if (offset !== floats.length)
    throw new Error(`corrupt Motif checkpoint: ${floats.length - offset} unexpected trailing values`);
  return { ...header, weights, optimizer: { ...header.optimizer, slots }, best };
}
