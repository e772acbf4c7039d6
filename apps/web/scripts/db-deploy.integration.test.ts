// Migrations never lose data: deploy only the FIRST migration (with `db:deploy`, as production
// does), store models and pieces the way that schema held them, deploy the rest, and find every row
// and every field unchanged, also through today's Prisma client. On SQLite by default, on the
// PostgreSQL database in DATABASE_URL when it is one (its tables are dropped first).
import { cpSync, existsSync, mkdtempSync, readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveDatabaseTarget } from "@/database-url";
import { createDatabase, type Database } from "@/server/db";
import { deployMigrations, testDatabaseUrl, webDir } from "../test-support/test-database";

const url = testDatabaseUrl();
const target = resolveDatabaseTarget(url, webDir);
const migrationsDir = join(webDir, target.schemaDir, "migrations");
const migrations = readdirSync(migrationsDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

// The first migration's columns (a committed migration never changes: its checksum is recorded).
const MODEL_COLUMNS = [
  "id",
  "name",
  "version",
  "path",
  "preset",
  "tokenizer",
  "tokenizerVersion",
  "vocabSize",
  "parameters",
  "datasetSummary",
  "finalMetrics",
  "fileSizes",
  "bundleHash",
  "usable",
  "unusableReason",
  "present",
  "createdAt",
  "updatedAt",
  "scannedAt",
] as const;
const PIECE_COLUMNS = [
  "id",
  "title",
  "modelId",
  "bundleHash",
  "seed",
  "temperature",
  "topK",
  "topP",
  "length",
  "primerKind",
  "primerTokens",
  "primerLabel",
  "status",
  "error",
  "tokens",
  "tokenCount",
  "notes",
  "noteCount",
  "midi",
  "durationSeconds",
  "playCount",
  "regeneratedFromId",
  "createdAt",
  "updatedAt",
  "finishedAt",
] as const;
const JSON_COLUMNS = new Set([
  "datasetSummary",
  "finalMetrics",
  "fileSizes",
  "primerTokens",
  "tokens",
  "notes",
]);

type Row = Record<string, unknown>;
const at = (iso: string) => new Date(iso);

const models: Row[] = [
  {
    id: "model-a",
    name: "mutopia-piano",
    version: "v1",
    path: "/models/mutopia-piano/v1",
    preset: "small",
    tokenizer: "timed",
    tokenizerVersion: 2,
    vocabSize: 413,
    parameters: 920142,
    datasetSummary: { files: 391, tokens: 123456, skipped: ["bad.mid"] },
    finalMetrics: { valLoss: 2.07, valAccuracy: 0.41 },
    fileSizes: { "model.json": 2048, "weights.bin": 3680000 },
    bundleHash: "a".repeat(64),
    usable: true,
    unusableReason: null,
    present: true,
    createdAt: at("2026-11-25T10:00:00.000Z"),
    updatedAt: at("2026-11-25T10:05:00.000Z"),
    scannedAt: at("2026-11-25T10:05:00.000Z"),
  },
  {
    id: "model-b",
    name: "broken",
    version: "v0",
    path: "/models/broken/v0",
    preset: "tiny",
    tokenizer: "notes-chords",
    tokenizerVersion: 1,
    vocabSize: 90,
    parameters: 1234,
    datasetSummary: {},
    finalMetrics: null,
    fileSizes: { "bundle.json": null },
    bundleHash: "",
    usable: false,
    unusableReason: "weights.bin is missing",
    present: false,
    createdAt: at("2026-11-25T11:00:00.000Z"),
    updatedAt: at("2026-11-25T11:00:00.000Z"),
    scannedAt: at("2026-11-26T09:00:00.000Z"),
  },
];
const pieces: Row[] = [
  {
    id: "piece-done",
    title: "Nocturne in A minor <b>ünïcode</b>",
    modelId: "model-a",
    bundleHash: "a".repeat(64),
    seed: 42,
    temperature: 0.9,
    topK: 20,
    topP: 0.95,
    length: 500,
    primerKind: "corpus",
    primerTokens: ["T120", "N60"],
    primerLabel: "song.mid, bars 3–5",
    status: "done",
    error: null,
    tokens: ["N60", "V5", "D4"],
    tokenCount: 3,
    notes: [[60, 0, 0.5, 80]],
    noteCount: 1,
    midi: new Uint8Array([0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 1, 0, 1, 1, 0xe0, 0xff, 0]),
    durationSeconds: 12.5,
    playCount: 7,
    regeneratedFromId: null,
    createdAt: at("2026-11-25T12:00:00.000Z"),
    updatedAt: at("2026-11-25T12:01:00.000Z"),
    finishedAt: at("2026-11-25T12:01:00.000Z"),
  },
  {
    id: "piece-replay",
    title: "Nocturne in A minor (replay)",
    modelId: "model-a",
    bundleHash: "a".repeat(64),
    seed: 42,
    temperature: 0.9,
    topK: 20,
    topP: 0.95,
    length: 500,
    primerKind: "none",
    primerTokens: [],
    primerLabel: null,
    status: "failed",
    error: "worker crashed at token 12",
    tokens: [],
    tokenCount: 0,
    notes: [],
    noteCount: 0,
    midi: null,
    durationSeconds: 0,
    playCount: 0,
    regeneratedFromId: "piece-done",
    createdAt: at("2026-11-25T12:02:00.000Z"),
    updatedAt: at("2026-11-25T12:02:30.000Z"),
    finishedAt: null,
  },
  {
    id: "piece-waiting",
    title: "Piece 7",
    modelId: "model-b",
    bundleHash: "",
    seed: 7,
    temperature: 1,
    topK: null,
    topP: null,
    length: 1500,
    primerKind: "upload",
    primerTokens: ["N64"],
    primerLabel: "mine.mid",
    status: "generating",
    error: null,
    tokens: [],
    tokenCount: 0,
    notes: [],
    noteCount: 0,
    midi: null,
    durationSeconds: 0,
    playCount: 0,
    regeneratedFromId: null,
    createdAt: at("2026-11-25T12:03:00.000Z"),
    updatedAt: at("2026-11-25T12:03:00.000Z"),
    finishedAt: null,
  },
];

async function insert(db: Database, table: string, columns: readonly string[], row: Row) {
  const pg = target.provider === "postgresql";
  const placeholders = columns.map((column, i) =>
    pg ? `$${i + 1}${JSON_COLUMNS.has(column) ? "::jsonb" : ""}` : "?",
  );
  const values = columns.map((column) =>
    JSON_COLUMNS.has(column) && row[column] !== null ? JSON.stringify(row[column]) : row[column],
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${placeholders.join(", ")})`,
    ...values,
  );
}

const selectAll = (db: Database, table: string, columns: readonly string[]) =>
  db.$queryRawUnsafe<Row[]>(
    `SELECT ${columns.map((c) => `"${c}"`).join(", ")} FROM "${table}" ORDER BY "id"`,
  );

describe(`migrations keep every row (${target.provider}, ${migrations.length} migrations)`, () => {
  let db: Database;
  let firstOnly: string;
  const before: Record<string, Row[]> = {};

  beforeAll(async () => {
    db = createDatabase(target);
    if (target.provider === "postgresql") {
      const tables = await db.$queryRawUnsafe<{ tablename: string }[]>(
        `SELECT tablename::text AS tablename FROM pg_tables WHERE schemaname = 'public'`,
      );
      for (const { tablename } of tables) await db.$executeRawUnsafe(`DROP TABLE "${tablename}" CASCADE`);
    }
    // A migrations folder holding only the first migration (and the provider lock).
    firstOnly = mkdtempSync(join(tmpdir(), "motif-first-migration-"));
    cpSync(join(migrationsDir, migrations[0]!), join(firstOnly, migrations[0]!), { recursive: true });
    if (existsSync(join(migrationsDir, "migration_lock.toml")))
      cpSync(join(migrationsDir, "migration_lock.toml"), join(firstOnly, "migration_lock.toml"));
    deployMigrations(url, firstOnly);
  });

  afterAll(async () => {
    await db?.$disconnect();
    if (firstOnly) await rm(firstOnly, { recursive: true, force: true });
    if (target.provider === "sqlite") await rm(dirname(target.filePath), { recursive: true, force: true });
  });

  it("stores rows under the first migration alone", async () => {
    expect(migrations.length).toBeGreaterThan(1);
    for (const model of models) await insert(db, "Model", MODEL_COLUMNS, model);
    for (const piece of pieces) await insert(db, "Piece", PIECE_COLUMNS, piece);
    before.Model = await selectAll(db, "Model", MODEL_COLUMNS);
    before.Piece = await selectAll(db, "Piece", PIECE_COLUMNS);
    expect([before.Model.length, before.Piece.length]).toEqual([models.length, pieces.length]);
  });

  it("deploys the rest and finds every row and field as it was", async () => {
    // As in production: the app is stopped while `db:deploy` runs.
    await db.$disconnect();
    deployMigrations(url);
    const applied = await db.$queryRawUnsafe<{ migration_name: string }[]>(
      `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL ORDER BY "migration_name"`,
    );
    expect(applied.map((row) => row.migration_name)).toEqual(migrations);
    expect(await selectAll(db, "Model", MODEL_COLUMNS)).toEqual(before.Model);
    expect(await selectAll(db, "Piece", PIECE_COLUMNS)).toEqual(before.Piece);
  });

  it("reads the old rows through today's Prisma client, field for field", async () => {
    const readModels = await db.model.findMany({ orderBy: { id: "asc" } });
    const readPieces = await db.piece.findMany({ orderBy: { id: "asc" } });
    const pick = (row: Row, columns: readonly string[]) =>
      Object.fromEntries(
        columns.map((c) => [c, row[c] instanceof Uint8Array ? Array.from(row[c] as Uint8Array) : row[c]]),
      );
    const sorted = (rows: Row[]) => [...rows].sort((a, b) => String(a.id).localeCompare(String(b.id)));
    expect(readModels.map((row) => pick(row, MODEL_COLUMNS))).toEqual(
      sorted(models).map((row) => pick(row, MODEL_COLUMNS)),
    );
    expect(readPieces.map((row) => pick(row, PIECE_COLUMNS))).toEqual(
      sorted(pieces).map((row) => pick(row, PIECE_COLUMNS)),
    );
  });
});
