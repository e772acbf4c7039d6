// Training throughput (supervised tokens/s) of the default architecture with the stock
// tf.layers.lstm vs MotifLSTM, on identical data from an identical initialisation, plus the loss
// of every step so the two curves can be compared.
import * as tf from "@tensorflow/tfjs";
import {
  createModel,
  presetConfigs,
  trainModel,
  type ModelConfig,
  type SongTokens,
  type TrainingConfig,
} from "@motif/core";
import { createGradientPool } from "../runtime/parallel/gradient-worker-pool.js";

export interface TrainShape {
  vocabSize: number;
  seqLen: number;
  batchSize: number;
  embeddingDim: number;
  units: number[];
}

export const TRAIN_SHAPE: TrainShape = {
  vocabSize: 300,
  seqLen: 64,
  batchSize: 64,
  embeddingDim: 64,
  units: [256, 256],
};

export function describeShape(s: TrainShape): string {
  return `emb${s.embeddingDim} ${s.units.length}x${s.units[0]} V${s.vocabSize} seq${s.seqLen} batch${s.batchSize}, loss every step, adam`;
}

interface Batch {
  ids: Float32Array;
  targets: Int32Array;
}

/**
 * Deterministic batches of windows: from the corpus token ids when given (ids folded into the
 * vocabulary size), else from a fixed pseudo-random order-2 sequence.
 */
export function makeBatches(shape: TrainShape, count: number, songs: Int32Array[]): Batch[] {
  const stream =
    songs.length > 0 ? concatStreams(songs, shape.vocabSize) : syntheticStream(shape.vocabSize, 200_000);
  const window = shape.seqLen + 1;
  const batches: Batch[] = [];
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  for (let b = 0; b < count; b++) {
    const ids = new Float32Array(shape.batchSize * shape.seqLen);
    const targets = new Int32Array(shape.batchSize * shape.seqLen);
    for (let row = 0; row < shape.batchSize; row++) {
      const start = next() % (stream.length - window);
      for (let t = 0; t < shape.seqLen; t++) {
        ids[row * shape.seqLen + t] = stream[start + t]!;
        targets[row * shape.seqLen + t] = stream[start + t + 1]!;
      }
    }
    batches.push({ ids, targets });
  }
  return batches;
}

function concatStreams(songs: Int32Array[], vocabSize: number): Int32Array {
  const total = songs.reduce((sum, s) => sum + s.length, 0);
  const out = new Int32Array(total);
  let offset = 0;
  for (const song of songs) {
    for (let i = 0; i < song.length; i++) out[offset + i] = song[i]! % vocabSize;
    offset += song.length;
  }
  return out;
}

function syntheticStream(vocabSize: number, length: number): Int32Array {
  const out = new Int32Array(length);
  let state = 7;
  for (let i = 2; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    // Mostly determined by the two previous tokens, sometimes random: learnable but not trivial.
    out[i] = state % 8 === 0 ? state % vocabSize : (out[i - 1]! * 31 + out[i - 2]! * 7 + 3) % vocabSize;
  }
  return out;
}

function modelConfigFor(shape: TrainShape, cell: "stock" | "fast"): ModelConfig {
  return presetConfigs("default", shape.vocabSize, {
    seqLen: shape.seqLen,
    embeddingDim: shape.embeddingDim,
    units: shape.units,
    dropout: 0,
    cell,
  }).model;
}

export interface TrainRun {
  losses: number[];
  /** Mean wall seconds per step, excluding the first (warm-up) step. */
  secondsPerStep: number;
  tokensPerSecond: number;
  /**
   * Tokens per second of this process's CPU time (user + system) over the same steps: steadier
   * than wall time when other processes share the cores.
   */
  tokensPerCpuSecond: number;
}

/** Trains a fresh model (seed 1) for `batches.length` steps; the first step is warm-up. */
export function trainRun(
  shape: TrainShape,
  cell: "stock" | "fast",
  batches: Batch[],
  onStep?: (step: number, loss: number) => void,
): TrainRun {
  const model = createModel(modelConfigFor(shape, cell), 1);
  const optimizer = tf.train.adam(1e-3);
  const losses: number[] = [];
  let timedSeconds = 0;
  let timedCpuSeconds = 0;
  batches.forEach((batch, step) => {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const loss = tf.tidy(() => {
      const x = tf.tensor2d(batch.ids, [shape.batchSize, shape.seqLen]);
      const labels = tf.oneHot(tf.tensor1d(batch.targets, "int32"), shape.vocabSize);
      const cost = optimizer.minimize(() => {
        const logits = model.apply(x, { training: true }) as tf.Tensor;
        return tf.losses.softmaxCrossEntropy(labels, tf.reshape(logits, [-1, shape.vocabSize])) as tf.Scalar;
      }, true);
      return cost!.dataSync()[0]!;
    });
    if (step > 0) {
      timedSeconds += (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpuStart);
      timedCpuSeconds += (cpu.user + cpu.system) / 1e6;
    }
    losses.push(loss);
    onStep?.(step, loss);
  });
  optimizer.dispose();
  model.dispose();
  const timedSteps = Math.max(1, batches.length - 1);
  const secondsPerStep = timedSeconds / timedSteps;
  const tokens = shape.batchSize * shape.seqLen;
  return {
    losses,
    secondsPerStep,
    tokensPerSecond: tokens / secondsPerStep,
    tokensPerCpuSecond: (tokens * timedSteps) / timedCpuSeconds,
  };
}

/**
 * One song per window (seqLen ids + the token after): with stride seqLen each song yields exactly
 * that window, so trainModel trains on the same windows as the batches (in its own seeded order).
 */
function windowSongs(shape: TrainShape, batches: Batch[]): SongTokens[] {
  const songs: SongTokens[] = [];
  batches.forEach((batch, b) => {
    for (let row = 0; row < shape.batchSize; row++) {
      const ids = new Int32Array(shape.seqLen + 1);
      for (let t = 0; t < shape.seqLen; t++) ids[t] = batch.ids[row * shape.seqLen + t]!;
      ids[shape.seqLen] = batch.targets[row * shape.seqLen + shape.seqLen - 1]!;
      songs.push({ name: `batch${b}-row${row}`, ids });
    }
  });
  return songs;
}

/**
 * Trains with core's trainModel exactly as `train` does (sharded gradients, clipping, Adam;
 * `threads` - 1 worker threads from the same pool `train --workers` starts), one epoch over the
 * windows of `batches`, no validation. The first step is warm-up; the pool's start-up is not timed.
 */
export async function trainModelRun(
  shape: TrainShape,
  batches: Batch[],
  options: { shards: number; threads: number },
  onStep?: (step: number, loss: number) => void,
): Promise<TrainRun> {
  const modelConfig = modelConfigFor(shape, "fast");
  const training: TrainingConfig = {
    ...presetConfigs("default", shape.vocabSize).training,
    epochs: 1,
    batchSize: shape.batchSize,
    learningRate: 1e-3,
    lrSchedule: "constant",
    patience: null,
    validationShare: 0,
    augment: [],
    stride: shape.seqLen,
    gradientShards: options.shards,
  };
  const model = createModel(modelConfig, 1);
  const workers =
    options.threads > 1
      ? await createGradientPool({ workers: options.threads - 1, backend: tf.getBackend(), modelConfig })
      : null;
  const losses: number[] = [];
  let timedFrom: { wall: number; cpu: NodeJS.CpuUsage } | null = null;
  let timedSeconds = 0;
  let timedCpuSeconds = 0;
  try {
    await trainModel({
      model,
      modelConfig,
      training,
      train: windowSongs(shape, batches),
      validation: [],
      ...(workers ? { workers } : {}),
      callbacks: {
        onBatch: ({ loss }) => {
          // Timed from the end of the warm-up step to the end of the last step.
          if (timedFrom) {
            timedSeconds = (performance.now() - timedFrom.wall) / 1000;
            const cpu = process.cpuUsage(timedFrom.cpu);
            timedCpuSeconds = (cpu.user + cpu.system) / 1e6;
          } else timedFrom = { wall: performance.now(), cpu: process.cpuUsage() };
          onStep?.(losses.length, loss);
          losses.push(loss);
        },
      },
    });
  } finally {
    await workers?.dispose();
    model.dispose();
  }
  const timedSteps = Math.max(1, batches.length - 1);
  const tokens = shape.batchSize * shape.seqLen;
  return {
    losses,
    secondsPerStep: timedSeconds / timedSteps,
    tokensPerSecond: (tokens * timedSteps) / timedSeconds,
    // process.cpuUsage counts every thread of the process, worker threads included.
    tokensPerCpuSecond: (tokens * timedSteps) / timedCpuSeconds,
  };
}
