// Training runs followed live from the trainer's run log (<models>/<name>/runs/<id>/metrics.jsonl),
// through the router: points appear as lines are appended, a torn line is skipped, summary.json
// marks a run finished, and a run that stopped writing long ago reads as stopped.
import { mkdtempSync } from "node:fs";
import { appendFile, mkdir, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db";
import { createWorkerPool } from "@/server/generation/worker-pool";
import { createServices, type Services } from "@/server/services/services";
import { createCallerFactory, createContextInner } from "@/server/trpc";
import { createTestDatabase } from "../../../test-support/test-database";
import { TEST_LIMITS, closeTestServices } from "../../../test-support/test-services";
import { appRouter } from "./app-router";

const workerScript = join(import.meta.dirname, "..", "..", "..", "dist-worker", "generation-worker.mjs");
const createCaller = createCallerFactory(appRouter);

let db: Database;
let services: Services;
let caller: ReturnType<typeof createCaller>;
let modelsDir: string;

const point = (epoch: number, valLoss: number) =>
  JSON.stringify({
    at: "epoch",
    epoch,
    step: epoch * 10,
    tokensSeen: epoch * 640,
    elapsedSeconds: epoch * 30,
    loss: valLoss - 0.1,
    accuracy: 0.3,
    valLoss,
    valAccuracy: 0.4,
    learningRate: 0.002,
  }) + "\n";

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  modelsDir = mkdtempSync(join(tmpdir(), "motif-web-runs-"));
  services = createServices({
    db,
    engine: createWorkerPool({ script: workerScript, size: 1 }),
    modelsDir,
    corpusDirs: [],
    limits: TEST_LIMITS,
  });
  caller = createCaller(createContextInner(services));
});
afterAll(async () => {
  await closeTestServices(services, db, [modelsDir]);
});

describe("training runs", () => {
  it("lists nothing when no run was recorded", async () => {
    expect(await caller.training.runs()).toEqual([]);
  });

  it("follows a run as its metrics are written, skipping a torn line, until its summary says it finished", async () => {
    const dir = join(modelsDir, "mine", "runs", "2026-12-02T01-00-00-000Z");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "metrics.jsonl"), point(1, 2.5));
    let [run] = await caller.training.runs();
    expect(run).toMatchObject({
      id: "mine/2026-12-02T01-00-00-000Z",
      name: "mine",
      state: "running",
      summary: null,
    });
    expect(run!.points.map((p) => p.valLoss)).toEqual([2.5]);

    await appendFile(join(dir, "metrics.jsonl"), point(2, 2.1) + '{"at":"epoch","epo');
    [run] = await caller.training.runs();
    expect(run!.points.map((p) => [p.epoch, p.valLoss])).toEqual([
      [1, 2.5],
      [2, 2.1],
    ]);

    await writeFile(
      join(dir, "summary.json"),
      JSON.stringify({
        name: "mine",
        version: "v1",
        stoppedReason: "epochs",
        bestValLoss: 2.1,
        bestValAccuracy: 0.4,
        epochsRun: 2,
        wallSeconds: 61,
        tokensPerSecond: 900,
      }),
    );
    [run] = await caller.training.runs();
    expect(run).toMatchObject({
      state: "finished",
      summary: { version: "v1", stoppedReason: "epochs", bestValLoss: 2.1 },
    });
  });

  it("lists several runs newest first and calls one that stopped writing long ago stopped", async () => {
    const old = join(modelsDir, "other", "runs", "2026-11-30T00-00-00-000Z");
    await mkdir(old, { recursive: true });
    await writeFile(join(old, "metrics.jsonl"), point(1, 3));
    const longAgo = new Date(Date.now() - 3600_000);
    await utimes(join(old, "metrics.jsonl"), longAgo, longAgo);
    const runs = await caller.training.runs();
    expect(runs.map((r) => [r.name, r.state])).toEqual([
      ["mine", "finished"],
      ["other", "stopped"],
    ]);
  });
});
