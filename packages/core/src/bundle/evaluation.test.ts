import * as tf from "@tensorflow/tfjs";
import type { QuarterNote } from "@motif/midi";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel } from "../model/create-model.js";
import { presetConfigs } from "../model/config.js";
import { Vocabulary, getTokenizer } from "../tokenizer/index.js";
import { utf8Decode, utf8Encode } from "../primitives/bytes.js";
import {
  buildBundleEvaluation,
  checkEvaluation,
  EVALUATION_FILES,
  type BundleEvaluation,
} from "./evaluation.js";
import { loadBundle } from "./load-bundle.js";
import { readManifest, type BundleFiles } from "./manifest.js";
import { packBundle } from "./pack-bundle.js";
import { unpackReferenceNotes } from "./reference-notes.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const MAJOR = [0, 2, 4, 5, 7, 9, 11];
/** A melody walking the C major scale in a seeded pattern, `count` quarter notes long. */
function melody(seed: number, count: number): QuarterNote[] {
  return Array.from({ length: count }, (_, i) => {
    const degree = (i * seed + ((i * i) % 5)) % 7;
    return { pitch: 60 + MAJOR[degree]!, velocity: 70, startQuarter: i, endQuarter: i + 1 };
  });
}

const train = [1, 2, 3, 4].map((seed) => ({ name: `train-${seed}.mid`, notes: melody(seed, 64) }));
const validation = [{ name: "val.mid", notes: melody(6, 64) }];
// A piece whose first 40 notes are train-3's bars 5–14, moved up a fourth: a copy to report.
const copied = melody(3, 64)
  .slice(16, 56)
  .map((n) => ({
    ...n,
    pitch: n.pitch + 5,
    startQuarter: n.startQuarter - 16,
    endQuarter: n.endQuarter - 16,
  }));
const pieces = [
  { name: "piece-1.mid", notes: copied },
  {
    name: "piece-2.mid",
    notes: [60, 60, 60, 60, 60].map((pitch, i) => ({
      pitch,
      velocity: 80,
      startQuarter: i,
      endQuarter: i + 1,
    })),
  },
];
const recipe = { pieces: 2, length: 100, temperature: 1, topK: null, topP: 0.95, guard: true };

async function tinyBundle(): Promise<BundleFiles> {
  const tokens = ["C4", "D4", "E4", "0.4.7"];
  const vocabulary = Vocabulary.build([tokens], { tokenizer: "notes-chords" });
  const { model: config, training } = presetConfigs("default", vocabulary.size, {
    units: [4],
    seqLen: 4,
    embeddingDim: 2,
  });
  const model = createModel(config, 1);
  const files = await packBundle({
    model,
    manifest: {
      name: "tiny",
      version: "1",
      createdAt: "2026-12-02T00:00:00.000Z",
      tokenizer: { kind: "notes-chords", version: getTokenizer("notes-chords").version },
      vocabulary: vocabulary.toJSON(),
      model: config,
      training,
      dataset: { files: [], skipped: [] },
      metrics: [],
      backend: "cpu",
    },
  });
  model.dispose();
  return files;
}

describe("bundle evaluation", () => {
  it("reports the copied passage with its source and bar, a collapse, and ships the training notes", async () => {
    const { evaluation, files } = await buildBundleEvaluation({
      contentHash: "a".repeat(64),
      recipe,
      pieces,
      train,
      validation,
      createdAt: "2026-12-02T00:00:00Z",
    });
    const [piece1, piece2] = evaluation.report.pieces;
    expect(piece1!.copy.longest).toMatchObject({
      notes: 40,
      source: "train-3.mid",
      bar: 5,
      pieceBar: 1,
      sourceStartQuarter: 16,
      pieceStartQuarter: 0,
    });
    expect(piece2!.collapse).toBe(true);
    expect(evaluation.report.summary.collapseRate).toBe(0.5);
    expect(evaluation.report.human?.pieces).toBe(1);
    expect(evaluation.referenceRanges.noteCount).toMatchObject({ min: 64, max: 64 });
    expect(evaluation.reference).toMatchObject({ file: EVALUATION_FILES.reference, songs: 4, notes: 256 });
    expect(await unpackReferenceNotes(files[EVALUATION_FILES.reference]!)).toEqual(train);
    const checked = await checkEvaluation(files, { contentHash: "a".repeat(64) });
    expect(checked.reasons).toEqual([]);
    expect(checked.evaluation).toEqual(JSON.parse(JSON.stringify(evaluation)) as BundleEvaluation);
  });

  it("leaves the reference notes out when asked", async () => {
    const { evaluation, files } = await buildBundleEvaluation({
      contentHash: "a".repeat(64),
      recipe,
      pieces,
      train,
      validation: [],
      createdAt: "x",
      withReference: false,
    });
    expect(evaluation.reference).toBeNull();
    expect(evaluation.report.human).toBeNull();
    expect(Object.keys(files)).toEqual([EVALUATION_FILES.evaluation]);
  });

  it("refuses an evaluation of another bundle, a changed reference file and a broken file, saying which", async () => {
    const { files } = await buildBundleEvaluation({
      contentHash: "a".repeat(64),
      recipe,
      pieces,
      train,
      validation,
      createdAt: "x",
    });
    expect((await checkEvaluation(files, { contentHash: "b".repeat(64) })).reasons).toEqual([
      expect.stringMatching(/made for bundle aaaaaaaaaaaa…, not this one \(bbbbbbbbbbbb…\)/),
    ]);
    const tampered = {
      ...files,
      [EVALUATION_FILES.reference]: new Uint8Array([...files[EVALUATION_FILES.reference]!, 0]),
    };
    expect((await checkEvaluation(tampered, { contentHash: "a".repeat(64) })).reasons).toEqual([
      expect.stringMatching(/reference-notes.bin.gz sha256 .* does not match/),
    ]);
    const { [EVALUATION_FILES.reference]: _gone, ...missing } = files;
    expect((await checkEvaluation(missing, { contentHash: "a".repeat(64) })).reasons).toEqual([
      expect.stringMatching(/names reference-notes.bin.gz, which is missing/),
    ]);
    expect(
      (
        await checkEvaluation(
          { [EVALUATION_FILES.evaluation]: utf8Encode("{") },
          { contentHash: "a".repeat(64) },
        )
      ).reasons[0],
    ).toMatch(/not valid JSON/);
    const json = JSON.parse(utf8Decode(files[EVALUATION_FILES.evaluation]!)) as Record<string, unknown>;
    expect(
      (
        await checkEvaluation(
          { [EVALUATION_FILES.evaluation]: utf8Encode(JSON.stringify({ ...json, formatVersion: 9 })) },
          { contentHash: "a".repeat(64) },
        )
      ).reasons[0],
    ).toMatch(/format version 9 is not supported/);
    expect(
      (
        await checkEvaluation(
          { [EVALUATION_FILES.evaluation]: utf8Encode(JSON.stringify({ ...json, recipe: { pieces: 0 } })) },
          { contentHash: "a".repeat(64) },
        )
      ).reasons[0],
    ).toMatch(/evaluation.json is invalid: .*recipe/);
    expect(await checkEvaluation({}, { contentHash: "a".repeat(64) })).toEqual({
      evaluation: null,
      reasons: [],
    });
  });

  it("is loaded with the bundle it was made for, and refuses the bundle when it belongs to another", async () => {
    const bundle = await tinyBundle();
    const manifest = readManifest(bundle);
    const { files } = await buildBundleEvaluation({
      contentHash: manifest.contentHash,
      recipe,
      pieces,
      train,
      validation,
      createdAt: "x",
    });
    const loaded = await loadBundle({ ...bundle, ...files });
    expect(loaded.evaluation?.report.summary.pieces).toBe(2);
    loaded.model.dispose();
    const plain = await loadBundle(bundle);
    expect(plain.evaluation).toBeNull();
    plain.model.dispose();
    const other = await buildBundleEvaluation({
      contentHash: "c".repeat(64),
      recipe,
      pieces,
      train,
      validation,
      createdAt: "x",
    });
    await expect(loadBundle({ ...bundle, ...other.files })).rejects.toThrow(
      /evaluation.json was made for bundle cccccccccccc…/,
    );
  });
});
