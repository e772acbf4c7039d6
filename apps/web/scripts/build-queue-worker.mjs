#!/usr/bin/env node
// Bundles a plain-Node entry of the web app's server code (the generation worker process, the
// queue test's service host) into one ESM file: "@/" paths and workspace sources are bundled,
// installed packages stay external, and "server-only" (which throws outside React Server
// Components) becomes an empty module.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const queueWorkerOutfile = join(webDir, "dist-worker", "queue-worker.mjs");

const serverOnlyStub = {
  name: "server-only-stub",
  setup(builder) {
    builder.onResolve({ filter: /^server-only$/ }, () => ({ path: "server-only", namespace: "stub" }));
    builder.onLoad({ filter: /.*/, namespace: "stub" }, () => ({ contents: "export {};", loader: "js" }));
  },
};

export async function buildNodeEntry(entry, outfile) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@motif/source"],
    tsconfig: join(webDir, "tsconfig.json"),
    external: ["@prisma/*", "graphile-worker", "@tensorflow/*", "better-sqlite3", "pg", "zod", "esbuild"],
    plugins: [serverOnlyStub],
    sourcemap: true,
    logLevel: "warning",
    banner: {
      js: 'import { createRequire as __motifCreateRequire } from "node:module"; const require = __motifCreateRequire(import.meta.url);',
    },
  });
  return outfile;
}

export function buildQueueWorker() {
  return buildNodeEntry(join(webDir, "src", "server", "queue", "queue-worker-main.ts"), queueWorkerOutfile);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`built ${await buildQueueWorker()}`);
}
