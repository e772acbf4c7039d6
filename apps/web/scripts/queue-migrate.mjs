#!/usr/bin/env node
// `pnpm --filter web queue:migrate`: creates or upgrades graphile-worker's schema (graphile_worker)
// in the PostgreSQL database of DATABASE_URL, as a worker does when it starts; web instances only
// call its SQL functions, so a release step runs this before they take requests.
import { runMigrations } from "graphile-worker";
import { fileURLToPath } from "node:url";

export async function migrateQueue(connectionString) {
  await runMigrations({ connectionString, logger: undefined });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.env.DATABASE_URL ?? "";
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    console.error("queue:migrate: the generation queue lives in PostgreSQL; set DATABASE_URL=postgresql://…");
    process.exit(2);
  }
  await migrateQueue(url);
  console.log("generation queue: graphile-worker schema is up to date");
}
