import "server-only";
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

/** A run still writing metrics within this long is shown as running. */
const RUNNING_WITHIN_MS = 10 * 60 * 1000;
/** Points sent per run: enough for a curve, bounded for very long runs with --val-every. */
const MAX_POINTS = 2000;

const pointSchema = z.object({
  at: z.enum(["epoch", "step", "stop"]),
  epoch: z.number(),
  step: z.number(),
  elapsedSeconds: z.number(),
  loss: z.number(),
  valLoss: z.number().nullable(),
  valAccuracy: z.number().nullable(),
});
type TrainingPoint = z.infer<typeof pointSchema>;

const summarySchema = z.object({
  version: z.string().nullable(),
  stoppedReason: z.string(),
  bestValLoss: z.number().nullable(),
  bestValAccuracy: z.number().nullable(),
  epochsRun: z.number(),
  wallSeconds: z.number(),
  tokensPerSecond: z.number(),
});
type TrainingSummary = z.infer<typeof summarySchema>;

interface TrainingRun {
  /** "<model name>/<run id>", unique under the models root. */
  id: string;
  name: string;
  runId: string;
  state: "running" | "finished" | "stopped";
  /** ISO time metrics.jsonl was last written. */
  updatedAt: string;
  points: TrainingPoint[];
  summary: TrainingSummary | null;
}

/** metrics.jsonl lines (the trainer's run log); a torn or foreign line is skipped. */
function parseMetricsLines(text: string): TrainingPoint[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      try {
        const parsed = pointSchema.safeParse(JSON.parse(line));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    });
}

/** Every point when few, else evenly thinned keeping the first and the last. */
function thin(points: TrainingPoint[]): TrainingPoint[] {
  if (points.length <= MAX_POINTS) return points;
  const every = (points.length - 1) / (MAX_POINTS - 1);
  return Array.from({ length: MAX_POINTS }, (_, i) => points[Math.round(i * every)]!);
}

/**
 * The training runs the trainer records under the models root (<root>/<name>/runs/<run id>/
 * metrics.jsonl, and summary.json once finished), read fresh on every call so a run in
 * progress can be followed live.
 */
export function createTrainingRuns(deps: { modelsDir: string }) {
  async function readRun(name: string, runId: string, now: number): Promise<TrainingRun | null> {
    const dir = join(deps.modelsDir, name, "runs", runId);
    const metrics = await stat(join(dir, "metrics.jsonl")).catch(() => null);
    if (!metrics?.isFile()) return null;
    const points = parseMetricsLines(await readFile(join(dir, "metrics.jsonl"), "utf8"));
    const summaryText = await readFile(join(dir, "summary.json"), "utf8").catch(() => null);
    let summary: TrainingSummary | null = null;
    if (summaryText !== null) {
      try {
        summary = summarySchema.parse(JSON.parse(summaryText));
      } catch {
        summary = null;
      }
    }
    const state =
      summary !== null ? "finished" : now - metrics.mtimeMs < RUNNING_WITHIN_MS ? "running" : "stopped";
    return {
      id: `${name}/${runId}`,
      name,
      runId,
      state,
      updatedAt: metrics.mtime.toISOString(),
      points: thin(points),
      summary,
    };
  }

  /** Newest first. */
  async function list(): Promise<TrainingRun[]> {
    const now = Date.now();
    const runs: TrainingRun[] = [];
    const names = await readdir(deps.modelsDir, { withFileTypes: true }).catch(() => []);
    for (const name of names.filter((e) => e.isDirectory() && !e.name.startsWith("."))) {
      const ids = await readdir(join(deps.modelsDir, name.name, "runs"), { withFileTypes: true }).catch(
        () => [],
      );
      for (const id of ids.filter((e) => e.isDirectory())) {
        const run = await readRun(name.name, id.name, now);
        if (run) runs.push(run);
      }
    }
    return runs.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  return { list };
}
