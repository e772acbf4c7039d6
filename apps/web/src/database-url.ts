// Which database to use, shared by prisma.config.ts (CLI) and src/env.ts (app). Plain module,
// no "server-only": the Prisma CLI loads it outside Next.
import { isAbsolute, resolve } from "node:path";

export type DatabaseTarget =
  | { provider: "sqlite"; url: string; filePath: string; schemaDir: "prisma/sqlite" }
  | { provider: "postgresql"; url: string; schemaDir: "prisma/postgresql" };

/**
 * DATABASE_URL unset → SQLite at <webDir>/data/motif.db. `file:` → SQLite at that path (relative to
 * webDir). `postgres://` or `postgresql://` → PostgreSQL. Anything else is refused.
 */
export function resolveDatabaseTarget(databaseUrl: string | undefined, webDir: string): DatabaseTarget {
  const url = databaseUrl?.trim() || "file:./data/motif.db";
  if (/^postgres(ql)?:\/\//i.test(url))
    return { provider: "postgresql", url, schemaDir: "prisma/postgresql" };
  if (url.startsWith("file:")) {
    const rawPath = url.slice("file:".length).replace(/^\/\/(?=\/)/, "");
    if (rawPath === "") throw new Error(`DATABASE_URL "${url}" names no SQLite file`);
    const filePath = isAbsolute(rawPath) ? rawPath : resolve(webDir, rawPath);
    return { provider: "sqlite", url: `file:${filePath}`, filePath, schemaDir: "prisma/sqlite" };
  }
  throw new Error(
    `DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL); got "${url.split(":")[0]}:…"`,
  );
}
