// Prisma CLI configuration: picks the schema (one per provider) and the driver adapter from
// DATABASE_URL, so `prisma migrate deploy` runs offline with the JS engine on SQLite or PostgreSQL.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";
import { resolveDatabaseTarget } from "./src/database-url.js";

const webDir = dirname(fileURLToPath(import.meta.url));
const target = resolveDatabaseTarget(process.env.DATABASE_URL, webDir);
// The schema's datasource url reads this; the adapter is what actually connects.
process.env.MOTIF_PRISMA_URL = target.url;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: join(webDir, target.schemaDir, "schema.prisma"),
  // MOTIF_MIGRATIONS_DIR: another migrations folder (the upgrade test deploys the first migration alone).
  migrations: { path: process.env.MOTIF_MIGRATIONS_DIR ?? join(webDir, target.schemaDir, "migrations") },
  async adapter() {
    if (target.provider === "postgresql") return new PrismaPg({ connectionString: target.url });
    mkdirSync(dirname(target.filePath), { recursive: true });
    return new PrismaBetterSQLite3({ url: target.url });
  },
});
