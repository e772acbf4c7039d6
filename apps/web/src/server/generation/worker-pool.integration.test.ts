// The worker pool with the real worker and a tiny trained bundle: the concurrency limit holds,
// results are deterministic across workers, and bad bundles and primers come back as errors.
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyBundle } from "../../../test-support/tiny-bundle";
import type { GenerateJob } from "./engine";
import { createWorkerPool } from "./worker-pool";

const script = join(import.meta.dirname, "..", "..", "..", "dist-worker", "generation-worker.mjs");
let modelsDir: string;
let job: GenerateJob;

beforeAll(async () => {
  modelsDir = mkdtempSync(join(tmpdir(), "motif-pool-"));
  const { dir } = await writeTinyBundle(modelsDir);
  const pool = createWorkerPool({ script, size: 1 });
  const inspection = await pool.inspectBundle(dir);
  await pool.close();
  if (!inspection.ok) throw new Error(inspection.reasons.join("; "));
  job = { modelDir: dir, bundleHash: inspection.info.bundleHash, seed: 3, temperature: 1, topK: null, topP: 0.95, length: 300, primerTokens: [], title: "t" };
}, 120_000);

afterAll(() => rm(modelsDir, { recursive: true, force: true }));

describe("worker pool", () => {
  it("runs one job per worker: with size 1 the second job starts streaming only after the first finished", async () => {
    const pool = createWorkerPool({ script, size: 1 });
    const timeline: string[] = [];
    const watch = (name: string) => {
      let started = false;
      return () => {
        if (!started) timeline.push(`${name} streams`);
        started = true;
      };
    };
    const first = pool.generate(job, watch("a")).then((r) => (timeline.push("a done"), r));
    const second = pool.generate({ ...job, seed: 4 }, watch("b")).then((r) => (timeline.push("b done"), r));
    await Promise.all([first, second]);
    expect(timeline).toEqual(["a streams", "a done", "b streams", "b done"]);
    await pool.close();
  });

  it("gives identical results for the same job on different workers, and reports the backend", async () => {
    const pool = createWorkerPool({ script, size: 2 });
    const [a, b] = await Promise.all([pool.generate(job, () => undefined), pool.generate(job, () => undefined)]);
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens).toHaveLength(300);
    expect(Buffer.from(a.midi).equals(Buffer.from(b.midi))).toBe(true);
    expect(pool.backends().filter((backend) => backend === "wasm" || backend === "cpu")).toHaveLength(2);
    await pool.close();
  });

  it("answers a missing bundle, a changed bundle and a non-MIDI primer with errors naming the problem", async () => {
    const pool = createWorkerPool({ script, size: 1 });
    expect(await pool.inspectBundle(join(modelsDir, "nowhere"))).toEqual({ ok: false, reasons: ["model.json is missing", "weights.bin is missing", "bundle.json is missing"], info: {} });
    await expect(pool.generate({ ...job, bundleHash: "0".repeat(64) }, () => undefined)).rejects.toThrow(/changed \(content hash/);
    const error = await pool.primerFromMidi({ modelDir: job.modelDir, bytes: new TextEncoder().encode("MThd but not really"), fileName: "x.mid", maxTokens: 8 }).catch((e: unknown) => e);
    expect((error as Error).name).toBe("PrimerError");
    expect((error as Error).message).toMatch(/^"x.mid" is not a MIDI file Motif can read: /);
    await pool.close();
    await expect(pool.generate(job, () => undefined)).rejects.toThrow(/closed/);
  });
});
