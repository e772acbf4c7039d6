import { describe, expect, it } from "vitest";
import { buildBundleEvaluation, transposeNotes, type BundleEvaluation, type BundleFiles } from "@motif/core";
import type { QuarterNote } from "@motif/midi";
import { NO_EVALUATION, NO_REFERENCE, PIECE_REPORT_VERSION } from "@/lib/music-report";
import { brokenChordNotes, scaleWalkNotes, tinyTuneNotes } from "../../test-support/tiny-bundle";
import {
  buildPieceReport,
  modelEvaluation,
  notesPerBeat,
  referenceOf,
  rememberReference,
  sourcePassage,
} from "./piece-report";

const tune = tinyTuneNotes();
const second = brokenChordNotes();

async function evaluated(
  withReference = true,
): Promise<{ evaluation: BundleEvaluation; files: BundleFiles }> {
  return buildBundleEvaluation({
    contentHash: "a".repeat(64),
    recipe: { pieces: 1, length: 100, temperature: 1, topK: null, topP: 0.95, guard: true },
    pieces: [{ name: "p.mid", notes: tune.slice(0, 20) }],
    train: [
      { name: "tiny-tune.mid", notes: tune },
      { name: "second.mid", notes: second },
    ],
    validation: [{ name: "held-out.mid", notes: scaleWalkNotes() }],
    createdAt: "2026-12-03T00:00:00Z",
    withReference,
  });
}

/** Bars 3–6 of the tune (12 beats from beat 8), a minor third up and at a later start. */
const copiedPassage = (): QuarterNote[] =>
  transposeNotes(
    tune.filter((n) => n.startQuarter >= 8 && n.startQuarter < 20),
    3,
  ).map((n) => ({ ...n, startQuarter: n.startQuarter - 8 + 6, endQuarter: n.endQuarter - 8 + 6 }));

describe("piece report", () => {
  it("without an evaluation: features and keys, no ranges, no copies, and says why", () => {
    const report = buildPieceReport({
      evaluation: null,
      reference: null,
      bundleHash: "b",
      written: tune,
      heard: transposeNotes(tune, 2),
      computedAt: "now",
    });
    expect(report).toMatchObject({
      version: PIECE_REPORT_VERSION,
      notes: tune.length,
      key: "D major",
      writtenKey: "C major",
      collapse: false,
      copy: null,
      unavailable: NO_EVALUATION,
      referenceSongs: null,
    });
    const keys = report.metrics.map((m) => m.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        "scaleConsistency",
        "pitchClassEntropy",
        "polyphony",
        "notesPerBeat",
        "pitchRange",
      ]),
    );
    expect(keys).not.toContain("noteCount");
    expect(report.metrics.every((m) => m.range === null && m.position === null)).toBe(true);
    expect(report.metrics.find((m) => m.key === "scaleConsistency")!.value).toBe(1);
  });

  it("finds a transposed copy with its source, bar and beat, and flags it against the human baseline", async () => {
    const { evaluation, files } = await evaluated();
    const bundle = { evaluation };
    rememberReference(bundle, files);
    const reference = await referenceOf(bundle);
    expect(await referenceOf(bundle)).toBe(reference);
    const written = copiedPassage();
    const report = buildPieceReport({
      evaluation,
      reference,
      bundleHash: "b",
      written,
      heard: written,
      computedAt: "now",
    });
    expect(report.unavailable).toBeNull();
    expect(report.referenceSongs).toBe(2);
    expect(report.copy!.longest).toMatchObject({
      notes: written.length,
      source: "tiny-tune.mid",
      bar: 3,
      beat: 1,
      pieceBar: 2,
      pieceBeat: 3,
      sourceStartQuarter: 8,
      pieceStartQuarter: 6,
    });
    expect(report.copy!["copy@8"]).toBe(1);
    const human = evaluation.report.human!.longestMax;
    expect(report.copy).toMatchObject({ humanLongestMax: human, heavy: written.length > human });
    expect(report.copy!.heavy).toBe(true);
    // Ranges from the evaluation, density from the reference songs.
    const scale = report.metrics.find((m) => m.key === "scaleConsistency")!;
    expect(scale.range).toEqual({
      min: evaluation.referenceRanges.scaleConsistency.min,
      p10: evaluation.referenceRanges.scaleConsistency.p10,
      median: evaluation.referenceRanges.scaleConsistency.median,
      p90: evaluation.referenceRanges.scaleConsistency.p90,
      max: evaluation.referenceRanges.scaleConsistency.max,
    });
    // Wholly in C major, over the 90th percentile of {the tune (1.0), the chromatic second song}.
    expect(scale.value).toBe(1);
    expect(scale.position).toBe("above");
    const density = report.metrics.find((m) => m.key === "notesPerBeat")!;
    expect(density.range!.min).toBeCloseTo(Math.min(notesPerBeat(tune), notesPerBeat(second)));
    expect(density.position).not.toBeNull();

    // The source passage: the same notes as in the tune, from beat 0, in the tune's own key.
    const passage = sourcePassage(reference!, "tiny-tune.mid", 8, written.length);
    expect(passage).toHaveLength(written.length);
    expect(passage[0]!.startQuarter).toBe(0);
    expect(passage.map((n) => n.pitch).sort()).toEqual(written.map((n) => n.pitch - 3).sort());
    expect(() => sourcePassage(reference!, "nope.mid", 0, 4)).toThrow(/no song "nope.mid"/);
  });

  it("reports no copy for a piece the songs do not contain, and a collapse for one repeated note", async () => {
    const { evaluation, files } = await evaluated();
    const bundle = { evaluation };
    rememberReference(bundle, files);
    const reference = await referenceOf(bundle);
    const random = Array.from({ length: 40 }, (_, i) => ({
      pitch: 40 + ((i * 37) % 41),
      velocity: 70,
      startQuarter: i * 0.75,
      endQuarter: i * 0.75 + 0.5,
    }));
    const report = buildPieceReport({
      evaluation,
      reference,
      bundleHash: "b",
      written: random,
      heard: random,
      computedAt: "now",
    });
    expect(report.copy).toMatchObject({ longest: null, heavy: false });
    const one = Array.from({ length: 20 }, (_, i) => ({
      pitch: 60,
      velocity: 70,
      startQuarter: i,
      endQuarter: i + 1,
    }));
    expect(
      buildPieceReport({
        evaluation,
        reference,
        bundleHash: "b",
        written: one,
        heard: one,
        computedAt: "now",
      }).collapse,
    ).toBe(true);
  });

  it("an evaluation without training notes: ranges but no copies, and says why", async () => {
    const { evaluation, files } = await evaluated(false);
    const bundle = { evaluation };
    rememberReference(bundle, files);
    const report = buildPieceReport({
      evaluation,
      reference: await referenceOf(bundle),
      bundleHash: "b",
      written: tune,
      heard: tune,
      computedAt: "now",
    });
    expect(report).toMatchObject({ copy: null, unavailable: NO_REFERENCE });
    expect(report.metrics.find((m) => m.key === "pitchRange")!.range).not.toBeNull();
    expect(report.metrics.find((m) => m.key === "notesPerBeat")!.range).toBeNull();
  });

  it("summarises an evaluation for the model page without the per-piece rows", async () => {
    const { evaluation } = await evaluated();
    const summary = modelEvaluation(evaluation);
    expect(summary.summary).toEqual(evaluation.report.summary);
    expect(summary.human).toEqual(evaluation.report.human);
    expect(summary.reference).toEqual({ songs: 2, notes: tune.length + second.length });
    expect(Object.keys(summary.histograms)).toContain("scaleConsistency");
    expect(summary).not.toHaveProperty("report");
  });
});
