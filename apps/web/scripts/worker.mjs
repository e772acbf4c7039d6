#!/usr/bin/env node
// `pnpm --filter web worker`: one generation worker process for MOTIF_ENGINE=queue. Runs the
// bundles `pnpm --filter web build` made (building them only when missing: several workers start
// at once and must not rewrite files the others are loading); after changing the server code,
// `pnpm --filter web build:worker build:queue-worker` or `build` first.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { queueWorkerOutfile, buildQueueWorker } from "./build-queue-worker.mjs";
import { buildWorker, workerOutfile } from "./build-worker.mjs";

if (!existsSync(workerOutfile)) await buildWorker();
if (!existsSync(queueWorkerOutfile)) await buildQueueWorker();
const child = spawn(process.execPath, [queueWorkerOutfile], { stdio: "inherit", env: process.env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
