// The public rescan (models.refresh) through createCaller on a real migrated database and the real
// worker pool: concurrent calls share one scan, a recent scan answers while the folders look the
// same, and a bundle added to the folder is still found.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db";
import type { GenerationEngine } from "@/server/generation/engine";
import { createWorkerPool } from "@/server/generation/worker-pool";
import { MODEL_RESCAN_REUSE_MS } from "@/server/services/model-registry";
import { createServices, type Services } from "@/server/services/services";
import { createCallerFactory, createContextInner } from "@/server/trpc";
import { createTestDatabase } from "../../../test-support/test-database";
import { TEST_LIMITS, closeTestServices } from "../../../test-support/test-services";
import { writeTinyBundle } from "../../../test-support/tiny-bundle";
import { appRouter } from "./app-router";

const workerScript = join(import.meta.dirname, "..", "..", "..", "dist-worker", "generation-worker.mjs");
const createCaller = createCallerFactory(appRouter);

let db: Database;
let services: Services;
let modelsDir: string;
/** Bundles inspected (hashed on a worker) so far: one per bundle per scan. */
let inspections = 0;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  modelsDir = mkdtempSync(join(tmpdir(), "motif-web-rescan-"));
  await writeTinyBundle(modelsDir, { name: "tiny", version: "v1" });
  const pool = createWorkerPool({ script: workerScript, size: 1 });
  const engine: GenerationEngine = {
    ...pool,
    inspectBundle: (dir) => {
      inspections += 1;
      return pool.inspectBundle(dir);
    },
  };
  services = createServices({ db, engine, modelsDir, corpusDirs: [], limits: TEST_LIMITS });
}, 300_000);

afterAll(() => closeTestServices(services, db, [modelsDir]));

const caller = (clientAddress: string) => createCaller(createContextInner(services, { clientAddress }));

describe("models.refresh, public", () => {
  it("shares one scan between concurrent calls and answers from a recent one while the folders are unchanged", async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => caller(`198.51.100.${i}`).models.refresh()),
    );
    expect(inspections).toBe(1);
    for (const answer of answers) expect(answer).toEqual({ found: 1, usable: 1, unusable: [] });

    // Back to back, within the interval: no bundle is inspected again.
    for (let i = 0; i < 10; i += 1)
      expect(await caller("198.51.100.1").models.refresh()).toMatchObject({ found: 1, usable: 1 });
    expect(inspections).toBe(1);
  });

  it("still finds a bundle dropped into the folder, and scans again once the interval has passed", async () => {
    await writeTinyBundle(modelsDir, { name: "second", version: "v1" });
    const [first, second] = await Promise.all([
      caller("198.51.100.1").models.refresh(),
      caller("198.51.100.2").models.refresh(),
    ]);
    expect(first).toMatchObject({ found: 2, usable: 2 });
    expect(second).toEqual(first);
    expect(inspections).toBe(3);
    expect((await caller("198.51.100.1").models.list()).map((m) => m.name).sort()).toEqual([
      "second",
      "tiny",
    ]);

    await new Promise((resolve) => setTimeout(resolve, MODEL_RESCAN_REUSE_MS + 100));
    expect(await caller("198.51.100.3").models.refresh()).toMatchObject({ found: 2, usable: 2 });
    expect(inspections).toBe(5);
  }, 60_000);
});
