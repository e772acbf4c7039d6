// Generation speed, batch 1: stateful step models (carry h/c, one token per step) against the
// seed's method of re-running the model over the last window for every token, on the same weights.
import * as tf from "@tensorflow/tfjs";
import {
  createModel,
  createStatefulStepModel,
  createWindowedStepModel,
  presetConfigs,
  type ModelConfig,
  type StepModel,
} from "@motif/core";
import type { FigureLog } from "./figures.js";
import { createTfStepModel } from "./tf-step-model.js";

export interface GenerationOptions {
  tokens: number;
  windowedTokens: number;
  /** Timed repeats of each stateful run; the best one counts. */
  repeats: number;
  units: number[];
  backend: string;
  /** Target seconds per `tokens` for the stateful step (the issue's targets are per 500). */
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

export function benchGeneration(log: FigureLog, options: GenerationOptions): void {
  const { units, backend, tokens } = options;
  const config = `default preset ${units.length}x${units[0]}, emb64, V300, batch 1, ${tokens} tokens`;
  const fast = createModel(configFor(units, "fast"), 1);
  const stock = createModel(configFor(units, "stock"), 1);
  const per500 = (secondsPerToken: number) => secondsPerToken * 500;

  const steps: [string, StepModel][] = [
    ["core createStepModel (plain JS)", createStatefulStepModel(fast, configFor(units, "fast"))],
    ["tfjs ops, weights resident", createTfStepModel(fast, configFor(units, "fast"))],
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
