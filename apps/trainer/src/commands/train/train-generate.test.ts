// End to end through the real CLI: train a tiny model on a few demo files (plus a broken one),
// publish, reload, generate twice (byte-identical), refuse a tampered bundle, and resume after
// SIGINT with the same history as an uninterrupted run.
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createStepModel,
  generateTokens,
  loadBundle,
  type BundleManifest,
  type EpochMetrics,
} from "@motif/core";
import { parseMidi } from "@motif/midi";
import { readBundleDir } from "../../store/bundle-dir.js";
import { demoCorpusFiles } from "../../data/demo-corpus.js";
import { BROKEN_MIDI, writeFiles } from "../../test-support/midi-fixtures.js";
import { runCli, startCli } from "../../test-support/run-cli.js";
import { parseMetricsLog, type TrainSummary } from "../../store/run-log.js";

let work: string;
let dataDir: string;
let modelsDir: string;

const TINY = [
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
  "--backend",
  "wasm",
];

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "motif-train-"));
  dataDir = path.join(work, "data");
  modelsDir = path.join(work, "models");
  const demo = demoCorpusFiles().filter((f) =>
    /^(twinkle|mary|minuet|alberti-c|alberti-g|scale-c|cadences-g)/.test(f.name),
  );
  await writeFiles(dataDir, {
    ...Object.fromEntries(demo.map((f) => [f.name, f.bytes])),
    "zz-broken.mid": BROKEN_MIDI,
  });
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const manifestOf = async (dir: string) =>
  JSON.parse(await readFile(path.join(dir, "bundle.json"), "utf8")) as BundleManifest;
/** The deterministic part of the history (timings vary run to run). */
const trajectory = (history: EpochMetrics[]) =>
  history.map(({ tokensPerSecond: _t, elapsedSeconds: _e, ...rest }) => rest);
/** The model's one run folder (<out>/<name>/runs/<run id>/) and its metrics.jsonl lines. */
async function runLog(name: string) {
  const runs = await readdir(path.join(modelsDir, name, "runs"));
  expect(runs).toHaveLength(1);
  const dir = path.join(modelsDir, name, "runs", runs[0]!);
  return { dir, points: parseMetricsLog(await readFile(path.join(dir, "metrics.jsonl"), "utf8")) };
}

describe("train → publish → generate", () => {
  let bundleDir: string;

  it("trains, lists the broken file, and publishes a complete bundle atomically", async () => {
    const result = await runCli([
      "train",
      "--data",
      dataDir,
      "--out",
      modelsDir,
      "--name",
      "tiny",
      "--epochs",
      "2",
      ...TINY,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("backend: wasm");
    expect(result.stderr).toMatch(/skipped 1 file\(s\):\n {2}zz-broken\.mid: \S/);
    expect(result.stderr).toMatch(/epoch 1\/2 {2}loss \d/);
    expect(result.stderr).toMatch(/epoch 2\/2 .*val loss \d.*in-key 0\.\d{3}.*tok\/s/);
    expect(result.stderr).toContain("keys moved to C major / A minor");
    bundleDir = path.join(modelsDir, "tiny", "v1");
    expect(result.stderr).toContain(`published ${bundleDir}`);
    expect((await readdir(bundleDir)).sort()).toEqual([
      "README.md",
      "bundle.json",
      "curves.png",
      "curves.svg",
      "evaluation.json",
      "evaluation.png",
      "evaluation.svg",
      "model.json",
      "reference-notes.bin.gz",
      "weights.bin",
    ]);
    expect(result.stderr).toMatch(/evaluation \(8 pieces of 500 tokens, [\d.]+ s\): collapse \d/);
    expect((await readFile(path.join(modelsDir, "tiny", "LATEST"), "utf8")).trim()).toBe("v1");
    expect((await readdir(modelsDir)).filter((name) => name.startsWith("."))).toEqual([]); // no staging folder left

    const manifest = await manifestOf(bundleDir);
    expect(manifest.dataset.skipped).toEqual([
      { name: "zz-broken.mid", reason: expect.stringMatching(/\S/) },
    ]);
    expect(manifest.dataset.files).toHaveLength(7);
    expect(manifest.dataset.files.filter((f) => f.split === "validation").length).toBe(2);
    expect(manifest.metrics).toHaveLength(2);
    expect(manifest.backend).toBe("wasm");
    expect(manifest.training.augment).toEqual([-1, 1]);
    expect(manifest.training.keyNormalization).toBe("song");
    expect(manifest.metrics.every((m) => typeof m.valInKeyMass === "number")).toBe(true);
    expect(await readFile(path.join(bundleDir, "curves.svg"), "utf8")).toContain("<svg");
    expect(await readFile(path.join(bundleDir, "README.md"), "utf8")).toContain(manifest.contentHash);
  });

  it("fine-tunes from a published bundle (--init-from): its architecture and weights, recorded in the manifest", async () => {
    const refused = await runCli([
      "train",
      "--data",
      dataDir,
      "--out",
      modelsDir,
      "--init-from",
      bundleDir,
      "--units",
      "32",
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "--init-from tiny v1 does not fit this run: its LSTM is 16, --units says 32",
    );

    // An init with a notice (as the built-in models have): the fine-tuned bundle carries it on.
    const initDir = path.join(work, "init-with-notice");
    await cp(bundleDir, initDir, { recursive: true });
    await writeFile(path.join(initDir, "NOTICE.md"), "# tiny v1: notice\n\n## Public domain\n\n- a piece\n");
    // No --units/--layers: the architecture comes from the bundle.
    const flagPairs = Array.from({ length: TINY.length / 2 }, (_, i) => TINY.slice(2 * i, 2 * i + 2));
    const tinyWithoutShape = flagPairs.filter(([flag]) => flag !== "--units" && flag !== "--layers").flat();
    const result = await runCli([
      "train",
      "--data",
      dataDir,
      "--out",
      modelsDir,
      "--name",
      "tiny-tuned",
      "--epochs",
      "1",
      "--init-from",
      initDir,
      ...tinyWithoutShape,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const init = await manifestOf(bundleDir);
    const tuned = await manifestOf(path.join(modelsDir, "tiny-tuned", "v1"));
    const size = init.vocabulary.tokens.length;
    expect(result.stderr).toContain(`weights from tiny v1: ${size} of ${size} tokens carried over\n`);
    expect(result.stderr).toContain(", fine-tuned from tiny v1");
    expect(tuned.training.initFrom).toEqual({
      name: "tiny",
      version: "v1",
      weightsSha256: init.weightsSha256,
    });
    expect(tuned.model.units).toEqual([16]);
    expect(await readFile(path.join(modelsDir, "tiny-tuned", "v1", "NOTICE.md"), "utf8")).toBe(
      "# tiny-tuned v1: notice and attribution\n\n" +
        `This model was fine-tuned from tiny v1 (weights sha256 ${init.weightsSha256}), so it also learned from the music that model was trained on. Its notice follows.\n\n` +
        "## tiny v1: notice\n\n### Public domain\n\n- a piece\n",
    );
    expect(await readFile(path.join(modelsDir, "tiny-tuned", "v1", "README.md"), "utf8")).toContain(
      `Fine-tuned from \`tiny\` v1 (weights sha256 \`${init.weightsSha256}\`)`,
    );
    // Starting from a trained model, its first epoch validates better than the fresh model's first did.
    expect(tuned.metrics[0]!.valLoss!).toBeLessThan(init.metrics[0]!.valLoss!);
  });

  it("logs one metrics.jsonl line per validation in a run folder that outlives the checkpoint", async () => {
    const manifest = await manifestOf(bundleDir);
    expect(manifest.training.augmentMode).toBe("random");
    const { dir, points } = await runLog("tiny");
    expect(points.map((p) => [p.at, p.epoch, p.valLoss, p.valInKeyMass])).toEqual(
      manifest.metrics.map((m) => ["epoch", m.epoch, m.valLoss, m.valInKeyMass]),
    );
    expect(points[1]!.step).toBe(2 * points[0]!.step);
    expect(points[1]!.tokensSeen).toBeGreaterThan(points[0]!.tokensSeen);
    const summary = JSON.parse(await readFile(path.join(dir, "summary.json"), "utf8")) as TrainSummary;
    expect(summary).toMatchObject({
      name: "tiny",
      version: "v1",
      bundleDir,
      stoppedReason: "epochs",
      epochsRun: 2,
      metricsFile: path.join(dir, "metrics.jsonl"),
    });
  });

  it("reloads with core's loadBundle and generates without leaking tensors", async () => {
    const bundle = await loadBundle(await readBundleDir(bundleDir));
    expect(bundle.vocabulary.size).toBe(bundle.manifest.model.vocabSize);
    // Its evaluation: 8 pieces against the 5 training songs, the 2 validation songs as the baseline.
    expect(bundle.evaluation?.report.pieces).toHaveLength(8);
    expect(bundle.evaluation?.report.human?.pieces).toBe(2);
    expect(bundle.evaluation?.reference?.songs).toBe(5);
    const before = tf.memory().numTensors;
    const step = createStepModel(bundle.model, bundle.manifest.model);
    const tokens = generateTokens({
      step,
      vocabulary: bundle.vocabulary,
      tokenizer: bundle.tokenizer,
      options: {
        length: 50,
        seed: 1,
        primer: [],
        temperature: 1,
        topK: null,
        topP: 0.95,
        repetitionGuard: true,
      },
    });
    step.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(tokens).toHaveLength(50);
    bundle.model.dispose();
  });

  it("writes byte-identical MIDI for the same recipe, with the recipe inside", async () => {
    const recipe = [
      "--model",
      path.join(modelsDir, "tiny"),
      "--length",
      "120",
      "--temperature",
      "0.9",
      "--top-k",
      "20",
      "--top-p",
      "0.9",
      "--seed",
      "42",
      "--backend",
      "wasm",
    ];
    const first = await runCli(["generate", ...recipe, "--out", path.join(work, "a.mid")]);
    expect(first.code, first.stderr).toBe(0);
    const second = await runCli(["generate", ...recipe, "--out", path.join(work, "b.mid")]);
    expect(second.code, second.stderr).toBe(0);
    const a = await readFile(path.join(work, "a.mid"));
    const b = await readFile(path.join(work, "b.mid"));
    expect(a.equals(b)).toBe(true);
    expect(first.stdout).toBe(second.stdout);

    const manifest = await manifestOf(bundleDir);
    const sequence = parseMidi(new Uint8Array(a));
    expect(sequence.notes.length).toBeGreaterThan(0);
    expect(sequence.texts).toEqual(first.stdout.trim().split("\n"));
    expect(sequence.texts).toEqual(
      expect.arrayContaining([
        `bundle ${manifest.contentHash}`,
        "seed 42",
        "temperature 0.9",
        "top-k 20",
        "top-p 0.9",
        "length 120",
        "model tiny v1",
      ]),
    );

    const otherSeed = await runCli([
      "generate",
      ...recipe.slice(0, -4),
      "--seed",
      "43",
      "--backend",
      "wasm",
      "--out",
      path.join(work, "c.mid"),
    ]);
    expect(otherSeed.code, otherSeed.stderr).toBe(0);
    expect((await readFile(path.join(work, "c.mid"))).equals(a)).toBe(false);
  });

  it("generates from a primer file and from a corpus window", async () => {
    const fromFile = await runCli([
      "generate",
      "--model",
      bundleDir,
      "--length",
      "40",
      "--seed",
      "7",
      "--primer",
      path.join(dataDir, "twinkle-twinkle.mid"),
      "--out",
      path.join(work, "p.mid"),
    ]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    // The model is key-normalised, so the primer was moved from its own key (named) to C major / A minor.
    expect(fromFile.stdout).toMatch(
      /^primer file:twinkle-twinkle\.mid sha256=[0-9a-f]{16} tokens=32 key=[A-G][b#]?-(major|minor)$/m,
    );
    expect(fromFile.stdout).toMatch(/^key primer$/m);
    const fromCorpus = await runCli([
      "generate",
      "--model",
      bundleDir,
      "--length",
      "40",
      "--seed",
      "7",
      "--primer",
      "corpus",
      "--data",
      dataDir,
      "--out",
      path.join(work, "q.mid"),
    ]);
    expect(fromCorpus.code, fromCorpus.stderr).toBe(0);
    expect(fromCorpus.stdout).toMatch(/^primer corpus:\S+\.mid@\d+\+32 key=[A-G][b#]?-(major|minor)$/m);
  });

  it("moves a piece to the key asked for: same tokens, every note shifted by the same interval", async () => {
    const recipe = ["--model", bundleDir, "--length", "150", "--seed", "11", "--backend", "wasm"];
    const asTrained = await runCli(["generate", ...recipe, "--out", path.join(work, "k0.mid")]);
    const inD = await runCli(["generate", ...recipe, "--key", "d major", "--out", path.join(work, "k1.mid")]);
    expect(asTrained.code, asTrained.stderr).toBe(0);
    expect(inD.code, inD.stderr).toBe(0);
    expect(asTrained.stdout).toMatch(/^key as-trained$/m);
    expect(inD.stdout).toMatch(/^key D major$/m);
    const notesOf = async (file: string) =>
      parseMidi(new Uint8Array(await readFile(path.join(work, file)))).notes;
    const [plain, moved] = [await notesOf("k0.mid"), await notesOf("k1.mid")];
    expect(plain.length).toBeGreaterThan(0);
    expect(moved.map((n) => n.pitch - 2)).toEqual(plain.map((n) => n.pitch)); // C major → D major
    expect(moved.map((n) => n.startTick)).toEqual(plain.map((n) => n.startTick));

    const bad = await runCli(["generate", ...recipe, "--key", "H major", "--out", path.join(work, "k2.mid")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--key.*"H major"/);
  });

  it("scores tonality against note n-grams on the bundle's own validation songs", async () => {
    const result = await runCli([
      "tonality",
      "--model",
      bundleDir,
      "--data",
      dataDir,
      "--pieces",
      "2",
      "--length",
      "60",
      "--long-pieces",
      "1",
      "--long-length",
      "90",
      "--max-order",
      "2",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as {
      keyNormalization: string;
      teacherForced: { notes: number; inKeyMass: number; noteAccuracy: number };
      ngrams: { order: number; notes: number }[];
      pieces: { count: number };
      reference: { count: number };
    };
    expect(report.keyNormalization).toBe("song");
    expect(report.reference.count).toBe(2);
    expect(report.teacherForced.notes).toBeGreaterThan(10);
    expect(report.teacherForced.inKeyMass).toBeGreaterThan(0);
    expect(report.teacherForced.inKeyMass).toBeLessThanOrEqual(1);
    expect(report.ngrams.map((g) => g.order)).toEqual([1, 2]);
    expect(report.pieces.count).toBe(2);
    expect(result.stdout).toMatch(/in-key mass, teacher-forced/);
  });

  it("generates tonality's pieces with the sampler asked for, and refuses a nucleus outside (0, 1]", async () => {
    const short = [
      "tonality",
      "--model",
      bundleDir,
      "--data",
      dataDir,
      "--pieces",
      "2",
      "--length",
      "40",
      "--long-pieces",
      "0",
      "--max-order",
      "1",
    ];
    const [defaults, whole] = await Promise.all([
      runCli(short),
      runCli([...short, "--top-p", "off", "--temperature", "1.3"]),
    ]);
    expect(whole.code, whole.stderr).toBe(0);
    type Report = {
      options: { temperature: number; topP: number | null };
      pieces: { pitchClassEntropy: { mean: number } };
    };
    const report = (result: { stdout: string }) =>
      JSON.parse(result.stdout.trim().split("\n").at(-1)!) as Report;
    expect(report(defaults).options).toMatchObject({ temperature: 1, topP: 0.95 });
    expect(report(whole).options).toMatchObject({ temperature: 1.3, topP: null });
    expect(whole.stderr).toMatch(/at temperature 1\.3, top-p off/);
    // Another sampler, other pieces.
    expect(report(whole).pieces.pitchClassEntropy.mean).not.toBe(
      report(defaults).pieces.pitchClassEntropy.mean,
    );
    const bad = await runCli([...short, "--top-p", "1.5"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--top-p/);
  });

  it("evaluates the model on a folder", async () => {
    const result = await runCli([
      "evaluate",
      "--model",
      bundleDir,
      "--data",
      dataDir,
      "--json",
      "--max-tokens",
      "200",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      model: string;
      files: { name: string; tokens: number }[];
      skipped: { name: string }[];
      overall: { loss: number; accuracy: number; perplexity: number; tokens: number };
    };
    expect(report.model).toBe("tiny/v1");
    expect(report.files).toHaveLength(7);
    expect(report.skipped.map((f) => f.name)).toEqual(["zz-broken.mid"]);
    expect(report.overall.tokens).toBe(report.files.reduce((sum, f) => sum + f.tokens, 0));
    expect(report.overall.loss).toBeGreaterThan(0);
    expect(report.overall.perplexity).toBeCloseTo(Math.exp(report.overall.loss), 6);
    expect(report.overall.accuracy).toBeGreaterThanOrEqual(0);
    expect(report.overall.accuracy).toBeLessThanOrEqual(1);
  });

  it("refuses a tampered bundle and says what differs", async () => {
    const tampered = path.join(work, "tampered");
    await cp(bundleDir, tampered, { recursive: true });
    const weights = await readFile(path.join(tampered, "weights.bin"));
    weights[100] = weights[100]! ^ 0xff;
    await writeFile(path.join(tampered, "weights.bin"), weights);
    const result = await runCli([
      "generate",
      "--model",
      tampered,
      "--seed",
      "1",
      "--out",
      path.join(work, "t.mid"),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`refusing to load ${tampered}`);
    expect(result.stderr).toMatch(/weights\.bin sha256 \w+… does not match bundle\.json/);
    expect(result.stdout).toBe("");
  });
});

describe("time budget, validation inside epochs, --json", () => {
  it("stops at the budget, publishes the best validation so far and prints one JSON summary", async () => {
    const result = await runCli([
      "train",
      "--data",
      dataDir,
      "--out",
      modelsDir,
      "--name",
      "budget",
      "--epochs",
      "400",
      "--time-budget",
      "5s",
      "--val-every",
      "6",
      "--json",
      ...TINY,
      "--stride",
      "4",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n")).toHaveLength(1);
    const summary = JSON.parse(result.stdout) as TrainSummary;
    expect(summary).toMatchObject({
      name: "budget",
      version: "v1",
      bundleDir: path.join(modelsDir, "budget", "v1"),
      stoppedReason: "time-budget",
      checkpointDir: null,
    });
    expect(summary.epochsRun).toBeGreaterThan(0);
    expect(summary.epochsRun).toBeLessThan(400);
    expect(summary.wallSeconds).toBeGreaterThan(5);
    expect(summary.tokensPerSecond).toBeGreaterThan(0);
    expect(result.stderr).toMatch(
      /speed: [\d,]+ tok\/s, [\d.]+ s\/step; an epoch of \d+ steps ≈ \d+:\d\d \(time budget 0:05 ≈ [\d.]+ epochs\)/,
    );
    expect(result.stderr).toContain(`time budget 0:05 reached after ${summary.epochsRun} epochs`);

    // One line per validation: every 6th step, every epoch's end, and the step the budget stopped at.
    const { points } = await runLog("budget");
    expect(points.length).toBe(
      (
        result.stderr.match(/^(step [\d,]+ \(epoch|epoch +\d+\/400 {2}loss|time budget reached at step)/gm) ??
        []
      ).length,
    );
    expect(points.filter((p) => p.at === "step").every((p) => p.step % 6 === 0)).toBe(true);
    expect(points.at(-1)!.step).toBe(summary.steps);
    expect(points.every((p, i) => i === 0 || p.step > points[i - 1]!.step)).toBe(true);
    const best = points.reduce((a, b) => ((b.valLoss as number) < (a.valLoss as number) ? b : a));
    expect(summary).toMatchObject({
      bestStep: best.step,
      bestEpoch: best.epoch,
      bestValLoss: best.valLoss,
      bestValAccuracy: best.valAccuracy,
    });
    const manifest = await manifestOf(summary.bundleDir!);
    expect(manifest.training.validateEvery).toBe(6);
    expect(manifest.metrics).toHaveLength(Math.ceil(summary.epochsRun));
    expect(await readdir(path.join(modelsDir, "budget"))).not.toContain(".checkpoint");
  });
});

describe("interrupt and resume", () => {
  it("SIGINT saves a checkpoint; --resume finishes with the same history as an uninterrupted run", async () => {
    // Enough epochs that the interrupt lands mid-run even on a fast machine.
    const args = ["--data", dataDir, "--out", modelsDir, "--epochs", "5", ...TINY];
    // One thread here, two threads (a gradient worker) for the interrupted and the resumed run:
    // the thread count never changes the history, so the bundles must still be identical.
    const straight = await runCli(["train", ...args, "--name", "straight", "--workers", "1"]);
    expect(straight.code, straight.stderr).toBe(0);
    expect(straight.stderr).toContain("gradients: 2 shards on 1 thread\n");

    const interrupted = startCli(["train", ...args, "--name", "resumed", "--workers", "2", "--json"]);
    await interrupted.waitForStderr(/epoch 1\/5 {2}loss/);
    interrupted.child.kill("SIGINT");
    const stopped = await interrupted.done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(
      /Interrupted after epoch \d\. Checkpoint saved to .*resumed\/\.checkpoint/,
    );
    expect(stopped.stderr).toContain("Resume with: pnpm --filter trainer train --resume --name resumed");
    expect(JSON.parse(stopped.stdout)).toMatchObject({
      name: "resumed",
      version: null,
      bundleDir: null,
      stoppedReason: "interrupted",
      checkpointDir: path.join(modelsDir, "resumed", ".checkpoint"),
    });
    expect((await readdir(path.join(modelsDir, "resumed", ".checkpoint"))).sort()).toEqual([
      "checkpoint.bin",
      "run.json",
    ]);

    const conflicting = await runCli([
      "train",
      "--resume",
      "--name",
      "resumed",
      "--out",
      modelsDir,
      "--lr",
      "0.1",
    ]);
    expect(conflicting.code).toBe(2);
    expect(conflicting.stderr).toContain("drop --lr");
    const reshard = await runCli([
      "train",
      "--resume",
      "--name",
      "resumed",
      "--out",
      modelsDir,
      "--shards",
      "4",
    ]);
    expect(reshard.code).toBe(2);
    expect(reshard.stderr).toContain("drop --shards");

    const resumed = await runCli([
      "train",
      "--resume",
      "--name",
      "resumed",
      "--out",
      modelsDir,
      "--backend",
      "wasm",
      "--workers",
      "2",
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resuming "resumed" from epoch');
    expect(resumed.stderr).toContain("gradients: 2 shards on 2 threads\n");
    expect(resumed.stderr).toMatch(/\(done\) epoch 1\/5 {2}loss/);
    const a = await manifestOf(path.join(modelsDir, "straight", "v1"));
    const b = await manifestOf(path.join(modelsDir, "resumed", "v1"));
    expect(b.metrics).toHaveLength(5);
    expect(trajectory(b.metrics)).toEqual(trajectory(a.metrics));
    expect(b.weightsSha256).toBe(a.weightsSha256);
    expect(await readdir(path.join(modelsDir, "resumed"))).not.toContain(".checkpoint");
    // TINY's transpositions are drawn per song per epoch; the run's log continues in its own folder.
    expect(b.training.augmentMode).toBe("random");
    const deterministic = (points: Awaited<ReturnType<typeof runLog>>["points"]) =>
      points.map(({ elapsedSeconds: _e, ...rest }) => rest);
    expect(deterministic((await runLog("resumed")).points)).toEqual(
      deterministic((await runLog("straight")).points),
    );
  });

  it("a hard kill (SIGKILL) loses at most the running epoch: --resume continues from the last epoch's checkpoint", async () => {
    const args = ["--data", dataDir, "--out", modelsDir, "--epochs", "5", ...TINY, "--workers", "1"];
    const killed = startCli(["train", ...args, "--name", "killed"]);
    await killed.waitForStderr(/epoch 2\/5 {2}loss/);
    killed.child.kill("SIGKILL");
    const stopped = await killed.done;
    expect(stopped.code).not.toBe(0);
    expect((await readdir(path.join(modelsDir, "killed", ".checkpoint"))).sort()).toEqual([
      "checkpoint.bin",
      "run.json",
    ]);
    // As saved before run folders existed: the resumed run gets a folder of its own.
    const runFile = path.join(modelsDir, "killed", ".checkpoint", "run.json");
    const { runId, ...oldRun } = JSON.parse(await readFile(runFile, "utf8")) as { runId: string };
    await writeFile(runFile, JSON.stringify(oldRun));
    const resumed = await runCli(["train", "--resume", "--name", "killed", "--out", modelsDir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`metrics: .*killed/runs/(?!${runId})[\\w-]+/metrics\\.jsonl`));
    expect(resumed.stderr).toMatch(/resuming "killed" from epoch [12]/);
    const a = await manifestOf(path.join(modelsDir, "straight", "v1"));
    const b = await manifestOf(path.join(modelsDir, "killed", "v1"));
    expect(trajectory(b.metrics)).toEqual(trajectory(a.metrics));
    expect(b.weightsSha256).toBe(a.weightsSha256);
    expect(await readdir(path.join(modelsDir, "killed"))).not.toContain(".checkpoint");
  });

  it("explains a resume with nothing to resume", async () => {
    const result = await runCli(["train", "--resume", "--name", "nothing-here", "--out", modelsDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no interrupted run to resume");
  });
});
