import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel } from "./create-model.js";
import { splitSongs } from "./data.js";
import { evaluateModel, trainModel } from "./train.js";
import { deserializeCheckpoint, serializeCheckpoint, type EpochMetrics } from "./checkpoint.js";
import { learnableSongs, tinyConfigs } from "./test-support/tiny.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** The deterministic part of the metrics (timings excluded). */
const learningCurve = (history: EpochMetrics[]) =>
  history.map(({ epoch, loss, accuracy, valLoss, valAccuracy, perplexity, learningRate }) => ({ epoch, loss, accuracy, valLoss, valAccuracy, perplexity, learningRate }));

describe("trainModel", () => {
  for (const cell of ["fast"] as const) {
    it(`learns a learnable synthetic sequence (${cell} cell): loss drops, accuracy rises, metrics are complete`, async () => {
      const { model: config, training } = tinyConfigs({ cell, epochs: 6, learningRate: 2e-2 });
      const songs = learnableSongs(8, 120);
      const { train, validation } = splitSongs(songs, training);
      const model = createModel(config, training.seed);
      const epochs: EpochMetrics[] = [];
      const result = await trainModel({ model, modelConfig: config, training, train, validation, callbacks: { onEpoch: (m) => epochs.push(m) } });
      expect(result.history).toHaveLength(6);
      expect(epochs).toEqual(result.history);
      const first = result.history[0] as EpochMetrics;
      const last = result.history.at(-1) as EpochMetrics;
      expect(first.loss).toBeGreaterThan(2);
      expect(last.loss).toBeLessThan(first.loss * 0.5);
      expect(last.valAccuracy).toBeGreaterThan(0.8);
      expect(last.perplexity).toBeCloseTo(Math.exp(last.valLoss as number), 6);
      expect(last.tokensPerSecond).toBeGreaterThan(0);
      expect(last.elapsedSeconds).toBeGreaterThan(first.elapsedSeconds);
      // cosine schedule: warmup first, then decaying
      expect(result.history.map((m) => m.learningRate)).toEqual([...result.history.map((m) => m.learningRate)].sort((a, b) => b - a));
      expect(result.interrupted).toBe(false);
      expect(result.checkpoint.epoch).toBe(6);
      model.dispose();
    });
  }

  it("the seed's random-windows split and a last-token (Flatten) model train too", async () => {
    const { model: config, training } = tinyConfigs({ epochs: 2 });
    const seedLike = { ...config, preset: "seed" as const, input: "scalar" as const, target: "last" as const, denseUnits: 12, denseDropout: 0.3 };
    const randomTraining = { ...training, split: "random-windows" as const, validationShare: 0.6, stride: 1, optimizer: "adam" as const };
    const songs = learnableSongs(3, 30);
    const { train, validation } = splitSongs(songs, randomTraining);
    expect(validation).toEqual([]);
    const model = createModel(seedLike, 1);
    const result = await trainModel({ model, modelConfig: seedLike, training: randomTraining, train, validation });
    expect(result.history).toHaveLength(2);
    expect(result.history[0]?.valLoss).not.toBeNull();
    model.dispose();
  });

  it("resuming from a serialized checkpoint reproduces the identical history", async () => {
    const { model: config, training } = tinyConfigs({ epochs: 4 });
    const { train, validation } = splitSongs(learnableSongs(5), training);

    const straight = createModel(config, training.seed);
    const full = await trainModel({ model: straight, modelConfig: config, training, train, validation });

    const first = createModel(config, training.seed);
    let batches = 0;
    const stopInEpoch3 = () => {
      batches++;
      return batches > 2 * (full.checkpoint.history.length > 0 ? batchesPerEpoch() : 0) + 1;
    };
    function batchesPerEpoch(): number {
      return Math.ceil(train.reduce((n, s) => n + Math.ceil((s.ids.length - 9) / 8) + 1, 0) / 8);
    }
    const partial = await trainModel({ model: first, modelConfig: config, training, train, validation, callbacks: { shouldStop: stopInEpoch3 } });
    expect(partial.interrupted).toBe(true);
    expect(partial.checkpoint.epoch).toBe(2);
    expect(partial.history).toHaveLength(2);

    const bytes = await serializeCheckpoint(partial.checkpoint);
    const restored = deserializeCheckpoint(bytes);
    expect(restored.optimizer.slots.length).toBe(2 * first.trainableWeights.length); // Adam m and v
    const second = createModel(config, 999); // different init: the checkpoint's weights must win
    const resumed = await trainModel({ model: second, modelConfig: config, training, train, validation, resume: restored });
    expect(learningCurve(resumed.history)).toEqual(learningCurve(full.history));
    expect(second.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(straight.getWeights().map((w) => Array.from(w.dataSync())));
    [straight, first, second].forEach((m) => m.dispose());
  });

  it("refuses to resume with a different config", async () => {
    const { model: config, training } = tinyConfigs({ epochs: 1 });
    const { train, validation } = splitSongs(learnableSongs(3), training);
    const model = createModel(config, 1);
    const { checkpoint } = await trainModel({ model, modelConfig: config, training, train, validation });
    await expect(trainModel({ model, modelConfig: config, training: { ...training, learningRate: 0.5 }, train, validation, resume: checkpoint })).rejects.toThrow(
      /different training config/,
    );
    model.dispose();
  });

  it("keeps the best-on-validation weights and stops early with patience", async () => {
    // Validation follows the opposite rule to training, so fitting training hurts validation.
    const { model: config, training } = tinyConfigs({ epochs: 6, patience: 2, lrSchedule: "constant" });
    const train = learnableSongs(4, 60, 3);
    const validation = learnableSongs(2, 60, 7);
    const model = createModel(config, 3);
    const result = await trainModel({ model, modelConfig: config, training, train, validation });
    const valLosses = result.history.map((m) => m.valLoss as number);
    const best = Math.min(...valLosses);
    const bestEpoch = valLosses.indexOf(best) + 1;
    expect(bestEpoch).toBeLessThan(result.history.length);
    expect(result.stoppedEarly).toBe(true);
    expect(result.history.length).toBe(bestEpoch + 2);
    const now = evaluateModel({ model, modelConfig: config, songs: validation, stride: training.stride, batchSize: training.batchSize });
    expect(now?.loss).toBeCloseTo(best, 5);
    expect(result.checkpoint.best?.epoch).toBe(bestEpoch);
    model.dispose();
  });

  it("leaves no tensor behind across training", async () => {
    const { model: config, training } = tinyConfigs({ epochs: 1, clipNorm: 0.5 });
    const { train, validation } = splitSongs(learnableSongs(3), training);
    const model = createModel(config, 1);
    const before = tf.memory().numTensors;
    await trainModel({ model, modelConfig: config, training, train, validation });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("rejects token ids outside the vocabulary and songs too short for a window", async () => {
    const { model: config, training } = tinyConfigs({ epochs: 1 });
    const model = createModel(config, 1);
    const bad = [{ name: "bad", ids: Int32Array.from([1, 2, 25, 3, 4, 5, 6, 7, 8, 9]) }];
    await expect(trainModel({ model, modelConfig: config, training, train: bad, validation: [] })).rejects.toThrow(/song "bad" has token id 25, outside the vocabulary \(0..19\)/);
    const short = [{ name: "short", ids: Int32Array.from([1, 2, 3]) }];
    await expect(trainModel({ model, modelConfig: config, training, train: short, validation: [] })).rejects.toThrow(/shorter than seqLen \+ 1 = 9 tokens/);
    model.dispose();
  });
});
