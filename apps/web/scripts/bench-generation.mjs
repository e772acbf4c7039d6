#!/usr/bin/env node
// `pnpm --filter web bench [--models DIR] [--length N] [--runs N]`: how fast the generation worker
// answers, on the first usable bundle under the models root. Prints one JSON line per figure and
// a table: bundle load + check time, time to the first streamed notes, tokens per second, peak RSS.
import { readdirSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { buildWorker, workerOutfile } from "./build-worker.mjs";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : fallback;
};
const webDir = resolve(import.meta.dirname, "..");
const modelsDir = resolve(flag("models", process.env.MOTIF_MODELS_DIR ?? join(webDir, "..", "..", "models")));
const length = Number(flag("length", "500"));
const runs = Number(flag("runs", "3"));

const bundles = existsSync(modelsDir)
  ? readdirSync(modelsDir).flatMap((name) =>
      readdirSync(join(modelsDir, name), { withFileTypes: true })
        .filter((v) => v.isDirectory() && existsSync(join(modelsDir, name, v.name, "bundle.json")))
        .map((v) => join(modelsDir, name, v.name)),
    )
  : [];
if (bundles.length === 0) {
  console.error(`no bundle under ${modelsDir} (train one: pnpm --filter trainer train)`);
  process.exit(1);
}

await buildWorker();
const worker = new Worker(workerOutfile);
let nextId = 1;
const pending = new Map();
worker.on("message", (message) => {
  const task = pending.get(message.id);
  if (!task) return;
  if (message.type === "progress") return task.onProgress?.(message.progress);
  pending.delete(message.id);
  if (message.type === "result") task.resolve(message.value);
  else task.reject(new Error(message.message));
});
const call = (request, onProgress) =>
  new Promise((resolvePromise, reject) => {
    const id = nextId++;
    pending.set(id, { resolve: resolvePromise, reject, onProgress });
    worker.postMessage({ ...request, id });
  });

const figures = [];
const record = (name, value, unit, extra = {}) => {
  const figure = { figure: name, value: Math.round(value * 10) / 10, unit, ...extra };
  figures.push(figure);
  console.log(JSON.stringify(figure));
};

let chosen = null;
for (const dir of bundles) {
  const started = performance.now();
  const inspection = await call({ op: "inspect", modelDir: dir });
  if (!inspection.ok) continue;
  chosen = { dir, info: inspection.info };
  record("bundle load + checks (first, incl. backend start)", performance.now() - started, "ms", {
    bundle: `${inspection.info.name}/${inspection.info.version}`,
    parameters: inspection.info.parameters,
  });
  break;
}
if (!chosen) {
  console.error("no usable bundle");
  process.exit(1);
}

for (let run = 0; run < runs; run += 1) {
  const started = performance.now();
  let firstNotes = null;
  const result = await call(
    {
      op: "generate",
      job: {
        modelDir: chosen.dir,
        bundleHash: chosen.info.bundleHash,
        seed: 100 + run,
        temperature: 1,
        topK: null,
        topP: 0.95,
        length,
        primerTokens: [],
        primerLabel: null,
        primerKeyShift: 0,
        key: "as-trained",
      },
    },
    (progress) => {
      if (firstNotes === null && progress.notes.length > 0) firstNotes = performance.now() - started;
    },
  );
  const total = performance.now() - started;
  record("first streamed notes after the job starts", firstNotes ?? NaN, "ms", { run });
  record(`generate ${length} tokens (decode + MIDI included)`, total, "ms", {
    run,
    notes: result.notes.length,
  });
  record("generation speed", (length / total) * 1000, "tokens/s", { run });
}
// Worker threads share the process, so this is an upper bound for one generation worker's memory.
record("peak RSS (this process + one generation worker)", process.resourceUsage().maxRSS / 1024, "MiB", {
  bundle: `${chosen.info.name}/${chosen.info.version}`,
});
await worker.terminate();
console.log(
  "\n" + figures.map((f) => `${f.figure.padEnd(52)} ${String(f.value).padStart(9)} ${f.unit}`).join("\n"),
);
