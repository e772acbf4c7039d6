// Music reports through the routers on a real database and the real worker pool: a bundle without
// evaluation.json, and a copy of it (same weights) whose evaluation's reference holds a piece the
// first one generated, so the same recipe on the second must be reported as copied from it.
import { mkdtempSync } from "node:fs";
import { cp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_EVALUATION, type ModelEvaluation, type PieceReport } from "@/lib/music-report";
import type { Database } from "@/server/db";
import { DbNull } from "@/server/db";
import { createWorkerPool } from "@/server/generation/worker-pool";
import { createServices, type Services } from "@/server/services/services";
import { createCallerFactory, createContextInner } from "@/server/trpc";
import { createTestDatabase } from "../../../test-support/test-database";
import { TEST_LIMITS, closeTestServices } from "../../../test-support/test-services";
import { writeTinyBundle, writeTinyEvaluation } from "../../../test-support/tiny-bundle";
import { expectTrpcError } from "../../../test-support/trpc-errors";
import { appRouter } from "./app-router";

const workerScript = join(import.meta.dirname, "..", "..", "..", "dist-worker", "generation-worker.mjs");
const createCaller = createCallerFactory(appRouter);

let db: Database;
let services: Services;
let caller: ReturnType<typeof createCaller>;
let modelsDir: string;
let plainId: string;
let plainDir: string;
let copierId: string;
/** A piece of the plain model whose notes are a song of the copier's reference. */
let earlier: Awaited<ReturnType<typeof finished>>;

const recipe = (modelId: string, seed: number) => ({
  modelId,
  length: 120,
  temperature: 1,
  topK: null,
  topP: 0.95,
  seed,
  primer: { kind: "none" as const },
});

async function finished(id: string) {
  await services.pieces.idle();
  return caller.pieces.byId({ id });
}

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  modelsDir = mkdtempSync(join(tmpdir(), "motif-web-reports-"));
  const plain = await writeTinyBundle(modelsDir, { name: "plain", version: "v1" });
  plainDir = plain.dir;
  services = createServices({
    db,
    engine: createWorkerPool({ script: workerScript, size: 1 }),
    modelsDir,
    corpusDirs: [],
    limits: TEST_LIMITS,
  });
  caller = createCaller(createContextInner(services));
  await caller.models.refresh();
  plainId = (await caller.models.list()).find((m) => m.name === "plain")!.id;
  earlier = await finished((await caller.pieces.create(recipe(plainId, 5))).id);
  // The same weights published again, now with an evaluation whose reference includes that piece.
  const copierDir = join(modelsDir, "copier", "v1");
  await cp(plain.dir, copierDir, { recursive: true });
  await writeTinyEvaluation(copierDir, {
    extraReference: [
      {
        name: "earlier-piece.mid",
        notes: earlier.notes.map(([pitch, velocity, startQuarter, endQuarter]) => ({
          pitch,
          velocity,
          startQuarter,
          endQuarter,
        })),
      },
    ],
  });
  // An evaluation made for another bundle is refused (the model is listed as unusable, with why).
  const staleDir = join(modelsDir, "stale", "v1");
  await cp(copierDir, staleDir, { recursive: true });
  const stale = JSON.parse(await readFile(join(staleDir, "evaluation.json"), "utf8")) as {
    bundleContentHash: string;
  };
  stale.bundleContentHash = "f".repeat(64);
  await writeFile(join(staleDir, "evaluation.json"), JSON.stringify(stale));
  expect(await caller.models.refresh()).toMatchObject({ found: 3, usable: 2 });
  copierId = (await caller.models.list()).find((m) => m.name === "copier")!.id;
}, 300_000);

afterAll(() => closeTestServices(services, db, [modelsDir]));

describe("music reports", () => {
  it("stores the bundle's evaluation with the model, and says which models have none or a wrong one", async () => {
    const models = await caller.models.list();
    const copier = models.find((m) => m.name === "copier")!;
    const evaluation = copier.evaluation as unknown as ModelEvaluation;
    expect(evaluation.summary).toMatchObject({ pieces: 2, collapseRate: 0.5 });
    expect(evaluation.summary.meanOA).toBeGreaterThan(0);
    expect(evaluation.human).toMatchObject({ pieces: 1 });
    expect(evaluation.reference).toMatchObject({ songs: 2 });
    expect(Object.keys(evaluation.histograms)).toContain("scaleConsistency");
    expect((copier.fileSizes as Record<string, number | null>)["evaluation.json"]).toBeGreaterThan(100);
    expect(models.find((m) => m.name === "plain")!.evaluation).toBeNull();
    const stale = models.find((m) => m.name === "stale")!;
    expect(stale).toMatchObject({ usable: false, evaluation: null });
    expect(stale.unusableReason).toMatch(/evaluation\.json was made for bundle ffffffffffff/);
  });

  it("a model without evaluation: the finished piece has features and keys, no copy figures, and says why", () => {
    const report = earlier.report!;
    expect(report).toMatchObject({
      notes: earlier.noteCount,
      copy: null,
      unavailable: NO_EVALUATION,
      referenceSongs: null,
    });
    expect(report.key).toMatch(/^[A-G][b#]? (major|minor)$/);
    expect(report.metrics.find((m) => m.key === "scaleConsistency")!.value).toBeGreaterThan(0);
    expect(report.metrics.every((m) => m.range === null)).toBe(true);
  });

  it("stores the report of a piece that copies its training notes: source, bar, heavy copy", async () => {
    const piece = await finished((await caller.pieces.create(recipe(copierId, 5))).id);
    expect(piece.notes).toEqual(earlier.notes);
    const report = piece.report!;
    expect(report.unavailable).toBeNull();
    expect(report.referenceSongs).toBe(2);
    expect(report.copy!.longest).toMatchObject({
      notes: piece.noteCount,
      source: "earlier-piece.mid",
      bar: 1,
      pieceBar: 1,
      sourceStartQuarter: report.copy!.longest!.pieceStartQuarter,
    });
    expect(report.copy!["copy@8"]).toBe(1);
    expect(report.copy!.humanLongestMax).toBeLessThan(piece.noteCount);
    expect(report.copy!.heavy).toBe(true);
    expect(report.metrics.find((m) => m.key === "pitchRange")!.range).not.toBeNull();
    expect(report.metrics.every((m) => m.position !== null)).toBe(true);
    const row = await db.piece.findUniqueOrThrow({
      where: { id: piece.id },
      select: { heavyCopy: true, longestCopyNotes: true },
    });
    expect(row).toEqual({ heavyCopy: true, longestCopyNotes: piece.noteCount });

    // Only the passage's notes leave the server: the piece's own notes, back from the reference.
    const passage = await caller.pieces.sourcePassage({ id: piece.id });
    expect(passage).toMatchObject({ source: "earlier-piece.mid", bar: 1 });
    expect(passage.notes).toHaveLength(report.copy!.longest!.notes);
    expect(passage.notes[0]![2]).toBe(0);
    const sorted = (notes: number[][]) => notes.map((n) => n[0]).sort((a, b) => a! - b!);
    expect(sorted(passage.notes)).toEqual(sorted(piece.notes));
  });

  it("answers the source passage of a piece without one with BAD_REQUEST, and an unknown piece with NOT_FOUND", async () => {
    await expectTrpcError(
      caller.pieces.sourcePassage({ id: earlier.id }),
      "BAD_REQUEST",
      /no training passage to play: no evaluation in this bundle/,
    );
    await expectTrpcError(caller.pieces.sourcePassage({ id: "missing" }), "NOT_FOUND", /no piece/);
    await expectTrpcError(caller.pieces.report({ id: "missing" }), "NOT_FOUND", /no piece/);
    await expectTrpcError(caller.pieces.sourcePassage({ id: "" }), "BAD_REQUEST", /an id is required/);
  });

  it("filters the gallery by heavy copies", async () => {
    const all = (await caller.pieces.list({ limit: 60 })).items;
    const heavy = (await caller.pieces.list({ limit: 60, copies: "heavy" })).items;
    const others = (await caller.pieces.list({ limit: 60, copies: "hide-heavy" })).items;
    expect(heavy.length).toBeGreaterThan(0);
    expect(heavy.every((p) => p.heavyCopy && p.longestCopyNotes! > 0)).toBe(true);
    expect(others.every((p) => !p.heavyCopy)).toBe(true);
    expect(others.map((p) => p.id)).toContain(earlier.id);
    expect(new Set([...heavy, ...others].map((p) => p.id))).toEqual(new Set(all.map((p) => p.id)));
    expect((await caller.pieces.list({ limit: 60, copies: "heavy", modelId: plainId })).items).toHaveLength(
      0,
    );
    await expectTrpcError(
      caller.pieces.list({ limit: 60, copies: "some" as "all" }),
      "BAD_REQUEST",
      /copies must be \\"all\\", \\"heavy\\" or \\"hide-heavy\\"/,
    );
  });

  it("computes the report of a piece made before reports once, on request, and stores it", async () => {
    const piece = await finished((await caller.pieces.create(recipe(copierId, 5))).id);
    const original = piece.report!;
    await db.piece.update({
      where: { id: piece.id },
      data: { report: DbNull, heavyCopy: false, longestCopyNotes: null },
      select: { id: true },
    });
    expect((await caller.pieces.byId({ id: piece.id })).report).toBeNull();
    expect((await caller.pieces.list({ limit: 60, copies: "heavy" })).items.map((p) => p.id)).not.toContain(
      piece.id,
    );
    // Two views at once share one job.
    const [a, b] = await Promise.all([
      caller.pieces.report({ id: piece.id }),
      caller.pieces.report({ id: piece.id }),
    ]);
    expect(a).toEqual(b);
    // SQLite's JSON keeps 15 significant digits: compare at 12.
    const withoutTime = (report: PieceReport) =>
      JSON.parse(
        JSON.stringify({ ...report, computedAt: "" }, (_, v: unknown) =>
          typeof v === "number" ? Number(v.toPrecision(12)) : v,
        ),
      ) as unknown;
    expect(withoutTime(a)).toEqual(withoutTime(original));
    const stored = await db.piece.findUniqueOrThrow({
      where: { id: piece.id },
      select: { report: true, heavyCopy: true, longestCopyNotes: true },
    });
    expect(stored).toMatchObject({ heavyCopy: true, longestCopyNotes: original.copy!.longest!.notes });
    expect((stored.report as unknown as PieceReport).computedAt).toBe(a.computedAt);
    // Stored now: a later request answers from the database.
    expect((await caller.pieces.report({ id: piece.id })).computedAt).toBe(a.computedAt);
    expect((await caller.pieces.list({ limit: 60, copies: "heavy" })).items.map((p) => p.id)).toContain(
      piece.id,
    );
  });

  it("has no report for a failed piece, and says so", async () => {
    const failed = await db.piece.create({
      data: {
        title: "broken",
        modelId: plainId,
        bundleHash: earlier.bundleHash,
        seed: 1,
        temperature: 1,
        topK: null,
        topP: 0.95,
        length: 40,
        primerKind: "none",
        primerTokens: [],
        tokens: [],
        notes: [],
        status: "failed",
        error: "x",
      },
      select: { id: true },
    });
    await expectTrpcError(
      caller.pieces.report({ id: failed.id }),
      "BAD_REQUEST",
      /a failed piece has no report/,
    );
  });

  it("picks up an evaluation attached to a bundle the worker already loaded (same content hash)", async () => {
    await writeTinyEvaluation(plainDir);
    const piece = await finished((await caller.pieces.create(recipe(plainId, 6))).id);
    expect(piece.report).toMatchObject({ unavailable: null, referenceSongs: 1 });
    expect(piece.report!.copy).not.toBeNull();
    await caller.models.refresh();
    const plain = (await caller.models.list()).find((m) => m.name === "plain")!;
    expect((plain.evaluation as unknown as ModelEvaluation | null)?.reference).toMatchObject({ songs: 1 });
  });
});
