import "server-only";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { DatabaseTarget } from "@/database-url";
import { env } from "@/env";
import { PrismaClient as PostgresClient } from "@/generated/prisma-postgres/client";
import { Prisma, PrismaClient as SqliteClient } from "@/generated/prisma-sqlite/client";

/**
 * Both generated clients come from the same model definitions (the PostgreSQL schema is generated
 * from the SQLite one), so they share one API; the SQLite client's type stands for both.
 */
export type Database = SqliteClient;

/** Writes SQL NULL into a nullable Json column (one runtime serves both clients, so one value). */
export const DbNull = Prisma.DbNull;

export function createDatabase(target: DatabaseTarget): Database {
  if (target.provider === "postgresql") {
    return new PostgresClient({ adapter: new PrismaPg({ connectionString: target.url }) }) as unknown as Database;
  }
  return new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: target.url }) });
}

// One client per process, kept across dev hot reloads (design.md anti-pattern: a client per reload).
const globalForDb = globalThis as unknown as { motifDb?: Database };
export function getDatabase(): Database {
  globalForDb.motifDb ??= createDatabase(env.database);
  return globalForDb.motifDb;
}
