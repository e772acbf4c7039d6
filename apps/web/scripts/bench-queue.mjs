#!/usr/bin/env node
// Bundles scripts/bench-queue.ts (it drives the app's server code) and runs it; see that file.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildNodeEntry } from "./build-queue-worker.mjs";
import { buildWorker } from "./build-worker.mjs";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
await buildWorker();
const bench = await buildNodeEntry(
  join(webDir, "scripts", "bench-queue.ts"),
  join(webDir, "dist-worker", "bench-queue.mjs"),
);
const result = spawnSync(process.execPath, [bench], { cwd: webDir, stdio: "inherit" });
process.exit(result.status ?? 1);
