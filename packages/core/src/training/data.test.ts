import { describe, expect, it } from "vitest";
import {
  augmentationDraws,
  materializeBatch,
  songWindows,
  splitSongs,
  splitWindowsAtRandom,
} from "./data.js";
import { drawsAugmentation, trainingConfigSchema } from "../model/config.js";
import { deserializeCheckpoint, serializeCheckpoint, type TrainCheckpoint } from "./checkpoint.js";
import { learnableSongs, tinyConfigs } from "./test-support/tiny.js";

describe("splitSongs", () => {
  const songs = learnableSongs(10, 20);
  const { training } = tinyConfigs({ validationShare: 0.2 });

  it("puts whole songs on one side only, seeded, with the asked share", () => {
    const { train, validation } = splitSongs(songs, training);
    expect(validation).toHaveLength(2);
    expect(train).toHaveLength(8);
    const trainNames = new Set(train.map((s) => s.name));
    expect(validation.some((s) => trainNames.has(s.name))).toBe(false);
    expect(new Set([...train, ...validation].map((s) => s.name))).toEqual(new Set(songs.map((s) => s.name)));
    expect(splitSongs(songs, training)).toEqual({ train, validation });
    const other = splitSongs(songs, { ...training, seed: training.seed + 1 });
    expect(other.validation.map((s) => s.name)).not.toEqual(validation.map((s) => s.name));
  });

  it("keeps at least one song on each side when there are two or more", () => {
    expect(splitSongs(songs.slice(0, 2), { ...training, validationShare: 0.01 }).validation).toHaveLength(1);
    expect(splitSongs(songs.slice(0, 3), { ...training, validationShare: 0.9 }).train).toHaveLength(1);
    expect(splitSongs(songs.slice(0, 1), training)).toEqual({ train: songs.slice(0, 1), validation: [] });
    expect(splitSongs(songs, { ...training, validationShare: 0 }).validation).toEqual([]);
  });

  it("leaves the random-windows split to training (all songs in train)", () => {
    expect(splitSongs(songs, { ...training, split: "random-windows" })).toEqual({
      train: songs,
      validation: [],
    });
  });
});

describe("windows", () => {
  it("never cross a song boundary; many-to-many chunks are contiguous plus one aligned to the song's end", () => {
    const { model } = tinyConfigs(); // seqLen 8 → 9 tokens per window
    const songs = [
      { name: "a", ids: Int32Array.from({ length: 30 }, (_, i) => i % 20) },
      { name: "b", ids: Int32Array.from({ length: 5 }, (_, i) => i) }, // too short: no window
    ];
    const windows = songWindows(songs, model, 8);
    expect(windows).toEqual([0, 8, 16, 21].map((start) => ({ song: 0, start })));
    const { inputs, targets } = materializeBatch(songs, windows.slice(3), model);
    expect(Array.from(inputs)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(targets)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("last-token windows slide by the stride and target the next token", () => {
    const { model } = tinyConfigs();
    const seedLike = { ...model, target: "last" as const };
    const songs = [{ name: "a", ids: Int32Array.from({ length: 11 }, (_, i) => i) }];
    const windows = songWindows(songs, seedLike, 1);
    expect(windows.map((w) => w.start)).toEqual([0, 1, 2]);
    const { targets } = materializeBatch(songs, windows, seedLike);
    expect(Array.from(targets)).toEqual([8, 9, 10]);
  });

  it("the seed's random-windows split is seeded and disjoint", () => {
    const windows = Array.from({ length: 50 }, (_, i) => ({ song: i % 3, start: i }));
    const { train, validation } = splitWindowsAtRandom(windows, 0.6, 1);
    expect(validation).toHaveLength(30);
    expect(train).toHaveLength(20);
    const key = (w: { song: number; start: number }) => `${w.song}:${w.start}`;
    expect(new Set([...train, ...validation].map(key)).size).toBe(50);
    expect(splitWindowsAtRandom(windows, 0.6, 1)).toEqual({ train, validation });
  });
});

describe("checkpoint bytes", () => {
  const { model, training } = tinyConfigs();
  const checkpoint: TrainCheckpoint = {
    version: 1,
    epoch: 2,
    history: [],
    modelConfig: model,
    training,
    rngState: [1, 2, 3, 4],
    weights: [Float32Array.from([1.5, -2]), Float32Array.from([3])],
    optimizer: { kind: "adam", step: 7, slots: [Float32Array.from([0.25])] },
    best: { epoch: 1, loss: 1.25, weights: [Float32Array.from([9, 8, 7])] },
    epochsWithoutImprovement: 1,
    stoppedEarly: false,
    elapsedSeconds: 3.5,
  };

  it("round-trip exactly", async () => {
    expect(deserializeCheckpoint(await serializeCheckpoint(checkpoint))).toEqual(checkpoint);
  });

  it("refuse foreign or truncated bytes clearly", async () => {
    expect(() => deserializeCheckpoint(new Uint8Array([1, 2, 3]))).toThrow(/not a Motif training checkpoint/);
    const bytes = await serializeCheckpoint(checkpoint);
    expect(() => deserializeCheckpoint(bytes.subarray(0, bytes.length - 8))).toThrow(
      /truncated Motif checkpoint/,
    );
  });
});

describe("random augmentation draws", () => {
  const training = { seed: 5, augment: [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6], tempoStretch: 0.05 };

  it("are a pure function of the seed and the epoch, and differ from epoch to epoch", () => {
    expect(augmentationDraws(training, 3, 40)).toEqual(augmentationDraws(training, 3, 40));
    expect(augmentationDraws(training, 3, 40)).not.toEqual(augmentationDraws(training, 4, 40));
    expect(augmentationDraws({ ...training, seed: 6 }, 3, 40)).not.toEqual(
      augmentationDraws(training, 3, 40),
    );
  });

  it("draw every transposition of the range, the original included, and stretches inside ±tempoStretch", () => {
    const draws = Array.from({ length: 20 }, (_, epoch) => augmentationDraws(training, epoch + 1, 30)).flat();
    expect(new Set(draws.map((d) => d.shift))).toEqual(new Set([0, ...training.augment]));
    expect(draws.every((d) => d.stretch >= 0.95 && d.stretch <= 1.05)).toBe(true);
    expect(Math.min(...draws.map((d) => d.stretch))).toBeLessThan(0.96);
    expect(Math.max(...draws.map((d) => d.stretch))).toBeGreaterThan(1.04);
  });

  it("keep the tempo without a stretch and count the original once when the list names 0", () => {
    expect(augmentationDraws({ seed: 1, augment: [2] }, 1, 50).every((d) => d.stretch === 1)).toBe(true);
    const withZero = Array.from({ length: 30 }, (_, epoch) =>
      augmentationDraws({ seed: 1, augment: [0, 7] }, epoch + 1, 20),
    ).flat();
    const originals = withZero.filter((d) => d.shift === 0).length / withZero.length;
    expect(originals).toBeGreaterThan(0.4);
    expect(originals).toBeLessThan(0.6);
  });
});

describe("augmentation in the training config", () => {
  const { training } = tinyConfigs({ augment: [-1, 1] });

  it("reads a config without augmentMode (made before it existed) as enumerate-all", () => {
    expect(trainingConfigSchema.safeParse(training).success).toBe(true);
    expect(training.augmentMode).toBeUndefined();
    expect(drawsAugmentation(training)).toBe(false);
    expect(drawsAugmentation({ ...training, augmentMode: "random" })).toBe(true);
    expect(drawsAugmentation({ ...training, augment: [], augmentMode: "random" })).toBe(false);
    expect(drawsAugmentation({ ...training, augment: [], augmentMode: "random", tempoStretch: 0.05 })).toBe(
      true,
    );
  });

  it("refuses a tempo stretch without random draws, and random draws over random windows", () => {
    const issues = (config: object) => {
      const result = trainingConfigSchema.safeParse(config);
      return result.success ? "" : result.error.issues.map((i) => i.message).join("; ");
    };
    expect(issues({ ...training, tempoStretch: 0.05 })).toMatch(/tempoStretch needs augmentMode 'random'/);
    expect(issues({ ...training, augmentMode: "random", tempoStretch: 0.05 })).toBe("");
    expect(issues({ ...training, augmentMode: "random", split: "random-windows" })).toMatch(
      /random augmentation needs split 'songs'/,
    );
    expect(issues({ ...training, augmentMode: "all", split: "random-windows" })).toBe("");
  });
});
