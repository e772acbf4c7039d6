// The app's SQLite connections: WAL mode (stored in the file, so every other connection sees it)
// and a busy timeout, so two connections writing at once wait for each other instead of failing
// with SQLITE_BUSY. The second connection runs on a worker thread (synchronous writes would block
// this one) through the same better-sqlite3 the Prisma adapter loads: two SQLite libraries in one
// process do not see each other's locks. PostgreSQL has neither setting: skipped there.
import { once } from "node:events";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveDatabaseTarget } from "@/database-url";
import { createDatabase, SQLITE_BUSY_TIMEOUT_MS, type Database } from "@/server/db";
import { deployMigrations, testDatabaseUrl, webDir } from "../../test-support/test-database";

const url = testDatabaseUrl();
const target = resolveDatabaseTarget(url, webDir);
const adapterRequire = createRequire(createRequire(`${webDir}/`).resolve("@prisma/adapter-better-sqlite3"));
const driver = adapterRequire.resolve("better-sqlite3");

interface OtherConnection {
  journalMode: string;
  busy: number;
  done: number;
}

/** A second connection in another thread: `writes` transactions that each hold the write lock ~4 ms. */
async function writeFromAnotherConnection(
  filePath: string,
  writes: number,
  timeout: number,
): Promise<OtherConnection> {
  const worker = new Worker(
    `const { workerData, parentPort } = require("node:worker_threads");
     const Database = require(workerData.driver);
     const db = new Database(workerData.filePath, { timeout: workerData.timeout });
     const journalMode = db.pragma("journal_mode", { simple: true });
     const insert = db.prepare('INSERT INTO "LockProbe" ("writer", "n") VALUES (?, ?)');
     let busy = 0, done = 0;
     for (let n = 0; n < workerData.writes; n++) {
       try {
         db.exec("BEGIN IMMEDIATE");
         insert.run("worker", n);
         const until = Date.now() + 4; while (Date.now() < until) {}
         db.exec("COMMIT");
         done++;
       } catch (error) {
         if (db.inTransaction) db.exec("ROLLBACK");
         if (error.code === "SQLITE_BUSY") busy++; else throw error;
       }
     }
     db.close();
     parentPort.postMessage({ journalMode, busy, done });`,
    { eval: true, workerData: { driver, filePath, writes, timeout } },
  );
  const [result] = (await once(worker, "message")) as [OtherConnection];
  return result;
}

const modelRow = (n: number) => ({
  name: `probe-${n}`,
  version: "v1",
  path: "/nowhere",
  preset: "tiny",
  tokenizer: "timed",
  tokenizerVersion: 1,
  vocabSize: 10,
  parameters: 1,
  datasetSummary: {},
  fileSizes: {},
  bundleHash: "",
  usable: false,
});

describe.skipIf(target.provider !== "sqlite")("the app's SQLite database", () => {
  let db: Database;
  const filePath = target.provider === "sqlite" ? target.filePath : "";

  beforeAll(async () => {
    deployMigrations(url);
    db = createDatabase(target);
    await db.$executeRawUnsafe(`CREATE TABLE "LockProbe" ("writer" TEXT NOT NULL, "n" INTEGER NOT NULL)`);
  });

  afterAll(async () => {
    await db?.$disconnect();
    if (filePath) await rm(dirname(filePath), { recursive: true, force: true });
  });

  it("is in WAL mode, and a second connection sees it", async () => {
    const [row] = await db.$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
    expect(row?.journal_mode).toBe("wal");
    expect((await writeFromAnotherConnection(filePath, 0, SQLITE_BUSY_TIMEOUT_MS)).journalMode).toBe("wal");
  });

  it("lets two connections write at once without SQLITE_BUSY, and keeps every row", async () => {
    const writes = 150;
    const app = (async () => {
      for (let n = 0; n < writes; n++) {
        await db.model.create({ data: modelRow(n) });
        await db.$executeRawUnsafe(`INSERT INTO "LockProbe" ("writer", "n") VALUES ('app', ?)`, n);
      }
    })();
    const [other] = await Promise.all([
      writeFromAnotherConnection(filePath, writes, SQLITE_BUSY_TIMEOUT_MS),
      app,
    ]);
    expect(other).toEqual({ journalMode: "wal", busy: 0, done: writes });
    expect(await db.model.count({ where: { name: { startsWith: "probe-" } } })).toBe(writes);
    const rows = await db.$queryRawUnsafe<{ writer: string; rows: bigint | number }[]>(
      `SELECT "writer", COUNT(*) AS "rows" FROM "LockProbe" GROUP BY "writer" ORDER BY "writer"`,
    );
    expect(rows.map((row) => [row.writer, Number(row.rows)])).toEqual([
      ["app", writes],
      ["worker", writes],
    ]);
  });

  it("really contends: without a busy timeout the other connection fails with SQLITE_BUSY while the app writes", async () => {
    // The app holds the write lock in a transaction for 300 ms while the other connection tries to write.
    let attempt: Promise<OtherConnection> | undefined;
    await db.$transaction(async (tx) => {
      await tx.model.create({ data: modelRow(1000) });
      attempt = writeFromAnotherConnection(filePath, 5, 0);
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    expect((await attempt!).busy).toBeGreaterThan(0);
  });
});
