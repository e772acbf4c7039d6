import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel } from "../model/create-model.js";
import { augmentationDraws, splitSongs, type AugmentationDraw } from "./data.js";
import { evaluateModel, trainModel } from "./train.js";
import {
  deserializeCheckpoint,
  serializeCheckpoint,
  type EpochMetrics,
  type ValidationPoint,
} from "./checkpoint.js";
import { learnableSongs, tinyConfigs } from "./test-support/tiny.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** The deterministic part of the metrics (timings excluded). */
const learningCurve = (history: EpochMetrics[]) =>
  history.map(({ epoch, loss, accuracy, valLoss, valAccuracy, perplexity, learningRate }) => ({
    epoch,
    loss,
    accuracy,
    valLoss,
    valAccuracy,
    perplexity,
    learningRate,
  }));

describe("trainModel", () => {
  for (const cell of ["fast"] as const) {
    it(`learns a learnable synthetic sequence (${cell} cell): loss drops, accuracy rises, metrics are complete`, async () => {
      const { model: config, training } = tinyConfigs({ cell, epochs: 6, learningRate: 2e-2 });
      const songs = learnableSongs(8, 120);
      const { train, validation } = splitSongs(songs, training);
      const model = createModel(config, training.seed);
      const epochs: EpochMetrics[] = [];
      const result = await trainModel({
        model,
        modelConfig: config,
        training,
        train,
        validation,
        callbacks: { onEpoch: (m) => epochs.push(m) },
      });
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
      expect(result.history.map((m) => m.learningRate)).toEqual(
        [...result.history.map((m) => m.learningRate)].sort((a, b) => b - a),
      );
      expect(result.interrupted).toBe(false);
      expect(result.checkpoint.epoch).toBe(6);
      model.dispose();
    });
  }

  it("the seed's random-windows split and a last-token (Flatten) model train too", async () => {
    const { model: config, training } = tinyConfigs({ epochs: 2 });
    const seedLike = {
      ...config,
      preset: "notebook" as const,
      input: "scalar" as const,
      target: "last" as const,
      denseUnits: 12,
      denseDropout: 0.3,
    };
    const randomTraining = {
      ...training,
      split: "random-windows" as const,
      validationShare: 0.6,
      stride: 1,
      optimizer: "adam" as const,
    };
    const songs = learnableSongs(3, 30);
    const { train, validation } = splitSongs(songs, randomTraining);
    expect(validation).toEqual([]);
    const model = createModel(seedLike, 1);
    const result = await trainModel({
      model,
      modelConfig: seedLike,
      training: randomTraining,
      train,
      validation,
    });
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
    const partial = await trainModel({
      model: first,
      modelConfig: config,
      training,
      train,
      validation,
      callbacks: { shouldStop: stopInEpoch3 },
    });
    expect(partial.interrupted).toBe(true);
    expect(partial.checkpoint.epoch).toBe(2);
    expect(partial.history).toHaveLength(2);

    const bytes = await serializeCheckpoint(partial.checkpoint);
    const restored = deserializeCheckpoint(bytes);
    expect(restored.optimizer.slots.length).toBe(2 * first.trainableWeights.length); // Adam m and v
    const second = createModel(config, 999); // different init: the checkpoint's weights must win
    const resumed = await trainModel({
      model: second,
      modelConfig: config,
      training,
      train,
      validation,
      resume: restored,
    });
    expect(learningCurve(resumed.history)).toEqual(learningCurve(full.history));
    expect(second.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
      straight.getWeights().map((w) => Array.from(w.dataSync())),
    );
    [straight, first, second].forEach((m) => m.dispose());
  });

  it("resumes a checkpoint made before tokens and validation points were recorded, counting the tokens it trained on", async () => {
    const { model: config, training } = tinyConfigs({ epochs: 3 });
    const { train, validation } = splitSongs(learnableSongs(5), training);
    const straight = createModel(config, training.seed);
    const full = await trainModel({ model: straight, modelConfig: config, training, train, validation });
    let stopNow = false;
    const first = createModel(config, training.seed);
    const partial = await trainModel({
      model: first,
      modelConfig: config,
      training,
      train,
      validation,
      callbacks: { onEpoch: () => void (stopNow = true), shouldStop: () => stopNow },
    });
    const { tokensSeen: _tokens, ...old } = partial.checkpoint;
    const oldBest = old.best && { epoch: old.best.epoch, loss: old.best.loss, weights: old.best.weights };
    const second = createModel(config, 999);
    const resumed = await trainModel({
      model: second,
      modelConfig: config,
      training,
      train,
      validation,
      resume: { ...old, best: oldBest },
    });
    expect(learningCurve(resumed.history)).toEqual(learningCurve(full.history));
    expect(resumed.tokensSeen).toBe(full.tokensSeen);
    [straight, first, second].forEach((m) => m.dispose());
  });

  it("refuses to resume with a different config", async () => {
    const { model: config, training } = tinyConfigs({ epochs: 1 });
    const { train, validation } = splitSongs(learnableSongs(3), training);
    const model = createModel(config, 1);
    const { checkpoint } = await trainModel({ model, modelConfig: config, training, train, validation });
    await expect(
      trainModel({
        model,
        modelConfig: config,
        training: { ...training, learningRate: 0.5 },
        train,
        validation,
        resume: checkpoint,
      }),
    ).rejects.toThrow(/different training config/);
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
    const now = evaluateModel({
      model,
      modelConfig: config,
      songs: validation,
      stride: training.stride,
      batchSize: training.batchSize,
    });
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
    await expect(
      trainModel({ model, modelConfig: config, training, train: bad, validation: [] }),
    ).rejects.toThrow(/song "bad" has token id 25, outside the vocabulary \(0..19\)/);
    const short = [{ name: "short", ids: Int32Array.from([1, 2, 3]) }];
    await expect(
      trainModel({ model, modelConfig: config, training, train: short, validation: [] }),
    ).rejects.toThrow(/shorter than seqLen \+ 1 = 9 tokens/);
    model.dispose();
  });
});

describe("trainModel: random augmentation, validation inside epochs, time budget", () => {
  /** A stand-in for the app's transposition: a cycle song moved along the vocabulary stays learnable. */
  const shifted = (songs: { ids: Int32Array }[]) => (song: number, draw: AugmentationDraw) =>
    (songs[song] as { ids: Int32Array }).ids.map((id) => (id + draw.shift + 20) % 20);

  it("asks for one drawn variant per song per epoch, as augmentationDraws says", async () => {
    const { model: config, training } = tinyConfigs({
      epochs: 3,
      augment: [-2, -1, 1, 2],
      augmentMode: "random",
    });
    const { train, validation } = splitSongs(learnableSongs(6), training);
    const calls: { epoch: number; song: number; draw: AugmentationDraw }[] = [];
    let epoch = 1;
    const augment = shifted(train);
    const model = createModel(config, training.seed);
    const result = await trainModel({
      model,
      modelConfig: config,
      training,
      train,
      validation,
      augmentSong: (song, draw) => (calls.push({ epoch, song, draw }), augment(song, draw)),
      callbacks: { onEpoch: (m) => (epoch = m.epoch + 1) },
    });
    expect(result.history).toHaveLength(3);
    const expected = [1, 2, 3].flatMap((e) =>
      augmentationDraws(training, e, train.length).flatMap((draw, song) =>
        draw.shift === 0 ? [] : [{ epoch: e, song, draw }],
      ),
    );
    expect(calls).toEqual(expected);
    expect(new Set(calls.map((c) => c.epoch)).size).toBe(3);
    await expect(trainModel({ model, modelConfig: config, training, train, validation })).rejects.toThrow(
      /random augmentation needs augmentSong/,
    );
    model.dispose();
  });

  it("resuming a randomly augmented run after an interruption reproduces the identical history", async () => {
    const { model: config, training } = tinyConfigs({
      epochs: 4,
      augment: [-3, 3],
      augmentMode: "random",
      tempoStretch: 0.05,
    });
    const { train, validation } = splitSongs(learnableSongs(5), training);
    const augmentSong = shifted(train);
    const straight = createModel(config, training.seed);
    const full = await trainModel({
      model: straight,
      modelConfig: config,
      training,
      train,
      validation,
      augmentSong,
    });

    const first = createModel(config, training.seed);
    let stopNow = false;
    const partial = await trainModel({
      model: first,
      modelConfig: config,
      training,
      train,
      validation,
      augmentSong,
      callbacks: { onEpoch: (m) => void (stopNow = m.epoch === 2), shouldStop: () => stopNow },
    });
    expect(partial.interrupted).toBe(true);
    expect(partial.stopReason).toBe("interrupted");
    expect(partial.checkpoint.epoch).toBe(2);

    const second = createModel(config, 999);
    const resumed = await trainModel({
      model: second,
      modelConfig: config,
      training,
      train,
      validation,
      augmentSong,
      resume: deserializeCheckpoint(await serializeCheckpoint(partial.checkpoint)),
    });
    expect(learningCurve(resumed.history)).toEqual(learningCurve(full.history));
    expect(resumed.tokensSeen).toBe(full.tokensSeen);
    expect(second.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
      straight.getWeights().map((w) => Array.from(w.dataSync())),
    );
    [straight, first, second].forEach((m) => m.dispose());
  });

  it("validates every K steps and at epoch ends, one point each, and keeps the best one's weights", async () => {
    const { model: config, training } = tinyConfigs({
      epochs: 3,
      validateEvery: 2,
      lrSchedule: "constant",
      learningRate: 3e-2,
      patience: 1,
    });
    const train = learnableSongs(4, 60, 3);
    const validation = learnableSongs(2, 60, 7); // the opposite rule: fitting training hurts validation at some point
    const points: ValidationPoint[] = [];
    const batches: number[] = [];
    const model = createModel(config, 3);
    const result = await trainModel({
      model,
      modelConfig: config,
      training,
      train,
      validation,
      callbacks: { onValidation: (p) => void points.push(p), onBatch: (b) => void batches.push(b.batches) },
    });
    const perEpoch = batches[0] as number;
    expect(perEpoch).toBeGreaterThan(2);
    const steps = points.map((p) => p.step);
    const expectedSteps = Array.from({ length: result.history.length * perEpoch }, (_, i) => i + 1).filter(
      (s) => s % 2 === 0 || s % perEpoch === 0,
    );
    expect(steps).toEqual(expectedSteps);
    expect(points.filter((p) => p.at === "epoch").map((p) => p.epoch)).toEqual(
      result.history.map((m) => m.epoch),
    );
    expect(
      points.every(
        (p, i) =>
          i === 0 ||
          (p.tokensSeen > points[i - 1]!.tokensSeen && p.elapsedSeconds >= points[i - 1]!.elapsedSeconds),
      ),
    ).toBe(true);
    const best = points.reduce((a, b) => ((b.valLoss as number) < (a.valLoss as number) ? b : a));
    expect(result.best).toEqual(best);
    expect(best.at).toBe("step"); // the best weights were met inside an epoch, between two checkpoints
    const now = evaluateModel({
      model,
      modelConfig: config,
      songs: validation,
      stride: training.stride,
      batchSize: training.batchSize,
    });
    expect(now?.loss).toBeCloseTo(best.valLoss as number, 5);
    model.dispose();
  });

  it("a time budget stops at the end of the step that reaches it, validates there and records the partial epoch", async () => {
    const { model: config, training } = tinyConfigs({ epochs: 5 });
    const { train, validation } = splitSongs(learnableSongs(6), training);
    const points: ValidationPoint[] = [];
    const model = createModel(config, training.seed);
    const result = await trainModel({
      model,
      modelConfig: config,
      training,
      train,
      validation,
      timeBudgetSeconds: 0,
      callbacks: { onValidation: (p) => void points.push(p) },
    });
    expect(result.stopReason).toBe("time-budget");
    expect(points).toEqual([expect.objectContaining({ at: "stop", epoch: 1, step: 1 })]);
    expect(result.best).toEqual(points[0]);
    expect(result.history).toHaveLength(1);
    expect(result.history[0]).toMatchObject({ epoch: 1, valLoss: points[0]!.valLoss, loss: points[0]!.loss });
    expect(result.checkpoint.epoch).toBe(0); // no whole epoch to resume from
    const now = evaluateModel({
      model,
      modelConfig: config,
      songs: validation,
      stride: training.stride,
      batchSize: training.batchSize,
    });
    expect(now?.loss).toBeCloseTo(points[0]!.valLoss as number, 5);

    // One step per epoch: the budget is reached on an epoch's last step, so that epoch ends normally.
    const whole = createModel(config, training.seed);
    const oneStep = await trainModel({
      model: whole,
      modelConfig: config,
      training: { ...training, batchSize: 64 },
      train,
      validation,
      timeBudgetSeconds: 0,
    });
    expect(oneStep.stopReason).toBe("time-budget");
    expect(oneStep.history).toHaveLength(1);
    expect(oneStep.checkpoint.epoch).toBe(1);
    expect(oneStep.best?.at).toBe("epoch");
    [model, whole].forEach((m) => m.dispose());
  });
});
