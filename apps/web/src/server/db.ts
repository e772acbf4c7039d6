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

/**
 * How long a SQLite connection waits for another connection's write lock before SQLITE_BUSY (ms):
 * the app, `db:deploy`, a second server process or a script may write at the same time.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 15_000;

/**
 * Every SQLite connection Prisma opens is put in WAL mode first (readers never wait for the
 * writer, nor the writer for readers; the mode is stored in the file, so other connections get it
 * too). Done through the adapter's own connection: a second SQLite library in the process (e.g.
 * another better-sqlite3 version) would not see this one's locks.
 */
class WalSqliteAdapter extends PrismaBetterSQLite3 {
  override async connect() {
    const adapter = await super.connect();
    await adapter.executeScript("PRAGMA journal_mode = WAL");
    return adapter;
  }
}

export function createDatabase(target: DatabaseTarget): Database {
  if (target.provider === "postgresql") {
    return new PostgresClient({
      adapter: new PrismaPg({ connectionString: target.url }),
    }) as unknown as Database;
  }
  return new SqliteClient({
    adapter: new WalSqliteAdapter({ url: target.url, timeout: SQLITE_BUSY_TIMEOUT_MS }),
  });
}

// One client per process, kept across dev hot reloads (not a new client, with its own connections, per reload).
const globalForDb = globalThis as unknown as { motifDb?: Database };
export function getDatabase(): Database {
  globalForDb.motifDb ??= createDatabase(env.database);
  return globalForDb.motifDb;
}
