// kill -9 at random points of training and publishing, again and again, on a tiny real training
// through the real CLI. After every kill: every bundle folder of the model loads with core's checks,
// LATEST names one of them, the bundles there before are untouched, nothing half-written is visible
// and the checkpoint lost at most the running epoch. Each training is resumed (or restarted when it
// died before its first checkpoint) until it publishes, and must publish what an uninterrupted run
// does: the same weights, history and metrics.jsonl. Kill times are drawn from a seeded PRNG inside
// the phases of an uninterrupted run (training; publishing; the file writes at its end).
//   CI size: a few kills. Long: MOTIF_KILL_CASES=200 pnpm --filter trainer crash (MOTIF_KILL_SEED to vary).
import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng, type BundleManifest, type EpochMetrics, type ValidationPoint } from "@motif/core";
import { checkpointDir, loadCheckpoint } from "./checkpoint-store.js";
import { demoCorpusFiles } from "../data/demo-corpus.js";
import { parseMetricsLog, type TrainSummary } from "./run-log.js";
import { writeFiles } from "../test-support/midi-fixtures.js";
import { inspectPublished, type PublishedModel } from "./test-support/published-models.js";
import { startCli, type CliProcess } from "../test-support/run-cli.js";

const KILLS = Number(process.env.MOTIF_KILL_CASES ?? 4);
const SEED = Number(process.env.MOTIF_KILL_SEED ?? 13);
const EPOCHS = 4;
const NAME = "crash";
const TINY = [
  "--epochs",
  String(EPOCHS),
  "--units",
  "16",
  "--layers",
  "1",
  "--seq-len",
  "16",
  "--batch",
  "16",
  "--augment",
  "-1..1",
  "--val",
  "0.25",
  "--seed",
  "3",
  "--workers",
  "1",
  "--json",
];

/**
 * Where each phase starts on stderr (a resumed run that saved its last epoch prints it as "(done)"):
 * training, publishing (evaluation, pictures, files), writing (pictures, files); published ends it.
 */
const MARKS = {
  training: /^metrics: /m,
  publishing: new RegExp(`^(\\(done\\) )?epoch ${EPOCHS}/${EPOCHS} `, "m"),
  writing: /^evaluation \(/m,
  published: /^published /m,
} as const;
type Mark = keyof typeof MARKS;
const PHASES = ["training", "publishing", "writing"] as const;
type Phase = (typeof PHASES)[number];

let work: string;
let dataDir: string;
let reference: { manifest: BundleManifest; points: ValidationPoint[]; phaseMs: Record<Phase, number> };

/** The deterministic part of a history and of metrics.jsonl (timings vary run to run). */
const trajectory = (history: EpochMetrics[]) =>
  history.map(({ tokensPerSecond: _t, elapsedSeconds: _e, ...rest }) => rest);
const deterministic = (points: ValidationPoint[]) => points.map(({ elapsedSeconds: _e, ...rest }) => rest);

function freshArgs(out: string): string[] {
  return ["train", "--data", dataDir, "--out", out, "--name", NAME, ...TINY];
}

/** The CLI, with the time (ms after spawning) at which each phase began and at which it exited. */
function startTimed(args: string[]): {
  cli: CliProcess;
  began: Partial<Record<Mark, number>>;
  exited: Promise<number>;
} {
  const started = performance.now();
  const cli = startCli(args);
  const began: Partial<Record<Mark, number>> = {};
  let stderr = "";
  cli.child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const [mark, pattern] of Object.entries(MARKS) as [Mark, RegExp][])
      if (began[mark] === undefined && pattern.test(stderr)) began[mark] = performance.now() - started;
  });
  return { cli, began, exited: cli.done.then(() => performance.now() - started) };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "motif-crash-"));
  dataDir = path.join(work, "data");
  const demo = demoCorpusFiles().filter((f) => /^(twinkle|mary|minuet|alberti-c|scale-c)/.test(f.name));
  await writeFiles(dataDir, Object.fromEntries(demo.map((f) => [f.name, f.bytes])));
  // The uninterrupted run: what every killed training must end with, and how long its phases last.
  const out = path.join(work, "reference");
  const run = startTimed(freshArgs(out));
  const [result, exitedMs] = await Promise.all([run.cli.done, run.exited]);
  expect(result.code, result.stderr).toBe(0);
  const summary = JSON.parse(result.stdout) as TrainSummary;
  const manifest = (await inspectPublished(out, NAME)).bundles.get("v1")!;
  const { training = 0, publishing = 0, writing = 0, published = 0 } = run.began;
  expect(
    training > 0 && publishing > training && writing > publishing && published > writing,
    JSON.stringify(run.began),
  ).toBe(true);
  reference = {
    manifest,
    points: parseMetricsLog(await readFile(summary.metricsFile, "utf8")),
    // Publishing runs to the exit (the summary is written after the bundle); writing to the "published" line.
    phaseMs: {
      training: publishing - training,
      publishing: exitedMs - publishing,
      writing: published - writing,
    },
  };
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The epoch of the saved checkpoint, or null when there is none (run.json marks a complete one). */
async function savedEpoch(out: string): Promise<number | null> {
  const dir = checkpointDir(out, NAME);
  if ((await stat(path.join(dir, "run.json")).catch(() => null)) === null) return null;
  return (await loadCheckpoint(dir)).checkpoint.epoch;
}

/** Waits for `phase` to begin, then `delayMs`, then SIGKILLs the CLI if it still runs. */
async function killIn(cli: CliProcess, phase: Phase, delayMs: number): Promise<void> {
  if (
    !(await cli.waitForStderr(MARKS[phase]).then(
      () => true,
      () => false,
    ))
  )
    return;
  await sleep(delayMs);
  if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill("SIGKILL");
}

/** What a kill left on disk, for the tally: which step of the run it landed in. */
async function killedState(
  out: string,
  before: PublishedModel,
  after: PublishedModel,
  saved: number | null,
): Promise<string> {
  const added = [...after.bundles.keys()].filter((version) => !before.bundles.has(version));
  if (added.length > 0)
    return after.latest === before.latest
      ? "bundle renamed in, LATEST not yet moved"
      : saved !== null
        ? "published, checkpoint not yet removed"
        : "published";
  if (after.hidden.some((entry) => entry.startsWith(".publishing-") && !before.hidden.includes(entry)))
    return "staging folder half-written (hidden)";
  const temporary = (await readdir(checkpointDir(out, NAME)).catch(() => [] as string[])).some((entry) =>
    entry.startsWith("."),
  );
  if (temporary) return "checkpoint half-written (hidden)";
  return saved === null ? "before the first checkpoint" : `checkpoint of epoch ${saved}`;
}

/**
 * A training that reached its end (`summary` when its process printed one, null when the kill came
 * after the publish): every bundle is the uninterrupted run's, and nothing is left over.
 */
async function checkPublished(
  out: string,
  after: PublishedModel,
  summary: TrainSummary | null,
): Promise<void> {
  for (const manifest of after.bundles.values()) {
    expect(manifest.weightsSha256).toBe(reference.manifest.weightsSha256);
    expect(trajectory(manifest.metrics)).toEqual(trajectory(reference.manifest.metrics));
  }
  if (summary !== null) {
    expect(after.latest).toBe(summary.version);
    expect(deterministic(parseMetricsLog(await readFile(summary.metricsFile, "utf8")))).toEqual(
      deterministic(reference.points),
    );
  }
  expect(await stat(checkpointDir(out, NAME)).catch(() => null)).toBeNull();
  expect(after.hidden).toEqual([]); // the publish cleared what killed publishes left
}

describe("kill -9 during training and publishing", () => {
  it(
    `survives ${KILLS} kills: the published set stays valid and every training ends with the uninterrupted run's bundle`,
    { timeout: Math.max(120_000, KILLS * 30_000) },
    async () => {
      let out = "";
      const rng = createRng(SEED);
      const tally = new Map<string, number>();
      let kills = 0;
      let runs = 0;
      let trainings = 0;
      let killsLeft = 0;
      let training = false; // a training started and not yet published
      const ended = new Map<string, number>(); // trainings that ended, per folder: one bundle each
      const endTraining = (after: PublishedModel) => {
        ended.set(out, (ended.get(out) ?? 0) + 1);
        // A resume after a kill between the publish and the checkpoint's removal publishes nothing again.
        expect(after.bundles.size, "bundles in the folder: one per training").toBe(ended.get(out));
        training = false;
      };
      while (kills < KILLS || training) {
        expect(runs++, "runs that never got killed nor finished").toBeLessThan(KILLS * 4 + 8);
        if (!training) {
          [training, killsLeft, trainings] = [
            true,
            Math.min(KILLS - kills, 1 + Math.floor(rng.next() * 3)),
            trainings + 1,
          ];
          out = path.join(work, `killed-${Math.ceil(trainings / 4)}`); // a few trainings publish side by side (checking more would only take longer)
        }
        const before = await inspectPublished(out, NAME);
        const saved = await savedEpoch(out);
        const run = startTimed(
          saved === null
            ? freshArgs(out)
            : ["train", "--resume", "--name", NAME, "--out", out, "--workers", "1", "--json"],
        );
        const phase = PHASES[Math.floor(rng.next() * PHASES.length)]!;
        const delayMs = rng.next() * reference.phaseMs[phase];
        if (killsLeft > 0) await killIn(run.cli, phase, delayMs);
        const result = await run.cli.done;

        const after = await inspectPublished(out, NAME);
        expect(after.problems, result.stderr).toEqual([]);
        for (const [version, manifest] of before.bundles)
          expect(after.bundles.get(version)?.contentHash, `${version} changed`).toBe(manifest.contentHash);
        if (saved !== null && result.stderr.includes("\nmetrics: "))
          expect(result.stderr).toContain(`resuming "${NAME}" from epoch ${saved} (`);
        if (result.code !== null) {
          expect(result.code, result.stderr).toBe(0);
          await checkPublished(out, after, JSON.parse(result.stdout) as TrainSummary);
          endTraining(after);
          continue;
        }
        kills += 1;
        killsLeft -= 1;
        const savedAfter = await savedEpoch(out);
        const state = await killedState(out, before, after, savedAfter);
        tally.set(`${phase}: ${state}`, (tally.get(`${phase}: ${state}`) ?? 0) + 1);
        if (state === "published") {
          await checkPublished(out, after, null);
          endTraining(after);
        } else if (after.bundles.size === before.bundles.size) {
          // The checkpoint never goes back and loses at most the epoch that was running.
          const seen = Math.max(
            0,
            ...[...result.stderr.matchAll(new RegExp(`^epoch (\\d+)/${EPOCHS} `, "gm"))].map((m) =>
              Number(m[1]),
            ),
          );
          expect(savedAfter ?? 0, result.stderr).toBeGreaterThanOrEqual(Math.max(seen - 1, saved ?? 0));
        }
      }
      const lines = [...tally].sort().map(([state, count]) => `  ${String(count).padStart(4)}  ${state}`);
      console.log(
        `kill -9: ${kills} kills survived over ${trainings} trainings (${runs} runs, seed ${SEED}), each ending with the uninterrupted run's bundle:\n${lines.join("\n")}`,
      );
      expect(kills).toBe(KILLS);
    },
  );
});
