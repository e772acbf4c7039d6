#!/usr/bin/env node
// Bundles src/browser/device-worker.ts (+ @motif/core/compose and @motif/midi from source, and
// tfjs) into one classic Web Worker script the app serves as a static file: the Next app cannot
// import @motif/core (its package exports a dist a plain next build lacks), esbuild reads source.
// "@tensorflow/tfjs" becomes tfjs-core + layers + the cpu backend: loading a LayersModel needs no
// more (the Composer steps with core's own wasm SIMD or plain-JS step, not with tfjs kernels).
import { build } from "esbuild";
import { createRequire } from "node:module";
import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const browserWorkerOutfile = join(webDir, "public", "workers", "device-worker.js");

// tfjs's own dependencies are resolved from its folder (pnpm keeps them beside it, not beside the app).
const tfjsDir = dirname(createRequire(join(webDir, "package.json")).resolve("@tensorflow/tfjs/package.json"));

/** @type {import("esbuild").Plugin} */
const tfjsLite = {
  name: "tfjs-lite",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@tensorflow\/tfjs$/ }, () => ({
      path: "tfjs-lite",
      namespace: "tfjs-lite",
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: "tfjs-lite" }, () => ({
      contents:
        'export * from "@tensorflow/tfjs-core";\nexport * from "@tensorflow/tfjs-layers";\nimport "@tensorflow/tfjs-backend-cpu";\n',
      loader: "js",
      resolveDir: tfjsDir,
    }));
  },
};

/**
 * zod re-exports every locale as one namespace (`z.locales`), which keeps them all (~250 KB) in
 * the bundle; core only uses the English messages, which zod imports from locales/en.js itself.
 * @type {import("esbuild").Plugin}
 */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]zod[\\/]/.test(args.importer)) return undefined;
      return { path: join(dirname(args.importer), "..", "locales", "index.js"), namespace: "zod-locales" };
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: 'export { default as en } from "./en.js";\n',
      loader: "js",
      resolveDir: dirname(args.path),
    }));
  },
};

export async function buildBrowserWorker() {
  await build({
    entryPoints: [join(webDir, "src", "browser", "device-worker.ts")],
    outfile: browserWorkerOutfile,
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    conditions: ["@motif/source"],
    mainFields: ["browser", "module", "main"],
    plugins: [tfjsLite, zodEnglishOnly],
    minify: true,
    sourcemap: false,
    legalComments: "none",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "warning",
  });
  return browserWorkerOutfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = await buildBrowserWorker();
  console.log(`built ${file} (${Math.round(statSync(file).size / 1024)} KB)`);
}
