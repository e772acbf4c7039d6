// `bench-augment`: the augmentation benchmark (BENCHMARKS.md, "Augmentation: one draw per epoch").
// Trains the same model twice through the real `train` command under the same --time-budget: every
// transposition in every epoch (`all`, the old way) and one transposition drawn per song per epoch
// (`random`). Reads both runs' metrics.jsonl and reports, per mode, the minute of the first
// validation number and the best validation loss reached, with a plot of validation loss against
// wall time.
import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { ValidationPoint } from "@motif/core";
import type { CommandSpec } from "../cli/command-args.js";
import { CliError } from "../errors.js";
import { sceneToPng } from "../charts/curves-png.js";
import { sceneToSvg } from "../charts/curves-svg.js";
import { repoRoot, resolveUserPath, trainerEnv } from "../env.js";
import { integerFlag, transpositionFlag } from "../cli/flag-values.js";
import { parseMetricsLog, type TrainSummary } from "../store/run-log.js";
import { durationFlag } from "../commands/train/train-flags.js";
import { FigureLog } from "./figures.js";
import { describeMachine } from "./machine.js";
import { qualityScene } from "./quality-plot.js";

const MODES = ["all", "random"] as const;
type Mode = (typeof MODES)[number];

export interface AugmentBenchOptions {
  data: string | undefined;
  budgetSeconds: number;
  keys: "song" | "none";
  augment: number[];
  /** Epochs of the `all` run; the `random` run gets this × (transpositions + 1), so both plan the same steps. */
  epochs: number;
  /** Passed to both runs when given. */
  train: {
    units?: number;
    layers?: number;
    seqLen?: number;
    batch?: number;
    valEvery?: number;
    workers?: number;
    seed: number;
  };
  out: string | undefined;
  plots: string | undefined;
}

export const augmentBenchCommand: CommandSpec<AugmentBenchOptions> = {
  name: "bench-augment",
  brief:
    "Augmentation: every transposition per epoch vs one drawn per song per epoch, same model and time budget",
  summary:
    "Train the same model twice through `train` under the same --budget, once with --augment-mode all (every transposition " +
    "every epoch) and once with --augment-mode random (one per song per epoch), then print per mode the minute of the first " +
    "validation and the best validation loss (JSON lines + table), and write validation loss against wall time to " +
    "augment-<corpus>.svg/png and the figures to augment-<corpus>.json. The random run's --epochs is the all run's times the " +
    "number of transpositions, so both plan the same steps and follow the same learning-rate schedule; neither stops early.",
  positionals: [],
  flags: {
    data: {
      type: "string",
      value: "DIR",
      description: "MIDI folder.",
      defaultText: "$MOTIF_CORPUS_DIR or ../shared/datasets/final-fantasy",
    },
    budget: {
      type: "string",
      value: "TIME",
      description: "Training time of each run (90s, 30m, 1h).",
      defaultText: "30m",
    },
    keys: {
      type: "string",
      value: "MODE",
      description: "Passed to train: none (keys as written, transposed copies make sense) or song.",
      defaultText: "none",
    },
    augment: {
      type: "string",
      value: "RANGE",
      description: "Transpositions, as train's --augment.",
      defaultText: "-5..6",
    },
    epochs: {
      type: "string",
      value: "N",
      description: "Epochs of the all run (random: N x the number of transpositions).",
      defaultText: "30 (the default preset's)",
    },
    units: {
      type: "string",
      value: "N",
      description: "Passed to train (a smaller model for a quick check).",
    },
    layers: { type: "string", value: "N", description: "Passed to train." },
    "seq-len": { type: "string", value: "N", description: "Passed to train." },
    batch: { type: "string", value: "N", description: "Passed to train." },
    "val-every": {
      type: "string",
      value: "N",
      description: "Passed to train: also validate every N steps (narrows the gap this benchmark measures).",
    },
    workers: { type: "string", value: "N", description: "Passed to train.", defaultText: "train's default" },
    seed: {
      type: "string",
      value: "N",
      description: "Passed to train (same split for both runs).",
      defaultText: "1",
    },
    out: {
      type: "string",
      value: "DIR",
      description: "Models root for the two runs.",
      defaultText: "<repo>/runs/augment",
    },
    plots: {
      type: "string",
      value: "DIR",
      description: "Where the plot and the figures go.",
      defaultText: "<repo>/docs/benchmarks",
    },
  },
  examples: [
    "pnpm --filter trainer bench:augment --data ../shared/datasets/mutopia-keyboard/midi --budget 30m --keys none --augment=-5..6",
    "pnpm --filter trainer bench:augment --data ../shared/datasets/final-fantasy --budget 2m --units 64 --layers 1 --plots /tmp/augment",
  ],
  schema: z
    .object({
      positionals: z.array(z.string()).max(0),
      data: z.string().min(1).optional(),
      budget: durationFlag.optional(),
      keys: z.enum(["song", "none"]).optional(),
      augment: transpositionFlag.optional(),
      epochs: integerFlag(1, 10_000).optional(),
      units: integerFlag(1, 2048).optional(),
      layers: integerFlag(1, 8).optional(),
      "seq-len": integerFlag(2, 1024).optional(),
      batch: integerFlag(1, 4096).optional(),
      "val-every": integerFlag(1, 100_000_000).optional(),
      workers: integerFlag(1, 64).optional(),
      seed: integerFlag(0, 2 ** 32 - 1).optional(),
      out: z.string().min(1).optional(),
      plots: z.string().min(1).optional(),
    })
    .transform((raw) => ({
      data: raw.data,
      budgetSeconds: raw.budget ?? 1800,
      keys: raw.keys ?? "none",
      augment: raw.augment ?? [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6],
      epochs: raw.epochs ?? 30,
      train: {
        ...(raw.units === undefined ? {} : { units: raw.units }),
        ...(raw.layers === undefined ? {} : { layers: raw.layers }),
        ...(raw["seq-len"] === undefined ? {} : { seqLen: raw["seq-len"] }),
        ...(raw.batch === undefined ? {} : { batch: raw.batch }),
        ...(raw["val-every"] === undefined ? {} : { valEvery: raw["val-every"] }),
        ...(raw.workers === undefined ? {} : { workers: raw.workers }),
        seed: raw.seed ?? 1,
      },
      out: raw.out,
      plots: raw.plots,
    })),
};

interface ModeFigures {
  validations: number;
  /** The first validation number and when it came (minutes of training). */
  first: { minutes: number; valLoss: number } | null;
  best: { minutes: number; valLoss: number; epoch: number; step: number } | null;
}

/** The benchmark's figures from one run's metrics.jsonl lines. */
export function modeFigures(points: readonly ValidationPoint[]): ModeFigures {
  const measured = points.filter(
    (p): p is ValidationPoint & { valLoss: number } => p.valLoss !== null && Number.isFinite(p.valLoss),
  );
  const first = measured[0];
  const best = measured.reduce<(typeof measured)[number] | undefined>(
    (a, b) => (a === undefined || b.valLoss < a.valLoss ? b : a),
    undefined,
  );
  return {
    validations: measured.length,
    first: first ? { minutes: first.elapsedSeconds / 60, valLoss: first.valLoss } : null,
    best: best
      ? { minutes: best.elapsedSeconds / 60, valLoss: best.valLoss, epoch: best.epoch, step: best.step }
      : null,
  };
}

/** `train`'s flags for one mode; the random run plans as many steps as the all run. */
export function trainArgs(
  options: AugmentBenchOptions,
  mode: Mode,
  dataDir: string,
  modelsDir: string,
): string[] {
  const copies = options.augment.length + 1;
  const { train } = options;
  const optional: [string, number | undefined][] = [
    ["--units", train.units],
    ["--layers", train.layers],
    ["--seq-len", train.seqLen],
    ["--batch", train.batch],
    ["--val-every", train.valEvery],
    ["--workers", train.workers],
  ];
  return [
    "--data",
    dataDir,
    "--out",
    modelsDir,
    "--name",
    `augment-${mode}`,
    "--keys",
    options.keys,
    `--augment=${options.augment.length === 0 ? "none" : options.augment.join(",")}`,
    "--augment-mode",
    mode,
    "--epochs",
    String(mode === "all" ? options.epochs : options.epochs * copies),
    "--patience",
    "0",
    "--time-budget",
    `${options.budgetSeconds}s`,
    "--seed",
    String(train.seed),
    "--json",
    ...optional.flatMap(([flag, value]) => (value === undefined ? [] : [flag, String(value)])),
  ];
}

const cliEntry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../main.ts");

/** Runs `train` as the user would, progress on our stderr; resolves its --json summary. */
function trainForSummary(args: string[], label: string): Promise<TrainSummary> {
  process.stderr.write(`[bench-augment] ${label}: train ${args.join(" ")}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, cliEntry, "train", ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code !== 0)
        return reject(
          new CliError(
            `${label}: train ${signal ? `was killed by ${signal}` : `exited with code ${String(code)}`}`,
          ),
        );
      try {
        resolve(JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as TrainSummary);
      } catch {
        reject(new CliError(`${label}: train printed no JSON summary on stdout`));
      }
    });
  });
}

const LABELS: Record<Mode, string> = {
  all: "all: every transposition",
  random: "random: one per song per epoch",
};

export async function runAugmentBench(options: AugmentBenchOptions): Promise<number> {
  const env = trainerEnv();
  const dataDir = options.data ? resolveUserPath(options.data) : env.corpusDir;
  const modelsDir = options.out ? resolveUserPath(options.out) : path.join(repoRoot, "runs", "augment");
  const plotsDir = options.plots ? resolveUserPath(options.plots) : path.join(repoRoot, "docs", "benchmarks");
  await mkdir(modelsDir, { recursive: true });
  await mkdir(plotsDir, { recursive: true });
  const machine = describeMachine();
  const corpus =
    path.basename(dataDir) === "midi" ? path.basename(path.dirname(dataDir)) : path.basename(dataDir);
  const budgetMinutes = options.budgetSeconds / 60;

  const runs: {
    mode: Mode;
    summary: TrainSummary;
    backend: string;
    points: ValidationPoint[];
    figures: ModeFigures;
  }[] = [];
  for (const mode of MODES) {
    const summary = await trainForSummary(trainArgs(options, mode, dataDir, modelsDir), `${mode} mode`);
    const points = parseMetricsLog(await readFile(summary.metricsFile, "utf8"));
    const manifest = JSON.parse(
      await readFile(path.join(summary.bundleDir ?? "", "bundle.json"), "utf8"),
    ) as { backend: string };
    runs.push({ mode, summary, backend: manifest.backend, points, figures: modeFigures(points) });
  }

  const log = new FigureLog(machine.cores);
  const config = `${corpus}, keys ${options.keys}, augment ${options.augment.length + 1} keys, budget ${budgetMinutes} min`;
  for (const { mode, summary, backend, figures } of runs) {
    log.record({
      name: `${mode}: first validation`,
      value: figures.first?.minutes ?? Number.NaN,
      unit: "min",
      config: figures.first
        ? `val loss ${figures.first.valLoss.toFixed(4)}, ${config}`
        : `no validation within the budget, ${config}`,
      backend,
    });
    log.record({
      name: `${mode}: best validation loss`,
      value: figures.best?.valLoss ?? Number.NaN,
      unit: "nats",
      config: figures.best
        ? `at ${figures.best.minutes.toFixed(1)} min (epoch ${figures.best.epoch}, step ${figures.best.step}), ${figures.validations} validations, ${summary.epochsRun} epochs, ${summary.tokensPerSecond} tok/s`
        : config,
      backend,
    });
  }

  const scene = qualityScene({
    title: `Augmentation on ${corpus}, ${Number(budgetMinutes.toPrecision(3))} min per mode`,
    series: runs.map(({ mode, points }) => ({
      label: LABELS[mode],
      points: points.flatMap((p) =>
        p.valLoss === null ? [] : [[p.elapsedSeconds / 60, p.valLoss] as const],
      ),
    })),
    baseline: null,
    budgetMinutes,
  });
  const base = path.join(plotsDir, `augment-${corpus}`);
  await writeFile(`${base}.svg`, sceneToSvg(scene));
  await writeFile(`${base}.png`, sceneToPng(scene));
  const result = {
    date: new Date().toISOString(),
    machine,
    data: dataDir,
    options,
    runs: runs.map(({ mode, summary, figures }) => ({ mode, summary, figures })),
    figures: log.figures,
  };
  await writeFile(`${base}.json`, JSON.stringify(result, null, 2) + "\n");
  process.stdout.write(`\n${log.table()}\n\nplot: ${base}.svg (and .png); figures: ${base}.json\n`);
  return 0;
}
