// The built-in models (the repo's builtin-models/, committed) on a real database and the real
// worker pool: listed and usable beside trained ones, their NOTICE.md reachable, a piece generated
// from the shipped model, and a trained bundle of the same name and version hiding the built-in one.
import { mkdtempSync } from "node:fs";
import { cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db";
import { createWorkerPool } from "@/server/generation/worker-pool";
import { createServices, type Services } from "@/server/services/services";
import { createCallerFactory, createContextInner } from "@/server/trpc";
import { appRouter } from "@/server/routers/app-router";
import { createTestDatabase } from "../../../test-support/test-database";
import { TEST_LIMITS, closeTestServices } from "../../../test-support/test-services";
import { writeTinyBundle } from "../../../test-support/tiny-bundle";

const workerScript = join(import.meta.dirname, "..", "..", "..", "dist-worker", "generation-worker.mjs");
const builtinModelsDir = join(import.meta.dirname, "..", "..", "..", "..", "..", "builtin-models");
const createCaller = createCallerFactory(appRouter);

let db: Database;
let services: Services;
let caller: ReturnType<typeof createCaller>;
let modelsDir: string;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  modelsDir = mkdtempSync(join(tmpdir(), "motif-web-builtin-"));
  await writeTinyBundle(modelsDir, { name: "mine", version: "v1" });
  services = createServices({
    db,
    engine: createWorkerPool({ script: workerScript, size: 1 }),
    modelsDir,
    builtinModelsDir,
    corpusDirs: [],
    limits: TEST_LIMITS,
  });
  caller = createCaller(createContextInner(services));
  await caller.models.refresh();
});
afterAll(async () => {
  await closeTestServices(services, db, [modelsDir]);
});

describe("built-in models", () => {
  it("are listed and usable beside trained ones, with their notice", async () => {
    const models = await caller.models.list();
    expect(models.map((m) => `${m.name}/${m.version}`).sort()).toEqual(["mine/v1", "mutopia-piano/v1"]);
    const shipped = models.find((m) => m.name === "mutopia-piano")!;
    expect(shipped.usable).toBe(true);
    expect((shipped.fileSizes as Record<string, number | null>)["NOTICE.md"]).toBeGreaterThan(1000);
    expect(await services.models.noticeFile(shipped.id)).toBe(
      join(builtinModelsDir, "mutopia-piano", "v1", "NOTICE.md"),
    );
    const mine = models.find((m) => m.name === "mine")!;
    expect(await services.models.noticeFile(mine.id)).toBeNull();
  });

  it("generate a piece from the shipped model, with its music report", async () => {
    const shipped = (await caller.models.list()).find((m) => m.name === "mutopia-piano")!;
    const { id } = await caller.pieces.create({
      modelId: shipped.id,
      length: 200,
      temperature: 1,
      topK: null,
      topP: 0.95,
      seed: 11,
      primer: { kind: "none" },
    });
    await services.pieces.idle();
    const piece = await caller.pieces.byId({ id });
    expect(piece.status).toBe("done");
    expect(piece.noteCount).toBeGreaterThan(20);
  }, 120_000);

  it("give way to a trained bundle of the same name and version", async () => {
    await cp(join(builtinModelsDir, "mutopia-piano", "v1"), join(modelsDir, "mutopia-piano", "v1"), {
      recursive: true,
    });
    await caller.models.refresh();
    const listed = (await caller.models.list()).filter((m) => m.name === "mutopia-piano");
    expect(listed).toHaveLength(1);
    expect(await services.models.noticeFile(listed[0]!.id)).toBe(
      join(modelsDir, "mutopia-piano", "v1", "NOTICE.md"),
    );
  });
});
