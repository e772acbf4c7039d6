// `quality`: the time-to-quality benchmark (BENCHMARKS.md, "Time to quality"). Trains the `default`
// and the `notebook` preset (the seed notebook's network) through the real `train` command on one corpus, with the notes-chords
// tokenizer and the same whole-song validation split, then reports the seed's best validation loss,
// when (in wall-clock minutes of training) the default preset first beats it, and a plot of both
// curves.
import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { isPresetName, presetOf, type EpochMetrics, type Preset } from "@motif/core";
import type { CommandSpec } from "../cli/command-args.js";
import { CliError } from "../errors.js";
import { sceneToPng } from "../charts/curves-png.js";
import { sceneToSvg } from "../charts/curves-svg.js";
import { repoRoot, resolveUserPath, trainerEnv } from "../env.js";
import { integerFlag } from "../cli/flag-values.js";
import { resolveBundleDir } from "../store/publish.js";
import { FigureLog } from "./figures.js";
import { describeMachine } from "./machine.js";
import { qualityScene } from "./quality-plot.js";

interface QualityOptions {
  data: string | undefined;
  out: string | undefined;
  budgetMinutes: number;
  defaultEpochs: number | undefined;
  seedEpochs: number;
  seedPatience: number;
  seedBundle: string | undefined;
  defaultBundle: string | undefined;
  workers: number | undefined;
}

export const qualityCommand: CommandSpec<QualityOptions> = {
  name: "quality",
  brief: "Time to quality: default vs notebook preset on one song split, validation loss against wall time",
  summary:
    "Train the default preset and the notebook preset (the seed's network) through `train` on the same corpus, tokenizer (notes-chords) and " +
    "whole-song validation split, then report the seed's best validation loss, the first epoch and wall-clock minute at " +
    "which the default preset beats it, one JSON line per figure, and a plot (time-to-quality.svg/png). The seed run " +
    "trains until its validation loss stops improving, which takes hours on a CPU; --seed-bundle reuses a finished one.",
  positionals: [],
  flags: {
    data: {
      type: "string",
      value: "DIR",
      description: "MIDI folder.",
      defaultText: "$MOTIF_CORPUS_DIR or ../shared/datasets/final-fantasy",
    },
    out: {
      type: "string",
      value: "DIR",
      description: "Where the two bundles, result.json and the plot go.",
      defaultText: "<repo>/runs/quality",
    },
    budget: {
      type: "string",
      value: "MIN",
      description: "The time budget the default preset must beat the seed within.",
      defaultText: "15",
    },
    "default-epochs": {
      type: "string",
      value: "N",
      description: "Epochs of the default run (its cosine schedule spans them).",
      defaultText: "the preset's",
    },
    "seed-epochs": {
      type: "string",
      value: "N",
      description: "Most epochs of the seed run.",
      defaultText: "40",
    },
    "seed-patience": {
      type: "string",
      value: "N",
      description: "The seed run stops after N epochs without a better validation loss.",
      defaultText: "3",
    },
    "seed-bundle": {
      type: "string",
      value: "DIR",
      description:
        "Reuse a finished notebook-preset bundle (or model folder) trained on the same split instead of training one.",
    },
    "default-bundle": {
      type: "string",
      value: "DIR",
      description:
        "Reuse a finished default-preset bundle instead of training one (with --seed-bundle: only recompute the figures and the plot).",
    },
    workers: {
      type: "string",
      value: "N",
      description: "Passed to both `train` runs (threads computing gradients).",
      defaultText: "train's default",
    },
  },
  examples: [
    "pnpm --filter trainer quality",
    "pnpm --filter trainer quality --seed-bundle runs/quality/models/seed-notes-chords",
    "pnpm --filter trainer quality --seed-bundle DIR --default-bundle DIR --out docs/quality",
  ],
  schema: z
    .object({
      positionals: z.array(z.string()).max(0),
      data: z.string().min(1).optional(),
      out: z.string().min(1).optional(),
      budget: integerFlag(1, 24 * 60).optional(),
      "default-epochs": integerFlag(1, 10_000).optional(),
      "seed-epochs": integerFlag(1, 10_000).optional(),
      "seed-patience": integerFlag(1, 1000).optional(),
      "seed-bundle": z.string().min(1).optional(),
      "default-bundle": z.string().min(1).optional(),
      workers: integerFlag(1, 64).optional(),
    })
    .transform((raw) => ({
      data: raw.data,
      out: raw.out,
      budgetMinutes: raw.budget ?? 15,
      defaultEpochs: raw["default-epochs"],
      seedEpochs: raw["seed-epochs"] ?? 40,
      seedPatience: raw["seed-patience"] ?? 3,
      seedBundle: raw["seed-bundle"],
      defaultBundle: raw["default-bundle"],
      workers: raw.workers,
    })),
};

const manifestSchema = z.object({
  name: z.string(),
  version: z.string(),
  tokenizer: z.object({ kind: z.string() }).passthrough(),
  model: z.object({ preset: z.string(), units: z.array(z.number()) }).passthrough(),
  training: z.object({ split: z.string(), validationShare: z.number(), seed: z.number() }).passthrough(),
  dataset: z
    .object({ files: z.array(z.object({ name: z.string(), sha256: z.string(), split: z.string() })) })
    .passthrough(),
  parameters: z.number(),
  backend: z.string(),
  metrics: z.array(
    z
      .object({
        epoch: z.number(),
        valLoss: z.number().nullable(),
        elapsedSeconds: z.number(),
        tokensPerSecond: z.number(),
      })
      .passthrough(),
  ),
});
type RunManifest = z.infer<typeof manifestSchema>;

export interface RunSummary {
  preset: string;
  bundleDir: string;
  parameters: number;
  history: Pick<EpochMetrics, "epoch" | "valLoss" | "elapsedSeconds" | "tokensPerSecond">[];
  /** Wall seconds of the whole `train` process (start-up, data, training, publishing); null when reused. */
  processSeconds: number | null;
}

/** Best validation loss of a run and the epoch it came at. */
export function bestValidation(
  history: RunSummary["history"],
): { epoch: number; loss: number; elapsedSeconds: number } | null {
  let best: { epoch: number; loss: number; elapsedSeconds: number } | null = null;
  for (const m of history) {
    if (m.valLoss !== null && Number.isFinite(m.valLoss) && (best === null || m.valLoss < best.loss)) {
      best = { epoch: m.epoch, loss: m.valLoss, elapsedSeconds: m.elapsedSeconds };
    }
  }
  return best;
}

/** The first epoch whose validation loss is below `threshold`, or null. */
export function firstBelow(
  history: RunSummary["history"],
  threshold: number,
): { epoch: number; loss: number; elapsedSeconds: number } | null {
  const hit = history.find((m) => m.valLoss !== null && m.valLoss < threshold);
  return hit ? { epoch: hit.epoch, loss: hit.valLoss!, elapsedSeconds: hit.elapsedSeconds } : null;
}

/** Files on each side of the split, as "name sha256" strings: two runs share a split iff these agree. */
export function splitSignature(manifest: Pick<RunManifest, "dataset">): {
  train: string[];
  validation: string[];
} {
  const side = (split: string) =>
    manifest.dataset.files
      .filter((f) => f.split === split)
      .map((f) => `${f.name} ${f.sha256}`)
      .sort();
  return { train: side("train"), validation: side("validation") };
}

async function readRunManifest(bundleOrModelDir: string): Promise<{ dir: string; manifest: RunManifest }> {
  const dir = await resolveBundleDir(bundleOrModelDir);
  const text = await readFile(path.join(dir, "bundle.json"), "utf8").catch(() => {
    throw new CliError(`${dir} is not a model bundle (no bundle.json)`);
  });
  const parsed = manifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new CliError(
      `${dir}/bundle.json is not a Motif bundle manifest: ${parsed.error.issues[0]?.message ?? ""}`,
    );
  return { dir, manifest: parsed.data };
}

const cliEntry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../main.ts");

/** Runs `train` as the user would (same node flags), streaming its progress; resolves its wall seconds. */
function runTrain(args: string[], label: string): Promise<number> {
  const started = performance.now();
  process.stderr.write(`[quality] ${label}: train ${args.join(" ")}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, cliEntry, "train", ...args], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) resolve((performance.now() - started) / 1000);
      else
        reject(
          new CliError(
            `${label}: train ${signal ? `was killed by ${signal}` : `exited with code ${String(code)}`}`,
          ),
        );
    });
  });
}

function summarize(
  preset: string,
  dir: string,
  manifest: RunManifest,
  processSeconds: number | null,
): RunSummary {
  return {
    preset,
    bundleDir: dir,
    parameters: manifest.parameters,
    history: manifest.metrics,
    processSeconds,
  };
}

export async function runQuality(options: QualityOptions): Promise<number> {
  const env = trainerEnv();
  const dataDir = options.data ? resolveUserPath(options.data) : env.corpusDir;
  const outDir = options.out ? resolveUserPath(options.out) : path.join(repoRoot, "runs", "quality");
  const modelsDir = path.join(outDir, "models");
  await mkdir(modelsDir, { recursive: true });
  const machine = describeMachine();
  const common = [
    "--data",
    dataDir,
    "--tokenizer",
    "notes-chords",
    "--split",
    "songs",
    "--val",
    "0.1",
    "--seed",
    "1",
    "--out",
    modelsDir,
  ];
  if (options.workers !== undefined) common.push("--workers", String(options.workers));

  /** A finished bundle of `preset`: the one the user named, or one `train` makes now with `trainArgs`. */
  async function obtainRun(preset: Preset, reuse: string | undefined, name: string, trainArgs: string[]) {
    const seconds = reuse
      ? null
      : await runTrain([...common, "--preset", preset, "--name", name, ...trainArgs], `${preset} preset`);
    const { dir, manifest } = await readRunManifest(
      reuse ? resolveUserPath(reuse) : path.join(modelsDir, name),
    );
    // A seed run reused from before the rename says its preset's old name.
    if (!isPresetName(manifest.model.preset) || presetOf(manifest.model.preset) !== preset)
      throw new CliError(`${dir} was trained with preset ${manifest.model.preset}, not ${preset}`);
    return { manifest, summary: summarize(preset, dir, manifest, seconds) };
  }
  const seedRun = await obtainRun("notebook", options.seedBundle, "seed-notes-chords", [
    "--epochs",
    String(options.seedEpochs),
    "--patience",
    String(options.seedPatience),
  ]);
  const defaultRun = await obtainRun(
    "default",
    options.defaultBundle,
    "default-notes-chords",
    options.defaultEpochs === undefined ? [] : ["--epochs", String(options.defaultEpochs)],
  );
  const [seed, motif] = [seedRun.summary, defaultRun.summary];
  const defaultSeconds = motif.processSeconds;

  const [a, b] = [splitSignature(seedRun.manifest), splitSignature(defaultRun.manifest)];
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    throw new CliError(
      `the two runs used different song splits (${a.validation.length} vs ${b.validation.length} validation songs): compare runs made with the same data, --val and --seed`,
    );
  }
  const seedBest = bestValidation(seed.history);
  if (!seedBest) throw new CliError(`the seed run ${seed.bundleDir} has no validation loss`);
  const motifBest = bestValidation(motif.history);
  const crossing = firstBelow(motif.history, seedBest.loss);

  const log = new FigureLog(machine.cores);
  const backend = defaultRun.manifest.backend;
  const split = `${a.train.length} train / ${a.validation.length} validation songs, notes-chords`;
  log.record({
    name: "seed preset: best validation loss",
    value: seedBest.loss,
    unit: "nats",
    config: `epoch ${seedBest.epoch} of ${seed.history.length}, ${split}`,
    backend,
  });
  log.record({
    name: "seed preset: minutes to its best",
    value: seedBest.elapsedSeconds / 60,
    unit: "min",
    config: `training clock, ${seed.parameters} parameters`,
    backend,
  });
  if (motifBest)
    log.record({
      name: "default preset: best validation loss",
      value: motifBest.loss,
      unit: "nats",
      config: `epoch ${motifBest.epoch} of ${motif.history.length}, ${split}`,
      backend,
    });
  log.record({
    name: "default preset: minutes to beat the seed's best",
    value: crossing ? crossing.elapsedSeconds / 60 : Number.NaN,
    unit: "min",
    config: crossing
      ? `epoch ${crossing.epoch}, val loss ${crossing.loss.toFixed(4)}, training clock, ${motif.parameters} parameters`
      : "never within this run",
    backend,
    target: `≤ ${options.budgetMinutes}`,
  });
  if (defaultSeconds !== null)
    log.record({
      name: "default preset: whole train process",
      value: defaultSeconds / 60,
      unit: "min",
      config: "start-up, data, training, validation, publishing",
      backend,
    });

  const scene = qualityScene({
    title: `Time to quality on ${path.basename(dataDir)} (notes-chords, song split)`,
    series: [
      {
        label: "default preset",
        points: motif.history.flatMap((m) =>
          m.valLoss === null ? [] : [[m.elapsedSeconds / 60, m.valLoss] as const],
        ),
      },
      {
        label: "seed preset",
        points: seed.history.flatMap((m) =>
          m.valLoss === null ? [] : [[m.elapsedSeconds / 60, m.valLoss] as const],
        ),
      },
    ],
    baseline: { label: `seed best ${seedBest.loss.toFixed(3)}`, loss: seedBest.loss },
    budgetMinutes: options.budgetMinutes,
  });
  await writeFile(path.join(outDir, "time-to-quality.svg"), sceneToSvg(scene));
  await writeFile(path.join(outDir, "time-to-quality.png"), sceneToPng(scene));
  const result = {
    date: new Date().toISOString(),
    machine,
    data: dataDir,
    budgetMinutes: options.budgetMinutes,
    seedBest,
    motifBest,
    crossing,
    runs: [seed, motif],
    figures: log.figures,
  };
  await writeFile(path.join(outDir, "result.json"), JSON.stringify(result, null, 2) + "\n");
  process.stdout.write(
    `\n${log.table()}\n\nplot: ${path.join(outDir, "time-to-quality.svg")} (and .png); details: ${path.join(outDir, "result.json")}\n`,
  );
  const met = crossing !== null && crossing.elapsedSeconds <= options.budgetMinutes * 60;
  process.stdout.write(
    met
      ? `default beat the seed's best within ${options.budgetMinutes} min\n`
      : `default did NOT beat the seed's best within ${options.budgetMinutes} min\n`,
  );
  return 0;
}
