// Through the real CLI: `evaluate --attach` writes the publish-time evaluation into a bundle that
// lacks it (and core then loads it with the bundle), and `--out` writes the report and its pictures.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBundle } from "@motif/core";
import { readBundleDir } from "../../store/bundle-dir.js";
import { runCli } from "../../test-support/run-cli.js";

let work: string;
let bundleDir: string;
const EVALUATION_FILES = ["evaluation.json", "evaluation.png", "evaluation.svg", "reference-notes.bin.gz"];

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "motif-attach-"));
  const trained = await runCli([
    "train",
    "--out",
    work,
    "--name",
    "tiny",
    "--units",
    "16",
    "--epochs",
    "1",
    "--seq-len",
    "16",
    "--batch",
    "16",
  ]);
  expect(trained.code, trained.stderr).toBe(0);
  bundleDir = path.join(work, "tiny", "v1");
  for (const file of EVALUATION_FILES) await rm(path.join(bundleDir, file));
}, 120_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("evaluate --attach / --out", () => {
  it("attaches the evaluation to a bundle without one", async () => {
    expect((await loadBundle(await readBundleDir(bundleDir))).evaluation).toBeNull();
    const result = await runCli(["evaluate", "--attach", "--model", bundleDir]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/evaluation \(8 pieces of 500 tokens/);
    expect(result.stdout).toContain(
      `attached reference-notes.bin.gz, evaluation.json (and evaluation.svg/png) to ${bundleDir}`,
    );
    expect((await readdir(bundleDir)).filter((f) => EVALUATION_FILES.includes(f)).sort()).toEqual(
      EVALUATION_FILES,
    );
    const bundle = await loadBundle(await readBundleDir(bundleDir));
    expect(bundle.evaluation?.report.pieces).toHaveLength(8);
    bundle.model.dispose();
  }, 120_000);

  it("refuses --attach without a bundle or with report flags, naming the flag", async () => {
    const result = await runCli(["evaluate", "--attach", "--pieces", "2"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--attach writes into a bundle: add --model DIR/);
    expect(result.stderr).toMatch(/pieces.*not with --attach/);
  });

  it("writes report.json and the histograms beside the pieces", async () => {
    const out = path.join(work, "pieces");
    const result = await runCli([
      "evaluate",
      "--model",
      bundleDir,
      "--pieces",
      "2",
      "--length",
      "80",
      "--out",
      out,
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual([
      "piece-1.mid",
      "piece-2.mid",
      "report.json",
      "report.png",
      "report.svg",
    ]);
    expect(JSON.parse(result.stdout)).toMatchObject({ summary: { pieces: 2 } });
  }, 120_000);
});
