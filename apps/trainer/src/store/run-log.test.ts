import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ValidationPoint } from "@motif/core";
import { appendMetrics, metricsLine, openMetricsLog, parseMetricsLog, runDir, runIdOf } from "./run-log.js";

const point = (step: number, at: ValidationPoint["at"] = "epoch"): ValidationPoint => ({
  at,
  epoch: Math.ceil(step / 10),
  step,
  tokensSeen: step * 64,
  elapsedSeconds: step / 2,
  loss: 3,
  accuracy: 0.2,
  valLoss: 3.5,
  valAccuracy: 0.1,
  valInKeyMass: null,
  valNoteAccuracy: null,
  learningRate: 0.002,
});

const work = await mkdtemp(path.join(tmpdir(), "motif-run-log-"));
afterAll(() => rm(work, { recursive: true, force: true }));

describe("run log", () => {
  it("names run folders by start time, beside the model's versions", () => {
    expect(runIdOf("2026-12-02T10:15:03.120Z")).toBe("2026-12-02T10-15-03-120Z");
    expect(runDir("/models", "mine", "r1")).toBe(path.join("/models", "mine", "runs", "r1"));
  });

  it("writes one JSON line per validation, in-key figures only where measured, and reads them back", () => {
    const line = metricsLine(point(10));
    expect(JSON.parse(line)).not.toHaveProperty("valInKeyMass");
    expect(JSON.parse(metricsLine({ ...point(10), valInKeyMass: 0.9 }))).toMatchObject({
      valInKeyMass: 0.9,
      step: 10,
      tokensSeen: 640,
    });
    expect(parseMetricsLog(`${line}\n${metricsLine(point(20, "step"))}\n{"at":"epo`)).toEqual([
      point(10),
      point(20, "step"),
    ]);
  });

  it("starts empty, appends, and on resume keeps only the lines up to the checkpoint's step", async () => {
    const dir = path.join(work, "runs", "a");
    const file = await openMetricsLog(dir, null);
    for (const step of [5, 10, 15, 20, 25])
      await appendMetrics(file, point(step, step % 10 === 0 ? "epoch" : "step"));
    expect(parseMetricsLog(await readFile(file, "utf8")).map((p) => p.step)).toEqual([5, 10, 15, 20, 25]);
    await openMetricsLog(dir, 20);
    expect(parseMetricsLog(await readFile(file, "utf8")).map((p) => p.step)).toEqual([5, 10, 15, 20]);
    await writeFile(file, "not json\n");
    await openMetricsLog(dir, 20);
    expect(await readFile(file, "utf8")).toBe("");
  });
});
