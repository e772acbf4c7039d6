import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel, encodeInput } from "../model/create-model.js";
import { presetConfigs, type ModelConfig } from "../model/config.js";
import { createRng, randomInt, shuffleInPlace } from "../primitives/rng.js";
import { learningRateAt } from "./lr-schedule.js";
import { songChunks, streamBatches, StreamStates, type StreamChunk } from "./carry-state.js";
import { deserializeCheckpoint, serializeCheckpoint, type EpochMetrics } from "./checkpoint.js";
import type { SongTokens } from "./data.js";
import { evaluateModel, trainModel } from "./train.js";
import { trainingGraph } from "./training-graph.js";
import { learnableSongs, tinyConfigs } from "./test-support/tiny.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const learningCurve = (history: EpochMetrics[]) =>
  history.map(({ epoch, loss, accuracy, valLoss, valAccuracy, learningRate }) => ({
    epoch,
    loss,
    accuracy,
    valLoss,
    valAccuracy,
    learningRate,
  }));
const label = (rows: StreamChunk[]) => rows.map((r) => `${r.stream}:${r.song}.${r.chunk}`);

describe("songChunks", () => {
  it("counts whole chunks of seqLen inputs that each have the token after them", () => {
    expect([
      songChunks(65, 8),
      songChunks(64, 8),
      songChunks(9, 8),
      songChunks(8, 8),
      songChunks(0, 8),
    ]).toEqual([8, 7, 1, 0, 0]);
  });
});

describe("streamBatches", () => {
  it("deals the songs to streams in order, hands a stream the next song when its own runs out, and shrinks the tail", () => {
    expect(streamBatches([2, 1, 3], [0, 1, 2], 2).map(label)).toEqual([
      ["0:0.0", "1:1.0"],
      ["0:0.1", "1:2.0"],
      ["1:2.1"],
      ["1:2.2"],
    ]);
    // The order decides which stream walks which song; songs without a whole chunk are skipped.
    expect(streamBatches([2, 0, 1, 3], [3, 1, 2, 0], 2).map(label)).toEqual([
      ["0:3.0", "1:2.0"],
      ["0:3.1", "1:0.0"],
      ["0:3.2", "1:0.1"],
    ]);
    // More streams than songs: the batch holds only the streams that have one.
    expect(streamBatches([1, 2], [1, 0], 4).map(label)).toEqual([["0:1.0", "1:0.0"], ["0:1.1"]]);
    expect(streamBatches([], [], 3)).toEqual([]);
    expect(() => streamBatches([1], [0], 0)).toThrow(/positive integer, got 0/);
  });

  it("gives every chunk of every song exactly once, each song's chunks in order on one stream, batches never growing", () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 20; trial++) {
      const counts = Array.from({ length: 1 + randomInt(rng, 30) }, () => randomInt(rng, 9));
      const order = shuffleInPlace(
        counts.map((_, i) => i),
        rng,
      );
      const streams = 1 + randomInt(rng, 6);
      const batches = streamBatches(counts, order, streams);
      const seen = batches.flat().map((c) => `${c.song}.${c.chunk}`);
      const expected = counts.flatMap((n, song) =>
        Array.from({ length: n }, (_, chunk) => `${song}.${chunk}`),
      );
      expect([...seen].sort()).toEqual([...expected].sort());
      expect(new Set(seen).size).toBe(seen.length);
      for (const [i, batch] of batches.entries()) {
        expect(batch.length).toBeGreaterThan(0);
        expect(batch.length).toBeLessThanOrEqual(
          i === 0 ? streams : (batches[i - 1] as StreamChunk[]).length,
        );
        expect(batch.map((c) => c.stream)).toEqual(
          [...new Set(batch.map((c) => c.stream))].sort((a, b) => a - b),
        );
        // A row that is not a song's first chunk continues the chunk its stream walked in the last step.
        for (const row of batch) {
          if (row.chunk === 0) continue;
          expect((batches[i - 1] as StreamChunk[]).find((c) => c.stream === row.stream)).toEqual({
            stream: row.stream,
            song: row.song,
            chunk: row.chunk - 1,
          });
        }
      }
      // Songs start in the order given.
      const starts = batches
        .flat()
        .filter((c) => c.chunk === 0)
        .map((c) => c.song);
      expect(starts).toEqual(order.filter((song) => (counts[song] as number) > 0));
    }
  });
});

describe("StreamStates", () => {
  it("hands each row its stream's last final state, and zeros at a song's first chunk", () => {
    const states = new StreamStates(3, [2, 1]);
    const first = [
      { stream: 0, song: 4, chunk: 0 },
      { stream: 2, song: 5, chunk: 3 },
    ];
    expect(states.gather(first).map((a) => Array.from(a))).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0],
      [0, 0],
    ]);
    states.scatter(first, [
      Float32Array.of(1, 2, 3, 4),
      Float32Array.of(5, 6, 7, 8),
      Float32Array.of(9, 10),
      Float32Array.of(11, 12),
    ]);
    const next = [
      { stream: 2, song: 5, chunk: 4 },
      { stream: 0, song: 6, chunk: 0 },
      { stream: 0, song: 4, chunk: 1 },
    ];
    expect(states.gather(next).map((a) => Array.from(a))).toEqual([
      [3, 4, 0, 0, 1, 2],
      [7, 8, 0, 0, 5, 6],
      [10, 0, 9],
      [12, 0, 11],
    ]);
    expect(() => states.scatter(first, [Float32Array.of(1)])).toThrow(
      /1 final state arrays for 2 LSTM layers/,
    );
  });
});

describe("the carryState config", () => {
  it("is left out unless asked for, and is refused where chunks cannot follow each other", () => {
    expect("carryState" in tinyConfigs().training).toBe(false);
    expect(tinyConfigs({ carryState: true }).training.carryState).toBe(true);
    expect(() => tinyConfigs({ carryState: true, stride: 4 })).toThrow(
      /carryState needs contiguous chunks: stride \(4\) must equal seqLen \(8\)/,
    );
    expect(() => tinyConfigs({ carryState: true, cell: "stock" })).toThrow(/carryState needs cell 'fast'/);
    expect(() => tinyConfigs({ carryState: true, split: "random-windows" })).toThrow(
      /carryState needs split 'songs'/,
    );
    expect(() => presetConfigs("parent", 20, { carryState: true, split: "songs" })).toThrow(
      /carryState needs target 'every-step'/,
    );
  });

  it("trainModel refuses it with a stride other than seqLen", async () => {
    const { model: config, training } = tinyConfigs({ epochs: 1 });
    const model = createModel(config, 1);
    await expect(
      trainModel({
        model,
        modelConfig: config,
        training: { ...training, carryState: true, stride: 4 },
        train: learnableSongs(2),
        validation: [],
      }),
    ).rejects.toThrow(/invalid training config: carryState needs contiguous chunks/);
    model.dispose();
  });
});

/**
 * Songs of period 5: [mode token, 4, 5, 6, 7] repeated from the first token, the mode one of 4
 * tokens (0-3). After 7 comes the song's mode token again, seen 5 tokens earlier: for most 8-token
 * chunks' first such target that is before the chunk's start, so only a carried state knows it.
 */
const PERIOD = 5;
function modeSongs(perMode: number, length = 65): SongTokens[] {
  return Array.from({ length: 4 * perMode }, (_, s) => ({
    name: `mode-${s % 4}-${s}`,
    ids: Int32Array.from({ length }, (_, i) => (i % PERIOD === 0 ? s % 4 : 3 + (i % PERIOD))),
  }));
}

/** The best training accuracy without state: a target that is the mode token with no mode token in its chunk's inputs is a 1-in-4 guess. */
function zeroStateBound(song: SongTokens, seqLen: number): number {
  let ambiguous = 0;
  let targets = 0;
  for (let start = 0; start + seqLen < song.ids.length; start += seqLen) {
    for (let t = 0; t < seqLen; t++) {
      targets++;
      const target = start + t + 1;
      if (target % PERIOD === 0 && target - PERIOD < start) ambiguous++;
    }
  }
  return 1 - (ambiguous * 0.75) / targets;
}

describe("trainModel with carried state", () => {
  it("learns what only a state carried across chunks can know; without it training cannot", async () => {
    const songs = modeSongs(4);
    const bound = zeroStateBound(songs[0] as SongTokens, 8);
    expect(bound).toBeCloseTo(1 - (6 * 0.75) / 64, 10);
    const validation = modeSongs(1);
    const run = async (carryState: boolean) => {
      const { model: config, training } = tinyConfigs({
        vocabSize: 10,
        units: [32],
        dropout: 0,
        epochs: 10,
        learningRate: 2e-2,
        lrSchedule: "constant",
        ...(carryState ? { carryState } : {}),
      });
      const model = createModel(config, training.seed);
      const result = await trainModel({ model, modelConfig: config, training, train: songs, validation });
      // The same weights validated on zero-state windows.
      const zeroStateValidation = evaluateModel({
        model,
        modelConfig: config,
        songs: validation,
        stride: training.stride,
        batchSize: training.batchSize,
      });
      model.dispose();
      return { ...result, zeroStateValidation };
    };
    const carried = await run(true);
    const zero = await run(false);
    const carriedAccuracy = carried.history.at(-1)!.accuracy;
    const zeroAccuracy = zero.history.at(-1)!.accuracy;
    // Measured on cpu: carried 1.000 from epoch 6 on, zero state 0.921 after 10 epochs (its bound 0.930).
    expect(carriedAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(zeroAccuracy).toBeLessThanOrEqual(bound + 1e-9);
    expect(carriedAccuracy - zeroAccuracy).toBeGreaterThan(0.035);
    // Validation walks the songs as training does: the carried model is judged on what it learned;
    // on zero-state windows the same weights only reach the bound.
    expect(carried.history.at(-1)!.valAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(carried.zeroStateValidation!.accuracy).toBeLessThanOrEqual(bound + 1e-9);
    expect(zero.history.at(-1)!.valAccuracy).toBeLessThanOrEqual(bound + 1e-9);
    // Every whole chunk of every song once per epoch: 16 songs × 8 chunks × 8 targets.
    expect(carried.tokensSeen).toBe(10 * 16 * 8 * 8);
  }, 60_000);

  it("resuming from an epoch's checkpoint reproduces the uninterrupted run", async () => {
    const { model: config, training } = tinyConfigs({
      epochs: 4,
      carryState: true,
      batchSize: 3,
      gradientShards: 2,
    });
    // Songs of different lengths, so streams hand over songs at different steps and the tail batches shrink.
    const songs = [30, 75, 41, 17, 58, 9, 66].map((length, i) => ({
      name: `s${i}`,
      ids: learnableSongs(1, length)[0]!.ids.map((id) => (id + i) % 20),
    }));
    const train = songs.slice(0, 6);
    const validation = songs.slice(6);
    const straight = createModel(config, training.seed);
    const batches: number[] = [];
    const full = await trainModel({
      model: straight,
      modelConfig: config,
      training,
      train,
      validation,
      callbacks: { onBatch: (b) => void (b.batch === 1 && batches.push(b.batches)) },
    });
    // 6 songs' whole chunks (3 + 9 + 5 + 2 + 7 + 1 = 27) on 3 streams: at least 9 steps, more as the tail shrinks.
    expect(batches.every((n) => n >= 9)).toBe(true);
    expect(full.tokensSeen).toBe(4 * 27 * 8);

    const first = createModel(config, training.seed);
    let stopNow = false;
    const partial = await trainModel({
      model: first,
      modelConfig: config,
      training,
      train,
      validation,
      callbacks: { onEpoch: (m) => void (stopNow = m.epoch === 2), shouldStop: () => stopNow },
    });
    expect(partial.checkpoint.epoch).toBe(2);
    const second = createModel(config, 999);
    const resumed = await trainModel({
      model: second,
      modelConfig: config,
      training,
      train,
      validation,
      resume: deserializeCheckpoint(await serializeCheckpoint(partial.checkpoint)),
    });
    expect(learningCurve(resumed.history)).toEqual(learningCurve(full.history));
    expect(resumed.checkpoint.weights).toEqual(full.checkpoint.weights);
    // The cosine spans the steps the epochs really took (their layouts differ with the shuffle).
    const totalSteps = batches.reduce((a, b) => a + b, 0);
    expect(full.history.at(-1)!.learningRate).toBe(
      learningRateAt(totalSteps - 1, totalSteps, training.learningRate),
    );
    [straight, first, second].forEach((m) => m.dispose());
  });

  it("validation equals each validation song's whole chunks run as one sequence from a zero state, inside epochs too", async () => {
    const { model: config, training } = tinyConfigs({
      epochs: 2,
      carryState: true,
      batchSize: 2,
      gradientShards: 2,
      validateEvery: 5,
    });
    const train = learnableSongs(4, 50);
    // More songs than streams (a stream hands over to the next song) and tails past the last whole chunk.
    const validation = [44, 21, 30].map((length, i) => ({
      name: `v${i}`,
      ids: learnableSongs(1, length)[0]!.ids.map((id) => (id + 7 * i) % 20),
    }));
    const model = createModel(config, training.seed);
    const checked: {
      at: string;
      valLoss: number;
      reference: number;
      valAccuracy: number;
      referenceAccuracy: number;
    }[] = [];
    await trainModel({
      model,
      modelConfig: config,
      training,
      train,
      validation,
      // The model holds the weights just validated while onValidation runs.
      callbacks: {
        onValidation: (p) =>
          void checked.push({
            at: p.at,
            valLoss: p.valLoss!,
            valAccuracy: p.valAccuracy!,
            ...wholeSongReference(model, config, validation),
          }),
      },
    });
    expect(checked.map((c) => c.at)).toEqual(["step", "step", "epoch", "step", "step", "epoch"]);
    for (const c of checked) {
      expect(Math.abs(c.valLoss - c.reference)).toBeLessThan(1e-5);
      expect(c.valAccuracy).toBeCloseTo(c.referenceAccuracy, 6);
    }
    model.dispose();
  });

  it("leaves no tensor behind", async () => {
    const { model: config, training } = tinyConfigs({ epochs: 1, carryState: true });
    const model = createModel(config, 1);
    const before = tf.memory().numTensors;
    await trainModel({
      model,
      modelConfig: config,
      training,
      train: learnableSongs(3, 50),
      validation: learnableSongs(1, 30),
    });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

/**
 * Mean cross-entropy and accuracy of `model` over every song's whole chunks run as one sequence
 * from a zero state (inference mode), per token.
 */
function wholeSongReference(
  model: tf.LayersModel,
  config: ModelConfig,
  songs: readonly SongTokens[],
): { reference: number; referenceAccuracy: number } {
  const logitsOf = trainingGraph(model, false);
  let lossSum = 0;
  let correct = 0;
  let tokens = 0;
  for (const song of songs) {
    const length = songChunks(song.ids.length, config.seqLen) * config.seqLen;
    const rows = tf.tidy(
      () =>
        tf
          .logSoftmax(logitsOf(encodeInput(config, song.ids.slice(0, length), 1, length), false))
          .arraySync() as number[][],
    );
    rows.forEach((row, t) => {
      const target = song.ids[t + 1] as number;
      lossSum -= row[target] as number;
      if (row.indexOf(Math.max(...row)) === target) correct++;
    });
    tokens += length;
  }
  return { reference: lossSum / tokens, referenceAccuracy: correct / tokens };
}
