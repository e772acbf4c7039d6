#!/usr/bin/env node
// `pnpm --filter web start` (and so the root `pnpm start`): the web server (next-server.mjs), and with
// MOTIF_ENGINE=queue also MOTIF_WORKER_PROCESSES generation worker processes (default 1; 0 when
// the workers run elsewhere) beside it, restarted if one exits; they stop with the server.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { migrateQueue } from "./queue-migrate.mjs";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const queue = process.env.MOTIF_ENGINE === "queue";
const count = queue ? Number(process.env.MOTIF_WORKER_PROCESSES ?? 1) : 0;
if (!Number.isInteger(count) || count < 0 || count > 64) {
  console.error(
    `MOTIF_WORKER_PROCESSES must be a whole number from 0 to 64, not "${process.env.MOTIF_WORKER_PROCESSES}"`,
  );
  process.exit(2);
}
const workerScript = join(webDir, "dist-worker", "queue-worker.mjs");
if (count > 0 && !existsSync(workerScript)) {
  console.error(`${workerScript} is missing: run \`pnpm --filter web build\` (or build:queue-worker) first`);
  process.exit(2);
}

// Web instances only call the queue's SQL functions: make sure they exist before requests come.
if (queue) await migrateQueue(process.env.DATABASE_URL ?? "");

let stopping = false;
const workers = new Set();

function startWorker(n) {
  const child = spawn(process.execPath, [workerScript], { cwd: webDir, stdio: "inherit", env: process.env });
  workers.add(child);
  child.on("exit", (code, signal) => {
    workers.delete(child);
    if (stopping) return;
    console.error(`generation worker ${n} exited (${code ?? signal}); starting it again`);
    setTimeout(() => startWorker(n), 1000);
  });
}

for (let n = 1; n <= count; n++) startWorker(n);
const next = spawn(process.execPath, [join(webDir, "scripts", "next-server.mjs"), ...process.argv.slice(2)], {
  cwd: webDir,
  stdio: "inherit",
  env: process.env,
});

function stop(signal) {
  stopping = true;
  next.kill(signal);
  for (const child of workers) child.kill(signal);
}
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
next.on("exit", (code) => {
  stop("SIGTERM");
  process.exitCode = code ?? 1;
});
