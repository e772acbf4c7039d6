import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createModel,
  presetConfigs,
  splitSongs,
  trainModel,
  type GradientWorkers,
  type SongTokens,
} from "@motif/core";
import { createGradientPool } from "./gradient-worker-pool.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const { model: modelConfig, training } = presetConfigs("default", 20, {
  units: [16, 16],
  seqLen: 8,
  embeddingDim: 8,
  batchSize: 8,
  epochs: 2,
  learningRate: 1e-2,
  patience: null,
  dropout: 0.2,
  seed: 7,
  gradientShards: 2,
});

/** Songs whose next token follows from the current one (a cycle through the 20 ids). */
const songs: SongTokens[] = Array.from({ length: 6 }, (_, s) => ({
  name: `song-${s}`,
  ids: Int32Array.from({ length: 70 }, (_, i) => (s * 5 + i * 3) % 20),
}));
const { train, validation } = splitSongs(songs, training);

let pool: GradientWorkers | null = null;
afterEach(async () => {
  await pool?.dispose();
  pool = null;
});

describe("gradient worker pool (worker_threads)", () => {
  it("1 worker thread + the main thread give the bit-identical history of one thread computing both shards", async () => {
    const alone = createModel(modelConfig, training.seed);
    const sequential = await trainModel({ model: alone, modelConfig, training, train, validation });
    pool = await createGradientPool({ workers: 1, backend: tf.getBackend(), modelConfig });
    expect(pool.count).toBe(1);
    const shared = createModel(modelConfig, training.seed);
    const parallel = await trainModel({
      model: shared,
      modelConfig,
      training,
      train,
      validation,
      workers: pool,
    });
    const curve = (h: typeof sequential.history) =>
      h.map(({ loss, accuracy, valLoss }) => ({ loss, accuracy, valLoss }));
    expect(curve(parallel.history)).toEqual(curve(sequential.history));
    expect(parallel.checkpoint.weights).toEqual(sequential.checkpoint.weights);
    expect(sequential.history[1]!.loss).toBeLessThan(sequential.history[0]!.loss);
    [alone, shared].forEach((m) => m.dispose());
  });

  it("with carried state (states sent to the thread and back), 1 worker thread + the main thread match one thread bit for bit", async () => {
    const carried = { ...training, carryState: true, batchSize: 3 };
    // Songs of different lengths: streams hand over songs at different steps and the last batches shrink.
    const ragged = songs.map((song, s) => ({ ...song, ids: song.ids.subarray(0, 20 + 9 * s) }));
    const split = splitSongs(ragged, carried);
    const alone = createModel(modelConfig, carried.seed);
    const sequential = await trainModel({
      model: alone,
      modelConfig,
      training: carried,
      train: split.train,
      validation: split.validation,
    });
    pool = await createGradientPool({ workers: 1, backend: tf.getBackend(), modelConfig });
    const shared = createModel(modelConfig, carried.seed);
    const parallel = await trainModel({
      model: shared,
      modelConfig,
      training: carried,
      train: split.train,
      validation: split.validation,
      workers: pool,
    });
    const curve = (h: typeof sequential.history) =>
      h.map(({ loss, accuracy, valLoss }) => ({ loss, accuracy, valLoss }));
    expect(curve(parallel.history)).toEqual(curve(sequential.history));
    expect(parallel.checkpoint.weights).toEqual(sequential.checkpoint.weights);
    expect(sequential.history[1]!.loss).toBeLessThan(sequential.history[0]!.loss);
    [alone, shared].forEach((m) => m.dispose());
  });

  it("a worker that crashes fails training with an error naming it (no hang)", async () => {
    pool = await createGradientPool({
      workers: 1,
      backend: tf.getBackend(),
      modelConfig,
      entry: new URL("./test-support/crashing-worker.ts", import.meta.url),
    });
    const model = createModel(modelConfig, 1);
    await expect(
      trainModel({ model, modelConfig, training, train, validation, workers: pool }),
    ).rejects.toThrow(/gradient worker 1 crashed: simulated crash in shard 1/);
    model.dispose();
  });

  it("a worker that cannot start is reported by createGradientPool", async () => {
    await expect(createGradientPool({ workers: 1, backend: "no-such-backend", modelConfig })).rejects.toThrow(
      /gradient worker 1 could not start: unknown tfjs backend "no-such-backend"/,
    );
    await expect(createGradientPool({ workers: 0, backend: "cpu", modelConfig })).rejects.toThrow(
      /at least 1 worker thread, got 0/,
    );
  });
});
