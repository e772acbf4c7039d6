// Generation speed, batch 1: stateful step models (carry h/c, one token per step) against the
// seed's method of re-running the model over the last window for every token, on the same weights.
// Part of `pnpm bench`; on its own (generation only, 2x256 and 3x512, 500 tokens, best of 3):
// `pnpm exec tsx --conditions=@motif/source src/bench/generation.ts [wasm|cpu]` from apps/trainer.
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import {
  createJsStepModel,
  createModel,
  createStatefulStepModel,
  createWindowedStepModel,
  presetConfigs,
  type ModelConfig,
  type StepModel,
} from "@motif/core";
import { selectBackend } from "../runtime/backend.js";
import { FigureLog } from "./figures.js";
import { describeMachine } from "./machine.js";
import { createTfStepModel } from "./tf-step-model.js";

interface GenerationOptions {
  tokens: number;
  windowedTokens: number;
  /** Timed repeats of each stateful run; the best one counts. */
  repeats: number;
  units: number[];
  backend: string;
  /** Target seconds per `tokens` for the stateful step (BENCHMARKS.md's targets are per 500 tokens). */
  targetSeconds: number;
}

function configFor(units: number[], cell: "stock" | "fast"): ModelConfig {
  return presetConfigs("default", 300, { units, dropout: 0, cell }).model;
}

interface PerToken {
  /** Wall seconds per token (best of the repeats). */
  wall: number;
  /** This process's CPU seconds per token (best of the repeats). */
  cpu: number;
}

/** Greedy loop: feed back the arg-max token. Best of `repeats` runs (other processes share the CPU). */
function timeSteps(step: StepModel, tokens: number, repeats: number): PerToken {
  step.step(1); // warm-up (first-call kernel setup)
  const best: PerToken = { wall: Infinity, cpu: Infinity };
  for (let r = 0; r < repeats; r++) {
    step.reset();
    let token = 1;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < tokens; i++) {
      const logits = step.step(token);
      let arg = 0;
      for (let j = 1; j < logits.length; j++) if (logits[j]! > logits[arg]!) arg = j;
      token = arg;
    }
    const cpu = process.cpuUsage(cpuStart);
    best.wall = Math.min(best.wall, (performance.now() - start) / 1000 / tokens);
    best.cpu = Math.min(best.cpu, (cpu.user + cpu.system) / 1e6 / tokens);
  }
  return best;
}

/** Largest |Δ| between a step model's logits and model.predict over the same 12 tokens. */
function stepMatchesModel(model: tf.LayersModel, step: StepModel): number {
  const ids = [3, 17, 17, 250, 0, 299, 42, 42, 42, 7, 128, 64];
  step.reset();
  const stepped = ids.map((id) => step.step(id));
  const full = tf.tidy(
    () => (model.predict(tf.tensor2d([ids], [1, ids.length])) as tf.Tensor).arraySync() as number[][][],
  );
  let worst = 0;
  stepped.forEach((logits, t) =>
    logits.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - full[0]![t]![j]!)))),
  );
  return worst;
}

/** What createStatefulStepModel picked here: the WebAssembly SIMD step, or its plain-JS fallback. */
function coreStepLabel(step: StepModel): string {
  return step.implementation === "wasm-simd"
    ? "core step (wasm SIMD, float64 accumulate)"
    : `core step (${step.implementation ?? "unknown"} fallback: no WebAssembly SIMD)`;
}

/**
 * Largest |Δ| between core's step and the plain-JS step over `tokens` steps fed the JS step's
 * greedy tokens (expected 0: both sum in float64 in the same order), and how many logits differ in
 * any bit.
 */
function recordWasmVsJs(
  log: FigureLog,
  core: StepModel,
  js: StepModel,
  tokens: number,
  config: string,
  backend: string,
): void {
  core.reset();
  js.reset();
  let token = 1;
  let worst = 0;
  let differing = 0;
  let compared = 0;
  for (let i = 0; i < tokens; i++) {
    const expected = js.step(token);
    const actual = core.step(token);
    let arg = 0;
    expected.forEach((v, j) => {
      worst = Math.max(worst, Math.abs(v - actual[j]!));
      if (!Object.is(v, actual[j])) differing++;
      compared++;
      if (v > expected[arg]!) arg = j;
    });
    token = arg;
  }
  log.record({
    name: `generate max |logit diff| ${core.implementation === "wasm-simd" ? "wasm" : "core fallback"} vs JS step`,
    value: worst,
    unit: "abs",
    config: `${config}; ${differing} of ${compared} logits differ in any bit`,
    backend,
    target: "= 0",
  });
}

export function benchGeneration(log: FigureLog, options: GenerationOptions): void {
  const { units, backend, tokens } = options;
  const config = `default preset ${units.length}x${units[0]}, emb64, V300, batch 1, ${tokens} tokens`;
  const fast = createModel(configFor(units, "fast"), 1);
  const stock = createModel(configFor(units, "stock"), 1);
  const per500 = (secondsPerToken: number) => secondsPerToken * 500;

  const fastConfig = configFor(units, "fast");
  const coreStep = createStatefulStepModel(fast, fastConfig);
  const jsStep = createJsStepModel(fast, fastConfig);
  recordWasmVsJs(log, coreStep, jsStep, tokens, `${config}, greedy tokens of the JS step`, backend);
  const steps: [string, StepModel][] = [
    [coreStepLabel(coreStep), coreStep],
    ["core JS step (plain JS, float64)", jsStep],
    ["tfjs ops, weights resident", createTfStepModel(fast, fastConfig)],
  ];
  let bestStateful = Infinity;
  for (const [label, step] of steps) {
    const mismatch = stepMatchesModel(fast, step);
    const seconds = timeSteps(step, tokens, options.repeats);
    bestStateful = Math.min(bestStateful, seconds.wall);
    const repeatsNote = `best of ${options.repeats}`;
    log.record({
      name: `generate stateful ms/token: ${label}`,
      value: seconds.wall * 1000,
      unit: "ms/token",
      config: `${config}, ${repeatsNote}; logits vs model.predict max |Δ| ${mismatch.toExponential(1)}`,
      backend,
    });
    log.record({
      name: `generate stateful s/500 tokens: ${label}`,
      value: per500(seconds.wall),
      unit: "s",
      config: `${config}, ${repeatsNote}, wall clock`,
      backend,
      target: `≤ ${options.targetSeconds}`,
    });
    log.record({
      name: `generate stateful cpu-s/500 tokens: ${label}`,
      value: per500(seconds.cpu),
      unit: "cpu-s",
      config: `${config}, ${repeatsNote}, this process's CPU time`,
      backend,
    });
    step.dispose();
  }
  const windowedConfig = configFor(units, "stock");
  const windowed = createWindowedStepModel(stock, windowedConfig);
  // Fill the window first so every timed step re-runs a full seqLen window, as the seed did.
  for (let i = 0; i < windowedConfig.seqLen; i++) windowed.step(i % 300);
  const start = performance.now();
  for (let i = 0; i < options.windowedTokens; i++) windowed.step((i * 7) % 300);
  const windowedSeconds = (performance.now() - start) / 1000 / options.windowedTokens;
  windowed.dispose();
  log.record({
    name: "generate windowed ms/token (seed method, stock layer)",
    value: windowedSeconds * 1000,
    unit: "ms/token",
    config: `${config.replace(`${tokens} tokens`, `${options.windowedTokens} tokens`)}, window ${windowedConfig.seqLen}`,
    backend,
  });
  log.record({
    name: "generate windowed/stateful speed ratio",
    value: windowedSeconds / bestStateful,
    unit: "x",
    config: `${units.length}x${units[0]}, best stateful step vs windowed`,
    backend,
    target: "≥ 50",
  });
  fast.dispose();
  stock.dispose();
}

async function runGenerationOnly(backend: "wasm" | "cpu"): Promise<void> {
  const machine = describeMachine();
  const log = new FigureLog(machine.cores);
  await selectBackend(backend);
  for (const [units, targetSeconds] of [
    [[256, 256], 0.25],
    [[512, 512, 512], 1.5],
  ] as const) {
    process.stderr.write(`[bench] ${backend}: generate ${units.length}x${units[0]}\n`);
    benchGeneration(log, {
      units: [...units],
      backend,
      targetSeconds,
      tokens: 500,
      repeats: 3,
      windowedTokens: 20,
    });
  }
  const load = os.loadavg().map((l) => l.toFixed(1));
  process.stdout.write(
    `\n${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, load ${load.join(" / ")}\n${log.table()}\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const backend = process.argv[2] ?? "wasm";
  if (backend !== "wasm" && backend !== "cpu") {
    process.stderr.write(`unknown backend "${backend}" (use wasm or cpu)\n`);
    process.exit(2);
  }
  runGenerationOnly(backend).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
