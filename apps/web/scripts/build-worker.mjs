#!/usr/bin/env node
// Bundles src/worker/generation-worker.ts (+ @motif/core and @motif/midi from source) into one
// plain ESM file that Node runs as a worker thread, in `next start` and in tests alike. tfjs stays
// external so the worker uses the app's single installed copy (and its wasm files).
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const workerOutfile = join(webDir, "dist-worker", "generation-worker.mjs");

export async function buildWorker() {
  await build({
    entryPoints: [join(webDir, "src", "worker", "generation-worker.ts")],
    outfile: workerOutfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@motif/source"],
    external: ["@tensorflow/*"],
    sourcemap: true,
    logLevel: "warning",
    // Some bundled CommonJS needs require in an ESM file.
    banner: {
      js: 'import { createRequire as __motifCreateRequire } from "node:module"; const require = __motifCreateRequire(import.meta.url);',
    },
  });
  return workerOutfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`built ${await buildWorker()}`);
}
