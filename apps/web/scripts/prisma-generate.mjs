#!/usr/bin/env node
// Generates both Prisma clients (SQLite and PostgreSQL); the app picks one by DATABASE_URL.
// Runs offline: engineType = "client" needs no engine download.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = {
  ...process.env,
  CHECKPOINT_DISABLE: "1",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  PRISMA_HIDE_PREVIEW_FLAG_WARNINGS: "1",
};
for (const provider of ["sqlite", "postgresql"]) {
  const result = spawnSync(
    "prisma",
    ["generate", "--no-hints", "--schema", join("prisma", provider, "schema.prisma")],
    {
      cwd: webDir,
      env,
      encoding: "utf8",
      shell: process.platform === "win32",
    },
  );
  if (result.error) {
    // Run through pnpm (`pnpm --filter web db:generate`), which puts node_modules/.bin on PATH.
    process.stderr.write(`could not run prisma: ${result.error.message}\n`);
    process.exit(1);
  }
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    process.exit(result.status ?? 1);
  }
}
console.log("prisma clients generated: src/generated/prisma-sqlite, src/generated/prisma-postgres");
