// A real, migrated database for integration tests: a fresh SQLite file by default, or the
// PostgreSQL database in DATABASE_URL (emptied first) when it is a postgres URL.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveDatabaseTarget } from "@/database-url";
import { createDatabase, type Database } from "@/server/db";

export const webDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export function testDatabaseUrl(): string {
  const configured = process.env.DATABASE_URL?.trim();
  if (configured && /^postgres(ql)?:\/\//i.test(configured)) return configured;
  return `file:${join(mkdtempSync(join(tmpdir(), "motif-web-db-")), "test.db")}`;
}

/**
 * Applies the committed migrations with the same command production uses (`db:deploy`), or those
 * in `migrationsDir` (a folder laid out like prisma/<provider>/migrations).
 */
export function deployMigrations(url: string, migrationsDir?: string): void {
  const result = spawnSync(process.execPath, [join(webDir, "scripts", "db-deploy.mjs")], {
    cwd: webDir,
    env: {
      ...process.env,
      DATABASE_URL: url,
      ...(migrationsDir ? { MOTIF_MIGRATIONS_DIR: migrationsDir } : {}),
      PATH: `${join(webDir, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
    },
    encoding: "utf8",
  });
  if (result.status !== 0)
    throw new Error(`db:deploy failed for ${url.split("@").at(-1)}:\n${result.stdout}\n${result.stderr}`);
}

export async function createTestDatabase(): Promise<{
  db: Database;
  url: string;
  provider: "sqlite" | "postgresql";
}> {
  const url = testDatabaseUrl();
  deployMigrations(url);
  const target = resolveDatabaseTarget(url, webDir);
  const db = createDatabase(target);
  if (target.provider === "postgresql") await db.$executeRawUnsafe(`TRUNCATE TABLE "Piece", "Model" CASCADE`);
  return { db, url, provider: target.provider };
}
