// `motif bench` / `pnpm bench`: the performance suite. One JSON line per figure on stdout
// ({name, value, unit, config, backend, cores}) as it is measured, a table at the end; progress
// goes to stderr. Also runnable on its own: `pnpm exec tsx --conditions=@motif/source src/bench/index.ts`.
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { selectBackend } from "../runtime/backend.js";
import { BACKENDS, type Backend } from "../runtime/backend-choice.js";
import { formatHelp, parseCommand, type CommandSpec } from "../cli/command-args.js";
import { readEnv } from "../env.js";
import { FigureLog } from "./figures.js";
import { installTransposeFreeMatMul, uninstallTransposeFreeMatMul } from "./transpose-free-matmul.js";
import { benchGeneration } from "./generation.js";
import { benchCopyDetection } from "./copy-detection.js";
import { benchIngest } from "./ingest.js";
import { describeMachine, peakRssMiB } from "./machine.js";
import {
  TRAIN_SHAPE,
  describeShape,
  makeBatches,
  trainModelRun,
  trainRun,
  type TrainRun,
  type TrainShape,
} from "./training.js";

export interface BenchOptions {
  quick: boolean;
  long: boolean;
  backends: Backend[];
  corpus: string | null;
  steps: number | null;
  curveSteps: number | null;
}

export const benchCommand: CommandSpec<BenchOptions> = {
  name: "bench",
  brief: "Measure ingest, training and generation speed (stock vs Motif) and memory",
  summary:
    "Measure corpus ingest, training tokens/s (stock tf.layers.lstm vs MotifLSTM, same data and init, with both loss curves), " +
    "batch-1 generation (stateful vs the seed's windowed method) and peak RSS. One JSON line per figure, then a table.",
  positionals: [],
  flags: {
    quick: { type: "boolean", description: "Smoke test: small batches and few iterations (under a minute)." },
    long: {
      type: "boolean",
      description:
        "Also train both cells for 300 steps on wasm (smaller shape, see --curve-steps) to compare their loss curves.",
    },
    backends: {
      type: "string",
      value: "LIST",
      description: "Comma-separated backends: node (tfjs-node, when its native addon loads), wasm, cpu.",
      defaultText: "node,wasm,cpu",
    },
    corpus: {
      type: "string",
      value: "DIR",
      description: "MIDI folder for ingest and training data.",
      defaultText: "$MOTIF_CORPUS_DIR or ../shared/datasets/final-fantasy",
    },
    steps: {
      type: "string",
      value: "N",
      description: "Timed training steps per cell (after one warm-up step).",
      defaultText: "MotifLSTM 3 on wasm, else 1; stock 1",
    },
    "curve-steps": {
      type: "string",
      value: "N",
      description: "Steps of the loss-curve comparison (emb64 2x128 seq32 batch16).",
      defaultText: "300 with --long, else none",
    },
  },
  examples: ["pnpm bench", "pnpm bench -- --quick", "pnpm --filter trainer bench --long --backends wasm"],
  schema: z
    .object({
      positionals: z.array(z.string()),
      quick: z.boolean().optional(),
      long: z.boolean().optional(),
      backends: z.string().optional(),
      corpus: z.string().optional(),
      steps: z.coerce.number().int().positive().optional(),
      "curve-steps": z.coerce.number().int().min(2).optional(),
    })
    .transform((raw, ctx) => {
      const backends = (raw.backends ?? "node,wasm,cpu").split(",").map((b) => b.trim());
      const unknown = backends.filter((b) => !(BACKENDS as readonly string[]).includes(b));
      if (unknown.length > 0)
        ctx.addIssue({
          code: "custom",
          path: ["backends"],
          message: `unknown backend(s) ${unknown.join(", ")} (known: ${BACKENDS.join(", ")})`,
        });
      return {
        quick: raw.quick ?? false,
        long: raw.long ?? false,
        backends: backends as Backend[],
        corpus: raw.corpus ?? null,
        steps: raw.steps ?? null,
        curveSteps: raw["curve-steps"] ?? null,
      };
    }),
};

const QUICK_SHAPE: TrainShape = { ...TRAIN_SHAPE, batchSize: 4, seqLen: 16 };
/**
 * The loss-curve comparison trains each cell for hundreds of steps; with the full shape the stock
 * layer alone would take hours on wasm (~15-60 s per step), so the curves use a smaller shape.
 */
const CURVE_SHAPE: TrainShape = { ...TRAIN_SHAPE, units: [128, 128], batchSize: 16, seqLen: 32 };

interface MatMulFix {
  installTransposeFreeMatMul(backend?: string): boolean;
  uninstallTransposeFreeMatMul(backend?: string): void;
}

/** The opt-in wasm matMul fix (transpose-free-matmul.ts): only the bench uses it. */
const matMulFix: MatMulFix = { installTransposeFreeMatMul, uninstallTransposeFreeMatMul };

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export async function runBench(argv: string[]): Promise<number> {
  // `pnpm bench -- --quick` forwards the "--" separator itself.
  const parsed = parseCommand(benchCommand, argv[0] === "--" ? argv.slice(1) : argv);
  if (parsed.help) {
    process.stdout.write(formatHelp(benchCommand as CommandSpec<unknown>, "pnpm --filter trainer"));
    return 0;
  }
  const options = parsed.options;
  const machine = describeMachine();
  const log = new FigureLog(machine.cores);
  const notes: string[] = [];
  const startedAt = new Date();
  progress(
    `${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}; ${options.quick ? "quick" : "full"} run`,
  );

  const corpusDir = options.corpus
    ? path.resolve(readEnv().invocationDir, options.corpus)
    : readEnv().corpusDir;
  let songs: Int32Array[] = [];
  if (existsSync(corpusDir)) {
    progress(`ingest ${corpusDir}`);
    songs = (await benchIngest(corpusDir, log, options.quick ? 1 : 3)).songs;
    await benchCopyDetection(corpusDir, log, options.quick ? 1 : 3);
  } else {
    notes.push(`corpus not found at ${corpusDir}: ingest skipped, training on a synthetic token stream`);
  }

  for (const backend of options.backends) {
    try {
      await selectBackend(backend);
    } catch (error) {
      notes.push(`${backend}: not available (${error instanceof Error ? error.message : String(error)})`);
      progress(notes[notes.length - 1]!);
      continue;
    }
    const label = backend === "node" ? "tensorflow" : backend;
    await benchTraining(log, notes, options, label, songs, matMulFix);
    benchGenerationSuite(log, options, label);
  }
  log.record({
    name: "peak RSS (whole bench process)",
    value: peakRssMiB(),
    unit: "MiB",
    // Every model of the suite, on every backend, in one process: an upper bound, not the training
    // target's figure (training the default config alone; measured with /usr/bin/time, see
    // BENCHMARKS.md, "Targets").
    config:
      "process.resourceUsage().maxRSS; all models of the suite on all backends in one process (upper bound)",
    backend: options.backends.join("+"),
  });

  const elapsed = (Date.now() - startedAt.getTime()) / 1000;
  process.stdout.write(
    [
      "",
      `Motif benchmarks, ${startedAt.toISOString()}, ${elapsed.toFixed(0)} s`,
      `machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemoryGiB} GiB, ${machine.platform}, node ${machine.node}, tfjs ${tf.version.tfjs}`,
      `load average (1/5/15 min) at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" / ")} on ${machine.cores} cores (other processes share the CPU)`,
      "",
      log.table(),
      ...(notes.length > 0 ? ["", "notes:", ...notes.map((n) => `- ${n}`)] : []),
      "",
    ].join("\n"),
  );
  return 0;
}

async function benchTraining(
  log: FigureLog,
  notes: string[],
  options: BenchOptions,
  backend: string,
  songs: Int32Array[],
  matMulFix: MatMulFix,
): Promise<void> {
  const shape = options.quick ? QUICK_SHAPE : TRAIN_SHAPE;
  // cpu is ~3x slower than wasm: fewer stock steps there, since each one takes tens of seconds.
  // The stock layer takes tens of seconds per full-size step: one timed step unless --steps says more.
  const timedSteps = options.steps ?? (options.quick || backend === "cpu" ? 1 : 3);
  const stockSteps = options.steps ?? 1;
  // The curves compare the layers' arithmetic, not the backend: run them on wasm only.
  const curveSteps = backend !== "wasm" ? 0 : (options.curveSteps ?? (options.long ? 300 : 0));
  const batches = makeBatches(shape, Math.max(timedSteps, stockSteps) + 1, songs);
  const config = `${describeShape(shape)}, ${songs.length > 0 ? "corpus tokens" : "synthetic tokens"}`;

  // MotifLSTM runs with the wasm matMul fix (its own backward never uses transposed matMuls; the
  // fix speeds up the Dense head's gradient); the stock baseline runs without it.
  const runCell = (
    cell: "stock" | "fast",
    steps: number,
    fix = cell === "fast",
    runShape = shape,
    runBatches = batches,
  ): TrainRun => {
    const installed = fix && backend === "wasm" && matMulFix.installTransposeFreeMatMul("wasm");
    try {
      progress(
        `${backend}: train ${cell}${installed ? " + matMul fix" : ""} ${steps} step(s) + warm-up, ${describeShape(runShape)}`,
      );
      return trainRun(runShape, cell, runBatches.slice(0, steps + 1), (step, loss) =>
        progress(`  ${cell} step ${step} loss ${loss.toFixed(4)}`),
      );
    } finally {
      if (installed) matMulFix.uninstallTransposeFreeMatMul("wasm");
    }
  };

  const stock = runCell("stock", stockSteps);
  const fast = runCell("fast", timedSteps);
  const recordRun = (label: string, run: TrainRun, steps: number, target?: string, note = "") => {
    log.record({
      name: `train tokens/s: ${label}`,
      value: run.tokensPerSecond,
      unit: "tokens/s",
      config: `${config}, ${steps} timed step(s)${note}, wall clock`,
      backend,
      ...(target ? { target } : {}),
    });
    log.record({
      name: `train tokens/cpu-s: ${label}`,
      value: run.tokensPerCpuSecond,
      unit: "tokens/cpu-s",
      config: `${config}, ${steps} timed step(s)${note}, this process's CPU time`,
      backend,
    });
  };
  recordRun("stock tf.layers.lstm", stock, stockSteps);
  if (backend === "wasm" && !options.quick) {
    // Attribution: how much of the gain is the matMul kernel fix alone.
    recordRun("stock tf.layers.lstm + matMul fix", runCell("stock", stockSteps, true), stockSteps);
  }
  const motifLabel = backend === "wasm" ? "MotifLSTM + matMul fix" : "MotifLSTM";
  recordRun(motifLabel, fast, timedSteps, "≥ 2000 floor, ≥ 4000 target");
  log.record({
    name: `train speed-up ${motifLabel} vs stock (wall)`,
    value: fast.tokensPerSecond / stock.tokensPerSecond,
    unit: "x",
    config,
    backend,
  });
  if (backend !== "cpu") {
    // Data-parallel training through trainModel + the worker pool, exactly as `train` runs it
    // (2 gradient shards; 1 thread computes both in turn, 2 threads one each). cpu is skipped:
    // a full-size MotifLSTM step takes a minute there.
    const shards = 2;
    // Interleaved 1, 2, 1, 2 threads and the best run of each kept: the load of other processes
    // on this shared machine drifts, so A and B should see the same conditions.
    const rounds = options.quick ? 1 : 2;
    const best = new Map<number, TrainRun>();
    const allRuns: TrainRun[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const threads of [1, 2]) {
        progress(
          `${backend}: trainModel (as train), ${shards} shards on ${threads} thread(s), ${timedSteps} step(s) + warm-up, round ${round + 1}/${rounds}`,
        );
        const run = await trainModelRun(
          shape,
          batches.slice(0, timedSteps + 1),
          { shards, threads },
          (step, loss) => progress(`  ${threads} thread(s) step ${step} loss ${loss.toFixed(4)}`),
        );
        allRuns.push(run);
        if ((best.get(threads)?.tokensPerSecond ?? 0) < run.tokensPerSecond) best.set(threads, run);
      }
    }
    const [oneThread, twoThreads] = [best.get(1), best.get(2)] as [TrainRun, TrainRun];
    const ofRounds = rounds > 1 ? `, best of ${rounds} interleaved 1/2-thread rounds` : "";
    recordRun(`MotifLSTM, ${shards} shards on 1 thread`, oneThread, timedSteps, undefined, ofRounds);
    recordRun(
      `MotifLSTM, ${shards} shards on 2 threads`,
      twoThreads,
      timedSteps,
      "≥ 2000 floor, ≥ 4000 target",
      ofRounds,
    );
    log.record({
      name: "train speed-up 2 threads vs 1 (same 2 shards, wall)",
      value: twoThreads.tokensPerSecond / oneThread.tokensPerSecond,
      unit: "x",
      config: `${config}, trainModel + gradient worker pool`,
      backend,
    });
    log.record({
      name: "train loss max |1 thread - 2 threads|, 2 shards",
      value: Math.max(
        ...allRuns.map((run) =>
          maxGap(oneThread.losses, run.losses, Math.min(oneThread.losses.length, run.losses.length)),
        ),
      ),
      unit: "nats",
      config: `${oneThread.losses.length} steps, all ${allRuns.length} trainModel runs, expected 0 (bit-identical)`,
      backend,
      target: "= 0",
    });
  }
  const common = Math.min(stock.losses.length, fast.losses.length);
  const firstGap = maxGap(stock.losses, fast.losses, common);
  log.record({
    name: "train loss max |stock - Motif|, same init and data",
    value: firstGap,
    unit: "nats",
    config: `first ${common} steps`,
    backend,
  });

  if (curveSteps > 0) {
    const curveBatches = makeBatches(CURVE_SHAPE, curveSteps, songs);
    const curveConfig = `${describeShape(CURVE_SHAPE)}, ${songs.length > 0 ? "corpus tokens" : "synthetic tokens"}, both with the matMul fix`;
    // Both with the matMul kernel fix (same arithmetic, explicit transposes): without it the stock
    // layer needs hours for a few hundred steps on wasm.
    const stockCurve = runCell("stock", curveSteps - 1, true, CURVE_SHAPE, curveBatches);
    const fastCurve = runCell("fast", curveSteps - 1, true, CURVE_SHAPE, curveBatches);
    const steps = Math.min(stockCurve.losses.length, fastCurve.losses.length);
    log.record({
      name: "loss curve max |stock - Motif|",
      value: maxGap(stockCurve.losses, fastCurve.losses, steps),
      unit: "nats",
      config: `${steps} steps, ${curveConfig}`,
      backend,
    });
    log.record({
      name: "loss curve first: stock = Motif",
      value: stockCurve.losses[0]!,
      unit: "nats",
      config: `step 0, ${curveConfig}`,
      backend,
    });
    log.record({
      name: "loss curve final: stock",
      value: mean(stockCurve.losses.slice(-10)),
      unit: "nats",
      config: `mean of last 10 of ${steps} steps`,
      backend,
    });
    log.record({
      name: "loss curve final: MotifLSTM",
      value: mean(fastCurve.losses.slice(-10)),
      unit: "nats",
      config: `mean of last 10 of ${steps} steps`,
      backend,
    });
    log.record({
      name: "curve tokens/s: stock",
      value: stockCurve.tokensPerSecond,
      unit: "tokens/s",
      config: curveConfig,
      backend,
    });
    log.record({
      name: "curve tokens/s: MotifLSTM",
      value: fastCurve.tokensPerSecond,
      unit: "tokens/s",
      config: curveConfig,
      backend,
    });
    const every = Math.max(1, Math.floor(steps / 15));
    const rows = [];
    for (let s = 0; s < steps; s += every)
      rows.push(
        `  step ${String(s).padStart(4)}  stock ${stockCurve.losses[s]!.toFixed(4)}  motif ${fastCurve.losses[s]!.toFixed(4)}`,
      );
    notes.push(`${backend} loss curves (every ${every} steps):\n${rows.join("\n")}`);
  }
}

function benchGenerationSuite(log: FigureLog, options: BenchOptions, backend: string): void {
  const configs: { units: number[]; targetSeconds: number }[] = [{ units: [256, 256], targetSeconds: 0.25 }];
  // The 3x512 windowed baseline takes seconds per token on cpu: skipped there in quick runs.
  if (!(options.quick && backend === "cpu")) configs.push({ units: [512, 512, 512], targetSeconds: 1.5 });
  for (const { units, targetSeconds } of configs) {
    progress(`${backend}: generate ${units.length}x${units[0]}`);
    benchGeneration(log, {
      units,
      backend,
      targetSeconds,
      tokens: options.quick ? 20 : 500,
      repeats: options.quick ? 1 : 3,
      windowedTokens: options.quick ? 1 : backend === "cpu" ? 5 : 20,
    });
  }
}

function maxGap(a: number[], b: number[], count: number): number {
  let worst = 0;
  for (let i = 0; i < count; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
}

// Standalone: `tsx --conditions=@motif/source src/bench/index.ts [flags]`.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runBench(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
