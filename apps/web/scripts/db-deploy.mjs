#!/usr/bin/env node
// `pnpm --filter web db:deploy`: applies the committed migrations to DATABASE_URL (SQLite file by
// default). SQLite goes through `prisma migrate deploy`. PostgreSQL cannot: Prisma 6's offline
// (wasm) schema engine fails on Postgres' `name` column type through @prisma/adapter-pg
// (prisma/orm#27403), so this script applies prisma/postgresql/migrations itself, recording them in
// Prisma's own `_prisma_migrations` table (same columns, same sha256 checksums) so the native
// `prisma migrate deploy` agrees with it wherever the native engine is available.
import { spawnSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const databaseUrl = process.env.DATABASE_URL?.trim() ?? "";

if (/^postgres(ql)?:\/\//i.test(databaseUrl)) {
  await deployPostgres(databaseUrl);
} else {
  const result = spawnSync("prisma", ["migrate", "deploy"], {
    cwd: webDir,
    stdio: "inherit",
    env: { ...process.env, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    shell: process.platform === "win32",
  });
  // Prisma migrates SQLite under an exclusive lock, which WAL mode (src/server/db.ts) cannot grant
  // while another connection has the file open; its error then only says "SocketTimeout".
  if (result.status !== 0)
    console.error(
      "db:deploy: if the app (or another process) has this SQLite database open, stop it and deploy again: migrations need the file to themselves.",
    );
  process.exit(result.status ?? 1);
}

async function deployPostgres(url) {
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const adapter = await new PrismaPg({ connectionString: url }).connect();
  const query = async (sql) => (await adapter.queryRaw({ sql, args: [], argTypes: [] })).rows;
  try {
    await adapter.executeScript(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const applied = new Map(
      (
        await query(
          `SELECT "migration_name", "checksum" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`,
        )
      ).map(([name, checksum]) => [name, checksum]),
    );
    // MOTIF_MIGRATIONS_DIR, as in prisma.config.ts: the upgrade test deploys the first migration alone.
    const migrationsDir =
      process.env.MOTIF_MIGRATIONS_DIR ?? join(webDir, "prisma", "postgresql", "migrations");
    const names = readdirSync(migrationsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    let count = 0;
    for (const name of names) {
      if (!/^[\w-]+$/.test(name)) throw new Error(`unexpected migration folder name "${name}"`);
      const sql = readFileSync(join(migrationsDir, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      if (applied.has(name)) {
        if (applied.get(name) !== checksum)
          throw new Error(`migration ${name} was edited after it was applied (checksum differs)`);
        continue;
      }
      await adapter.executeScript(
        `BEGIN;\n-- serialises concurrent deployers\nLOCK TABLE "_prisma_migrations" IN EXCLUSIVE MODE;\n${sql}\nINSERT INTO "_prisma_migrations" ("id","checksum","finished_at","migration_name","applied_steps_count") VALUES ('${randomUUID()}','${checksum}',now(),'${name}',1);\nCOMMIT;`,
      );
      console.log(`applied ${name}`);
      count += 1;
    }
    console.log(
      count === 0 ? "PostgreSQL: no pending migrations." : `PostgreSQL: ${count} migration(s) applied.`,
    );
  } finally {
    await adapter.dispose();
  }
}
