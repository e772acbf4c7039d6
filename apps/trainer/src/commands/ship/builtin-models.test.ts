// The built-in models committed under builtin-models/: each loads with every check (weights and
// content hash, evaluation made for it, reference notes intact), fits the 6 MB budget, names every
// file it learned from with a licence that allows shipping it, and (with ../shared present) those
// files are exactly the corpus catalog's. Its music: no collapse, no copy longer than a human's.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadBundle } from "@motif/core";
import { readBundleDir } from "../../store/bundle-dir.js";
import { repoRoot } from "../../env.js";
import { resolveBundleDir } from "../../store/publish.js";
import { isRedistributable, type ShippedSource } from "./ship.js";
import { runCli } from "../../test-support/run-cli.js";

const root = path.join(repoRoot, "builtin-models");
const names = existsSync(root)
  ? (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name)
  : [];
const catalogFile = path.join(repoRoot, "../shared/datasets/mutopia-keyboard/catalog.json");
const MAX_BYTES = 6 * 1024 * 1024;

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("built-in models", () => {
  it("exist: pnpm start serves one without training", () => {
    expect(names.length).toBeGreaterThan(0);
  });

  it("are what generate uses on a fresh clone (no trained model), and can be named with --model", async () => {
    const empty = await mkdtemp(path.join(tmpdir(), "motif-no-models-"));
    try {
      const fresh = await runCli(
        ["generate", "--seed", "3", "--length", "40", "--out", path.join(empty, "a.mid")],
        { MOTIF_MODELS_DIR: empty },
      );
      expect(fresh.code, fresh.stderr).toBe(0);
      expect(fresh.stdout).toMatch(/^model mutopia-piano v1$/m);
      const named = await runCli(
        [
          "generate",
          "--model",
          "mutopia-piano",
          "--seed",
          "3",
          "--length",
          "40",
          "--out",
          path.join(empty, "b.mid"),
        ],
        { MOTIF_MODELS_DIR: empty },
      );
      expect(named.stdout).toBe(fresh.stdout.replace("a.mid", "b.mid"));
      expect(await readFile(path.join(empty, "b.mid"))).toEqual(await readFile(path.join(empty, "a.mid")));
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  }, 60_000);

  describe.each(names)("%s", (name) => {
    it("loads with every check, carries its evaluation and fits in 6 MB", async () => {
      const dir = await resolveBundleDir(path.join(root, name));
      const bundle = await loadBundle(await readBundleDir(dir));
      bundle.model.dispose();
      expect(bundle.manifest.name).toBe(name);
      const evaluation = bundle.evaluation!;
      expect(evaluation.bundleContentHash).toBe(bundle.manifest.contentHash);
      expect(evaluation.report.summary.collapseRate).toBe(0);
      expect(evaluation.report.summary.longestMax).toBeLessThanOrEqual(evaluation.report.human!.longestMax);
      let bytes = 0;
      for (const file of await readdir(dir)) bytes += (await stat(path.join(dir, file))).size;
      expect(bytes).toBeLessThanOrEqual(MAX_BYTES);
      expect(await readFile(path.join(dir, "NOTICE.md"), "utf8")).toContain(bundle.manifest.contentHash);
    });

    it("names every file it learned from, with a licence that allows shipping it", async () => {
      const dir = await resolveBundleDir(path.join(root, name));
      const manifest = JSON.parse(await readFile(path.join(dir, "bundle.json"), "utf8")) as {
        dataset: { files: { sha256: string; split: string }[] };
      };
      const sources = JSON.parse(await readFile(path.join(dir, "sources.json"), "utf8")) as ShippedSource[];
      expect(sources.map((s) => [s.sha256, s.split])).toEqual(
        manifest.dataset.files.map((f) => [f.sha256, f.split]),
      );
      expect(sources.filter((s) => !isRedistributable(s.license))).toEqual([]);
    });

    it.skipIf(!existsSync(catalogFile))(
      "matches the corpus catalog file by file (skipped: ../shared/datasets/mutopia-keyboard absent)",
      async () => {
        const dir = await resolveBundleDir(path.join(root, name));
        const catalog = JSON.parse(await readFile(catalogFile, "utf8")) as {
          path: string;
          sha256: string;
          license: string;
        }[];
        const sources = JSON.parse(await readFile(path.join(dir, "sources.json"), "utf8")) as ShippedSource[];
        const bySha = new Map(catalog.map((entry) => [entry.sha256, entry]));
        for (const source of sources)
          expect(bySha.get(source.sha256), source.file).toMatchObject({
            path: source.file,
            license: source.license,
          });
      },
    );
  });
});
