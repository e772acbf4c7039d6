import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel } from "../model/create-model.js";
import { materializeBatch, songWindows, splitSongs } from "./data.js";
import {
  combineShardGradients,
  createShardComputer,
  shardRanges,
  type GradientWorkers,
  type ShardRequest,
  type ShardResult,
} from "./gradient-shards.js";
import { trainingGraph } from "./training-graph.js";
import { trainModel } from "./train.js";
import { learnableSongs, tinyConfigs } from "./test-support/tiny.js";
import type { ModelConfig } from "../model/config.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** GradientWorkers backed by a second copy of the model on this thread (what a worker thread runs). */
function inProcessWorkers(
  config: ModelConfig,
  options: { failAtCall?: number } = {},
): GradientWorkers & { computed: number[]; weightUpdates: number } {
  const copy = createModel(config, 12345); // other init: the weights must come from setWeights
  const compute = createShardComputer(copy, config);
  const variables = copy.trainableWeights.map((w) => w.read() as tf.Variable);
  let calls = 0;
  return {
    count: 1,
    computed: [],
    weightUpdates: 0,
    setWeights(weights) {
      this.weightUpdates++;
      variables.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(weights[i] as Float32Array, v.shape))));
    },
    async compute(request: ShardRequest): Promise<ShardResult> {
      calls++;
      if (calls === options.failAtCall) throw new Error("gradient worker 1 crashed: boom");
      this.computed.push(request.shard);
      await Promise.resolve();
      return compute(request);
    },
    async dispose() {
      copy.dispose();
    },
  };
}

const lossCurve = (history: { loss: number; accuracy: number; valLoss: number | null }[]) =>
  history.map(({ loss, accuracy, valLoss }) => ({ loss, accuracy, valLoss }));

describe("shardRanges", () => {
  it("cuts rows into contiguous slices whose sizes differ by at most one", () => {
    expect(shardRanges(64, 2)).toEqual([
      { start: 0, rows: 32 },
      { start: 32, rows: 32 },
    ]);
    expect(shardRanges(7, 3)).toEqual([
      { start: 0, rows: 3 },
      { start: 3, rows: 2 },
      { start: 5, rows: 2 },
    ]);
    expect(shardRanges(1, 2)).toEqual([
      { start: 0, rows: 1 },
      { start: 1, rows: 0 },
    ]);
    expect(() => shardRanges(8, 0)).toThrow(/positive integer, got 0/);
  });

  it("the config refuses more shards than windows per batch and defaults presets to 2", () => {
    expect(tinyConfigs().training.gradientShards).toBe(2);
    expect(() => tinyConfigs({ batchSize: 4, gradientShards: 5 })).toThrow(
      /gradientShards cannot exceed batchSize/,
    );
  });
});

describe("sharded gradients", () => {
  it("combined in shard order they equal the gradient of the whole batch's mean loss", () => {
    const { model: config, training } = tinyConfigs({ dropout: 0 });
    const model = createModel(config, 3);
    const songs = learnableSongs(3, 40);
    const windows = songWindows(songs, config, training.stride).slice(0, 7);
    const { inputs, targets } = materializeBatch(songs, windows, config);
    const compute = createShardComputer(model, config);
    const time = config.seqLen;
    const results = shardRanges(windows.length, 3).map((range, shard) =>
      compute({
        shard,
        rows: range.rows,
        inputs: inputs.slice(range.start * time, (range.start + range.rows) * time),
        targets: targets.slice(range.start * time, (range.start + range.rows) * time),
        dropoutSeeds: [],
      }),
    );
    expect(results.map((r) => r.tokens)).toEqual([3 * time, 2 * time, 2 * time]);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const combined = combineShardGradients(
      results,
      variables.map((v) => v.shape),
    );

    const logitsOf = trainingGraph(model, false);
    const x = tf.tensor2d(Float32Array.from(inputs), [windows.length, time]);
    const labels = tf.tensor1d(targets, "int32");
    const { value, grads } = tf.variableGrads(
      () =>
        tf.losses.softmaxCrossEntropy(tf.oneHot(labels, config.vocabSize), logitsOf(x, true)) as tf.Scalar,
      variables,
    );
    const meanLoss = results.reduce((s, r) => s + r.lossSum, 0) / (windows.length * time);
    expect(meanLoss).toBeCloseTo(value.dataSync()[0] as number, 5);
    variables.forEach((v, i) => {
      const worst = tf.tidy(
        () =>
          tf
            .max(tf.abs(tf.sub(combined[i] as tf.Tensor, grads[v.name] as tf.Tensor)))
            .dataSync()[0] as number,
      );
      expect(worst).toBeLessThan(1e-6);
    });
    const anyNonZero = combined.some((g) => tf.tidy(() => (tf.max(tf.abs(g)).dataSync()[0] as number) > 0));
    expect(anyNonZero).toBe(true);
    tf.dispose([...combined, x, labels, value, ...Object.values(grads)]);
    model.dispose();
  });

  it("rejects a request whose sizes do not match the model", () => {
    const { model: config } = tinyConfigs();
    const model = createModel(config, 1);
    const compute = createShardComputer(model, config);
    expect(() =>
      compute({
        shard: 1,
        rows: 2,
        inputs: new Int32Array(15),
        targets: new Int32Array(16),
        dropoutSeeds: [1, 2],
      }),
    ).toThrow(/shard 1: 15 input ids for 2 rows of 8/);
    expect(() =>
      compute({
        shard: 0,
        rows: 2,
        inputs: new Int32Array(16),
        targets: new Int32Array(16),
        dropoutSeeds: [1],
      }),
    ).toThrow(/1 dropout seeds for 2 dropout layers/);
    model.dispose();
  });
});

describe("trainModel with gradient shards", () => {
  it("gives a bit-identical history whether the shards run here or on workers, with dropout on", async () => {
    const { model: config, training } = tinyConfigs({
      epochs: 2,
      gradientShards: 3,
      dropout: 0.2,
      clipNorm: 0.5,
    });
    const { train, validation } = splitSongs(learnableSongs(6, 70), training);

    const alone = createModel(config, training.seed);
    const sequential = await trainModel({ model: alone, modelConfig: config, training, train, validation });

    const workers = inProcessWorkers(config);
    const shared = createModel(config, training.seed);
    const before = tf.memory().numTensors;
    const parallel = await trainModel({
      model: shared,
      modelConfig: config,
      training,
      train,
      validation,
      workers,
    });

    expect(lossCurve(parallel.history)).toEqual(lossCurve(sequential.history));
    expect(parallel.checkpoint.weights).toEqual(sequential.checkpoint.weights);
    // The worker really computed the last shard of each batch and got fresh weights after every step.
    expect(workers.computed.length).toBeGreaterThan(0);
    expect(new Set(workers.computed)).toEqual(new Set([2]));
    expect(workers.weightUpdates).toBe(workers.computed.length);
    expect(sequential.history[1]!.loss).toBeLessThan(sequential.history[0]!.loss);
    expect(tf.memory().numTensors).toBe(before);
    await workers.dispose();
    [alone, shared].forEach((m) => m.dispose());
  });

  it("with carried state too: each shard takes its rows' states and hands back their final ones", async () => {
    const { model: config, training } = tinyConfigs({
      epochs: 2,
      gradientShards: 3,
      batchSize: 5,
      dropout: 0.2,
      carryState: true,
    });
    const songs = [70, 33, 90, 25, 61, 48, 52].map((length, i) => ({
      name: `s${i}`,
      ids: learnableSongs(1, length)[0]!.ids,
    }));
    const { train, validation } = splitSongs(songs, training);
    const alone = createModel(config, training.seed);
    const sequential = await trainModel({ model: alone, modelConfig: config, training, train, validation });
    const workers = inProcessWorkers(config);
    const shared = createModel(config, training.seed);
    const parallel = await trainModel({
      model: shared,
      modelConfig: config,
      training,
      train,
      validation,
      workers,
    });
    expect(lossCurve(parallel.history)).toEqual(lossCurve(sequential.history));
    expect(parallel.checkpoint.weights).toEqual(sequential.checkpoint.weights);
    expect(workers.computed.length).toBeGreaterThan(0);
    await workers.dispose();
    [alone, shared].forEach((m) => m.dispose());
  });

  it("a shard's states must fit its rows and the LSTM layers", () => {
    const { model: config } = tinyConfigs({ dropout: 0 });
    const model = createModel(config, 1);
    const compute = createShardComputer(model, config);
    const request = {
      shard: 1,
      rows: 2,
      inputs: new Int32Array(16),
      targets: new Int32Array(16),
      dropoutSeeds: [],
    };
    expect(() => compute({ ...request, states: [new Float32Array(32)] })).toThrow(
      /shard 1: 1 state arrays for 2 LSTM layers/,
    );
    expect(() => compute({ ...request, states: [32, 32, 32, 31].map((n) => new Float32Array(n)) })).toThrow(
      /shard 1: state 3 has 31 values, 2 rows of layer 2 need 32/,
    );
    const result = compute({ ...request, states: [32, 32, 32, 32].map((n) => new Float32Array(n)) });
    expect(result.finalStates?.map((a) => a.length)).toEqual([32, 32, 32, 32]);
    expect(compute(request).finalStates).toBeUndefined();
    model.dispose();
  });

  it("the shard count changes the dropout masks (so it is part of the config) and cannot change on resume", async () => {
    const { model: config, training } = tinyConfigs({ epochs: 1, dropout: 0.3 });
    const { train, validation } = splitSongs(learnableSongs(4), training);
    const runs = await Promise.all(
      [1, 2].map(async (gradientShards) => {
        const model = createModel(config, 1);
        const result = await trainModel({
          model,
          modelConfig: config,
          training: { ...training, gradientShards },
          train,
          validation,
        });
        model.dispose();
        return result;
      }),
    );
    expect(runs[0]!.history[0]!.loss).not.toBe(runs[1]!.history[0]!.loss);
    const model = createModel(config, 1);
    await expect(
      trainModel({
        model,
        modelConfig: config,
        training: { ...training, gradientShards: 1, epochs: 2 },
        train,
        validation,
        resume: runs[1]!.checkpoint,
      }),
    ).rejects.toThrow(/different training config/);
    model.dispose();
  });

  it("a config without gradientShards (made before shards existed) trains as 1 shard", async () => {
    const { model: config, training } = tinyConfigs({ epochs: 1, dropout: 0.3 });
    const { gradientShards: _dropped, ...legacy } = training;
    const { train, validation } = splitSongs(learnableSongs(4), training);
    const [legacyRun, oneShard] = await Promise.all(
      [legacy, { ...training, gradientShards: 1 }].map(async (config1) => {
        const model = createModel(config, 1);
        const result = await trainModel({ model, modelConfig: config, training: config1, train, validation });
        model.dispose();
        return result;
      }),
    );
    expect(legacyRun!.checkpoint.training.gradientShards).toBeUndefined();
    expect(lossCurve(legacyRun!.history)).toEqual(lossCurve(oneShard!.history));
  });

  it("a failing worker fails training with its error", async () => {
    const { model: config, training } = tinyConfigs({ epochs: 1 });
    const { train, validation } = splitSongs(learnableSongs(4), training);
    const model = createModel(config, 1);
    const workers = inProcessWorkers(config, { failAtCall: 2 });
    await expect(
      trainModel({ model, modelConfig: config, training, train, validation, workers }),
    ).rejects.toThrow(/gradient worker 1 crashed: boom/);
    await workers.dispose();
    model.dispose();
  });
});
