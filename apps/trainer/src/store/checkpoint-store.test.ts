// The checkpoint on disk: a full disk while saving one fails with a clear message and leaves the
// previous checkpoint exactly as it was (both files, nothing temporary), so --resume still works.
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createModel,
  presetConfigs,
  serializeCheckpoint,
  trainModel,
  type TrainCheckpoint,
} from "@motif/core";
import {
  checkpointDir,
  loadCheckpoint,
  markPublishing,
  publishingVersion,
  saveCheckpoint,
  type SavedRun,
} from "./checkpoint-store.js";
import { byteCount, diskFullAfter } from "./test-support/full-disk.js";

let root: string;
const checkpoints: TrainCheckpoint[] = [];
let run: SavedRun;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "motif-checkpoint-"));
  // Two epochs of a real (tiny) training give two real checkpoints.
  const vocabSize = 12;
  const { model: modelConfig, training } = presetConfigs("default", vocabSize, {
    units: [8],
    seqLen: 8,
    embeddingDim: 4,
    batchSize: 4,
    epochs: 2,
    patience: null,
    seed: 5,
  });
  const song = (name: string, start: number) => ({
    name,
    ids: Int32Array.from({ length: 60 }, (_, i) => (start + i * 5) % vocabSize),
  });
  const model = createModel(modelConfig, training.seed);
  await trainModel({
    model,
    modelConfig,
    training,
    train: [song("a", 0), song("b", 3)],
    validation: [song("c", 7)],
    callbacks: { onCheckpoint: (c) => void checkpoints.push(c) },
  });
  model.dispose();
  run = {
    formatVersion: 1,
    name: "demo",
    data: null,
    tokenizer: "timed",
    modelConfig,
    training,
    fingerprint: [],
    vocabulary: [],
    backend: "cpu",
    startedAt: "2026-12-02T00:00:00.000Z",
    runId: "r1",
  };
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("saveCheckpoint", () => {
  it("on a full disk fails naming the folder and keeps the previous checkpoint whole", async () => {
    const dir = checkpointDir(root, "demo");
    const [first, second] = checkpoints as [TrainCheckpoint, TrainCheckpoint];
    await saveCheckpoint(dir, run, first);
    const before = await readFile(path.join(dir, "checkpoint.bin"));
    const binBytes = byteCount({ bin: await serializeCheckpoint(second) });
    const needed = binBytes + byteCount({ run: JSON.stringify(run, null, 2) + "\n" });
    // Full at the start, inside checkpoint.bin, right after it (checkpoint.bin complete, run.json not) and inside run.json.
    for (const capacity of [0, 1, Math.floor(binBytes / 2), binBytes, needed - 1]) {
      await expect(saveCheckpoint(dir, run, second, diskFullAfter(capacity))).rejects.toThrow(
        `disk full: could not save the checkpoint of epoch 2 in ${dir} (ENOSPC: no space left on device, write); nothing in it changed`,
      );
      expect((await readdir(dir)).sort()).toEqual(["checkpoint.bin", "run.json"]);
      expect((await readFile(path.join(dir, "checkpoint.bin"))).equals(before)).toBe(true);
      expect((await loadCheckpoint(dir)).checkpoint.epoch).toBe(1);
    }
    await saveCheckpoint(dir, run, second, diskFullAfter(needed));
    const loaded = await loadCheckpoint(dir);
    expect(loaded.checkpoint.epoch).toBe(2);
    expect(loaded.run).toEqual(run);
  });
});

describe("markPublishing", () => {
  it("notes the version a checkpoint's run is being published as, beside a checkpoint and nowhere else", async () => {
    const dir = checkpointDir(root, "marked");
    await markPublishing(dir, "v3"); // no checkpoint: nothing to resume, nothing noted
    expect(await publishingVersion(dir)).toBeNull();
    await saveCheckpoint(dir, run, checkpoints[0]!);
    expect(await publishingVersion(dir)).toBeNull();
    await markPublishing(dir, "v3");
    expect(await publishingVersion(dir)).toBe("v3");
    expect((await loadCheckpoint(dir)).checkpoint.epoch).toBe(1); // the checkpoint still loads
  });
});
