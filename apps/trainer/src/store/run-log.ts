// A run's record that outlives its checkpoint: <out>/<name>/runs/<run id>/metrics.jsonl gets one
// line per validation while training runs (so it can be followed live), and summary.json the
// `train --json` object at the end. Published bundles stay as they are: the summary names both.
import { appendFile, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { StopReason, ValidationPoint } from "@motif/core";
import { z } from "zod";
import { writeFileAtomic } from "./durable-files.js";

const METRICS_FILE = "metrics.jsonl";
const SUMMARY_FILE = "summary.json";

/** What `train --json` prints (and summary.json holds). */
export interface TrainSummary {
  name: string;
  /** Null when interrupted (nothing published). */
  version: string | null;
  bundleDir: string | null;
  stoppedReason: StopReason;
  /** Where the published weights were validated; step counts optimizer steps since the start. */
  bestEpoch: number | null;
  bestStep: number | null;
  bestValLoss: number | null;
  bestValAccuracy: number | null;
  /** Epochs trained, fractional when a time budget stopped inside one. */
  epochsRun: number;
  steps: number;
  tokensSeen: number;
  /** This process, start to end. */
  wallSeconds: number;
  /** Tokens trained by this process per second of its training loop (validations included). */
  tokensPerSecond: number;
  metricsFile: string;
  /** Set when interrupted: what --resume continues. */
  checkpointDir: string | null;
}

/** A folder name from the run's start time, e.g. 2026-12-02T10-15-03-120Z (sortable, no colons). */
export function runIdOf(startedAt: string): string {
  return startedAt.replace(/[:.]/g, "-");
}

export function runDir(root: string, name: string, runId: string): string {
  return path.join(root, name, "runs", runId);
}

/** One metrics.jsonl line; in-key figures only where they were measured. */
export function metricsLine(point: ValidationPoint): string {
  const { valInKeyMass, valNoteAccuracy, ...rest } = point;
  return JSON.stringify({
    ...rest,
    ...(valInKeyMass === null ? {} : { valInKeyMass }),
    ...(valNoteAccuracy === null ? {} : { valNoteAccuracy }),
  });
}

const pointSchema = z
  .object({
    at: z.enum(["epoch", "step", "stop"]),
    epoch: z.number(),
    step: z.number(),
    tokensSeen: z.number(),
    elapsedSeconds: z.number(),
    loss: z.number(),
    accuracy: z.number(),
    valLoss: z.number().nullable(),
    valAccuracy: z.number().nullable(),
    valInKeyMass: z.number().optional(),
    valNoteAccuracy: z.number().optional(),
    learningRate: z.number(),
  })
  .transform((p): ValidationPoint => ({
    ...p,
    valInKeyMass: p.valInKeyMass ?? null,
    valNoteAccuracy: p.valNoteAccuracy ?? null,
  }));

/** The lines of a metrics.jsonl (a torn last line, from a run killed while writing, is left out). */
export function parseMetricsLog(text: string): ValidationPoint[] {
  const points: ValidationPoint[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = pointSchema.safeParse(json);
    if (parsed.success) points.push(parsed.data);
  }
  return points;
}

/**
 * Creates the run folder and its metrics.jsonl. Resuming, the lines after the checkpoint's step
 * go (the resumed run validates there again, identically); returns the file's path.
 */
export async function openMetricsLog(dir: string, keepThroughStep: number | null): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, METRICS_FILE);
  const kept =
    keepThroughStep === null
      ? []
      : parseMetricsLog(await readFile(file, "utf8").catch(() => "")).filter(
          (p) => p.step <= keepThroughStep,
        );
  // In one rename: a kill while trimming must not lose the lines the checkpoint keeps.
  await writeFileAtomic(file, kept.map((p) => metricsLine(p) + "\n").join(""));
  return file;
}

export async function appendMetrics(file: string, point: ValidationPoint): Promise<void> {
  await appendFile(file, metricsLine(point) + "\n");
}

export async function writeRunSummary(dir: string, summary: TrainSummary): Promise<void> {
  await writeFileAtomic(path.join(dir, SUMMARY_FILE), JSON.stringify(summary, null, 2) + "\n");
}
