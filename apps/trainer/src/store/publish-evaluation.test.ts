// The evaluation a published bundle carries: pieces from the model compared with its training
// songs found by hash, its validation songs as the human baseline, checked by core when loaded.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  checkEvaluation,
  createModel,
  EVALUATION_FILES,
  getTokenizer,
  packBundle,
  presetConfigs,
  readManifest,
  unpackReferenceNotes,
  Vocabulary,
} from "@motif/core";
import { ingest } from "../data/dataset.js";
import { demoCorpusFiles } from "../data/demo-corpus.js";
import { bundleEvaluationFiles } from "./publish-evaluation.js";
import { musicReportScene } from "../charts/music-report-scene.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("publish evaluation", () => {
  it("generates pieces, compares them with the training songs, ships those songs' notes and pictures the report", async () => {
    const tokenizer = getTokenizer("timed");
    const demo = demoCorpusFiles().slice(0, 6);
    const { songs } = await ingest(
      demo.map((file) => ({ name: file.name, read: async () => file.bytes })),
      tokenizer,
    );
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
    const files = songs.map((song, i) => ({
      name: song.name,
      sha256: song.sha256,
      tokens: song.tokens.length,
      split: i < 4 ? ("train" as const) : ("validation" as const),
    }));
    const packed = await packBundle({
      model,
      manifest: {
        name: "tiny",
        version: "v1",
        createdAt: "2026-12-02T00:00:00.000Z",
        tokenizer: { kind: "timed", version: tokenizer.version },
        vocabulary: vocabulary.toJSON(),
        model: config,
        training,
        dataset: { files, skipped: [] },
        metrics: [],
        backend: "cpu",
      },
    });
    const manifest = readManifest(packed);
    const recipe = { pieces: 2, length: 60, temperature: 1, topK: null, topP: 0.95, guard: true };
    const result = await bundleEvaluationFiles({
      bundle: { model, manifest, vocabulary, tokenizer },
      songs,
      recipe,
    });
    model.dispose();
    expect(result.files).not.toBeNull();
    const checked = await checkEvaluation({ ...packed, ...result.files! }, manifest);
    expect(checked.reasons).toEqual([]);
    const evaluation = checked.evaluation!;
    expect(evaluation.report.pieces.map((p) => p.file)).toEqual(["piece-1", "piece-2"]);
    expect(evaluation.report.human?.pieces).toBe(2);
    const reference = await unpackReferenceNotes(result.files![EVALUATION_FILES.reference]!);
    expect(reference.map((song) => song.name)).toEqual(songs.slice(0, 4).map((song) => song.name));
    expect(result.summary).toMatch(/^evaluation \(2 pieces of 60 tokens, [\d.]+ s\): collapse /);
    expect(String(result.pictures["evaluation.svg"])).toMatch(/^<svg/);
    expect(
      musicReportScene({
        title: "t",
        report: evaluation.report,
        histograms: evaluation.histograms,
      }).shapes.filter((s) => s.kind === "text" && /^\w+ {2}OA /.test(s.text)),
    ).toHaveLength(11);
  });

  it("says so when none of the bundle's training songs are given", async () => {
    const tokenizer = getTokenizer("timed");
    const [first] = demoCorpusFiles();
    const { songs } = await ingest([{ name: first!.name, read: async () => first!.bytes }], tokenizer);
    const vocabulary = Vocabulary.build([songs[0]!.tokens], { tokenizer: "timed" });
    const { model: config, training } = presetConfigs("default", vocabulary.size, {
      units: [4],
      seqLen: 4,
      embeddingDim: 2,
    });
    const model = createModel(config, 1);
    const manifest = readManifest(
      await packBundle({
        model,
        manifest: {
          name: "t",
          version: "v1",
          createdAt: "x",
          tokenizer: { kind: "timed", version: tokenizer.version },
          vocabulary: vocabulary.toJSON(),
          model: config,
          training,
          dataset: { files: [], skipped: [] },
          metrics: [],
          backend: "cpu",
        },
      }),
    );
    const result = await bundleEvaluationFiles({
      bundle: { model, manifest, vocabulary, tokenizer },
      songs: [],
    });
    model.dispose();
    expect(result).toEqual({
      files: null,
      pictures: {},
      summary: "no evaluation: none of the bundle's training songs were given",
    });
  });
});

describe("evaluated files", () => {
  it("keeps every file of a collection up to the cap, else an evenly spaced cap of each split", async () => {
    const { evaluatedFiles, MAX_EVALUATION_SONGS } = await import("./publish-evaluation.js");
    const file = (i: number, split: "train" | "validation") => ({
      name: `${i}.mid`,
      sha256: i.toString(16).padStart(64, "0"),
      tokens: 10,
      split,
    });
    const small = { dataset: { files: [file(1, "train"), file(2, "validation")], skipped: [] } };
    expect(evaluatedFiles(small)).toEqual(small.dataset.files);
    const large = {
      dataset: {
        files: [
          ...Array.from({ length: MAX_EVALUATION_SONGS * 3 }, (_, i) => file(i, "train")),
          file(99_999, "validation"),
        ],
        skipped: [],
      },
    };
    const kept = evaluatedFiles(large);
    expect(kept).toHaveLength(MAX_EVALUATION_SONGS + 1);
    expect(kept[1]!.name).toBe("3.mid");
    expect(kept.at(-1)!.split).toBe("validation");
  });
});
