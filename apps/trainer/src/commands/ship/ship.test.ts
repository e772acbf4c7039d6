// Shipping a bundle as a built-in model: re-sealed under its new name with the weights untouched,
// a fresh evaluation, every source file's licence from the catalog, and refusals that name the file.
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createModel,
  getTokenizer,
  loadBundle,
  packBundle,
  presetConfigs,
  Vocabulary,
  type BundleManifest,
} from "@motif/core";
import { readBundleDir } from "../../store/bundle-dir.js";
import { ingest } from "../../data/dataset.js";
import { demoCorpusFiles } from "../../data/demo-corpus.js";
import { isRedistributable, shipBundle, shippedSources } from "./ship.js";
import { writeFiles } from "../../test-support/midi-fixtures.js";

let work: string;
let bundleDir: string;
let dataDir: string;
let catalog: { path: string; title: string; composer: string; license: string; sha256: string }[];

beforeAll(async () => {
  await tf.setBackend("cpu");
  work = await mkdtemp(path.join(tmpdir(), "motif-ship-"));
  dataDir = path.join(work, "corpus", "midi");
  const demo = demoCorpusFiles().slice(0, 5);
  await writeFiles(dataDir, Object.fromEntries(demo.map((f) => [f.name, f.bytes])));
  const tokenizer = getTokenizer("timed");
  const { songs } = await ingest(
    demo.map((file) => ({ name: file.name, read: async () => file.bytes })),
    tokenizer,
  );
  catalog = songs.map((song, i) => ({
    path: `midi/${song.name}`,
    title: `Piece ${i}`,
    composer: "Motif",
    license: i === 0 ? "CC BY 3.0" : "Public Domain",
    sha256: song.sha256,
  }));
  const vocabulary = Vocabulary.build(
    songs.map((song) => song.tokens),
    { tokenizer: "timed" },
  );
  const { model: config, training } = presetConfigs("default", vocabulary.size, {
    units: [8],
    seqLen: 8,
    embeddingDim: 4,
  });
  const model = createModel(config, 1);
  const files = await packBundle({
    model,
    manifest: {
      name: "trained-here",
      version: "v3",
      createdAt: "2026-12-02T00:00:00.000Z",
      tokenizer: { kind: "timed", version: tokenizer.version },
      vocabulary: vocabulary.toJSON(),
      model: config,
      training,
      dataset: {
        files: songs.map((song, i) => ({
          name: song.name,
          sha256: song.sha256,
          tokens: song.tokens.length,
          split: i < 4 ? "train" : "validation",
        })),
        skipped: [],
      },
      metrics: [],
      backend: "cpu",
    },
  });
  model.dispose();
  bundleDir = path.join(work, "models", "trained-here", "v3");
  await writeFiles(bundleDir, files);
  await writeFile(path.join(work, "corpus", "catalog.json"), JSON.stringify(catalog));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("ship", () => {
  it("accepts public domain, CC0 and CC BY only", () => {
    expect(["Public Domain", "CC0", "CC BY 2.5", "CC BY 4.0"].every(isRedistributable)).toBe(true);
    expect(["CC BY-SA 3.0", "CC BY-NC 4.0", "All rights reserved", ""].some(isRedistributable)).toBe(false);
  });

  it("re-seals the bundle under its shipped name with the same weights, evaluates it and writes the notice", async () => {
    const root = path.join(work, "builtin");
    const { target, sources } = await shipBundle({
      model: bundleDir,
      data: dataDir,
      catalogFile: path.join(work, "corpus", "catalog.json"),
      root,
      name: "demo-piano",
      version: "v1",
      corpus: "corpus",
    });
    expect(target).toBe(path.join(root, "demo-piano", "v1"));
    expect((await readFile(path.join(root, "demo-piano", "LATEST"), "utf8")).trim()).toBe("v1");
    expect((await readdir(target)).sort()).toEqual([
      "NOTICE.md",
      "README.md",
      "bundle.json",
      "evaluation.json",
      "evaluation.png",
      "evaluation.svg",
      "model.json",
      "reference-notes.bin.gz",
      "sources.json",
      "weights.bin",
    ]);
    const original = JSON.parse(
      await readFile(path.join(bundleDir, "bundle.json"), "utf8"),
    ) as BundleManifest;
    const loaded = await loadBundle(await readBundleDir(target));
    expect(loaded.manifest).toMatchObject({
      name: "demo-piano",
      version: "v1",
      weightsSha256: original.weightsSha256,
      createdAt: original.createdAt,
    });
    expect(loaded.manifest.contentHash).not.toBe(original.contentHash);
    expect(loaded.evaluation?.bundleContentHash).toBe(loaded.manifest.contentHash);
    expect(loaded.evaluation?.reference?.songs).toBe(4);
    loaded.model.dispose();
    expect(sources.map((s) => [s.file, s.split, s.license])).toEqual(
      catalog.map((c, i) => [c.path, i < 4 ? "train" : "validation", c.license]),
    );
    const notice = await readFile(path.join(target, "NOTICE.md"), "utf8");
    expect(notice).toContain("## Creative Commons Attribution (1 files)");
    expect(notice).toContain(`- \`${catalog[0]!.path}\` (train): "Piece 0" by Motif, CC BY 3.0`);
    expect(notice).toContain("## Public domain (4 files)");
  });

  it("refuses a file missing from the catalog or under a licence that forbids shipping, naming each", () => {
    const manifest = {
      dataset: {
        files: [
          { name: "a.mid", sha256: catalog[0]!.sha256, tokens: 1, split: "train" as const },
          { name: "b.mid", sha256: "f".repeat(64), tokens: 1, split: "train" as const },
        ],
        skipped: [],
      },
    };
    const { reasons } = shippedSources(manifest, [
      {
        ...catalog[0]!,
        license: "CC BY-SA 3.0",
        opus: "",
        license_url: "",
        typesetter: "",
        mutopia_id: "",
        mutopia_source_path: "",
      },
    ]);
    expect(reasons).toEqual([
      `a.mid: licence "CC BY-SA 3.0" does not allow shipping a model trained on it`,
      "b.mid (sha256 ffffffffffff…) is not in the catalog",
    ]);
  });
});
