// The music report of a finished piece, computed once in the generation worker from core's
// evaluation: its features against the model's training songs (evaluation.json's ranges) and what
// it copied from them (a CopyIndex over reference-notes.bin.gz). Kept apart from the generation
// loop, which calls it with the notes as the model wrote them and as they sound.
import {
  CopyIndex,
  EVALUATION_FILES,
  estimateKey,
  keyName,
  passageNotes,
  pieceFeatures,
  pieceRow,
  rangePosition,
  SCALAR_FEATURES,
  unpackReferenceNotes,
  valueRange,
  type BundleEvaluation,
  type BundleFiles,
  type FeatureRange,
} from "@motif/core";
import type { QuarterNote } from "@motif/midi";
import {
  NO_EVALUATION,
  NO_REFERENCE,
  PIECE_REPORT_VERSION,
  type CopiedPassage,
  type MetricRange,
  type ModelEvaluation,
  type PieceMetric,
  type PieceReport,
} from "../lib/music-report";

/** The training songs of a bundle, decoded once, with their copy index and density range. */
interface ReportReference {
  songs: Map<string, readonly QuarterNote[]>;
  index: CopyIndex;
  notesPerBeat: FeatureRange;
}

/** Anything with the evaluation loadBundle checked (a loaded bundle). */
interface Evaluated {
  evaluation: BundleEvaluation | null;
}

// Per loaded bundle: the reference bytes loadBundle verified, then (on first use) their decoding.
// Weak, so a bundle dropped from the worker's cache takes its index with it.
const referenceBytes = new WeakMap<Evaluated, Uint8Array>();
const references = new WeakMap<Evaluated, Promise<ReportReference | null>>();

/** Keeps the bundle's reference notes (already checked against evaluation.json's sha256) for later. */
export function rememberReference(bundle: Evaluated, files: BundleFiles): void {
  const bytes = files[EVALUATION_FILES.reference];
  if (bundle.evaluation?.reference && bytes) referenceBytes.set(bundle, bytes);
}

/** The bundle's decoded reference, built on first use; null when its evaluation has none. */
export function referenceOf(bundle: Evaluated): Promise<ReportReference | null> {
  let entry = references.get(bundle);
  if (!entry) {
    const bytes = referenceBytes.get(bundle);
    entry = bytes ? decodeReference(bytes) : Promise.resolve(null);
    references.set(bundle, entry);
    referenceBytes.delete(bundle);
  }
  return entry;
}

async function decodeReference(bytes: Uint8Array): Promise<ReportReference> {
  const songs = await unpackReferenceNotes(bytes);
  return {
    songs: new Map(songs.map((song) => [song.name, song.notes])),
    index: new CopyIndex(songs),
    notesPerBeat: valueRange(songs.map((song) => notesPerBeat(song.notes))),
  };
}

/** Notes per beat from the first onset to the last note's end (tempo-free density); 0 for no span. */
export function notesPerBeat(notes: readonly QuarterNote[]): number {
  if (notes.length === 0) return 0;
  let first = Infinity;
  let last = -Infinity;
  for (const note of notes) {
    first = Math.min(first, note.startQuarter);
    last = Math.max(last, note.endQuarter);
  }
  return last > first ? notes.length / (last - first) : 0;
}

const quantiles = (range: FeatureRange): MetricRange => ({
  min: range.min,
  p10: range.p10,
  median: range.median,
  p90: range.p90,
  max: range.max,
});
const beatOf = (quarter: number) => Math.round((((quarter % 4) + 4) % 4) * 100) / 100 + 1;
const barOf = (quarter: number) => Math.floor(quarter / 4) + 1;

/** Floating-point noise (0.9999999 against a p10 of 1) is no reason to call a value atypical. */
const tolerant = (range: FeatureRange) => {
  const eps = 1e-9 * Math.max(1, Math.abs(range.p10), Math.abs(range.p90));
  return { p10: range.p10 - eps, p90: range.p90 + eps };
};

function metric(key: string, value: number, range: FeatureRange | null): PieceMetric {
  return {
    key,
    value,
    range: range ? quantiles(range) : null,
    position: range ? rangePosition(value, tolerant(range)) : null,
  };
}

/**
 * The report of one piece. `written` are its notes as the model wrote them (features and copies;
 * both are transposition-invariant but for the key), `heard` as they sound after the key choice.
 */
export function buildPieceReport(args: {
  evaluation: BundleEvaluation | null;
  reference: ReportReference | null;
  bundleHash: string;
  written: readonly QuarterNote[];
  heard: readonly QuarterNote[];
  computedAt: string;
}): PieceReport {
  const { evaluation, reference } = args;
  const features = pieceFeatures(args.written);
  const ranges = evaluation?.referenceRanges ?? null;
  const metrics = [
    ...SCALAR_FEATURES.filter((key) => key !== "noteCount").map((key) =>
      metric(key, features[key], ranges?.[key] ?? null),
    ),
    metric("notesPerBeat", notesPerBeat(args.written), reference?.notesPerBeat ?? null),
  ];
  const report: PieceReport = {
    version: PIECE_REPORT_VERSION,
    computedAt: args.computedAt,
    bundleHash: args.bundleHash,
    notes: args.written.length,
    key: keyName(estimateKey(args.heard)),
    writtenKey: keyName(estimateKey(args.written)),
    collapse: features.collapsed,
    metrics,
    referenceSongs: evaluation?.reference?.songs ?? null,
    copy: null,
    unavailable: evaluation === null ? NO_EVALUATION : reference === null ? NO_REFERENCE : null,
  };
  if (!evaluation || !reference) return report;
  const row = pieceRow({ name: "piece", notes: args.written }, reference.index, features);
  const longest = row.copy.longest;
  const passage: CopiedPassage | null = longest && {
    notes: longest.notes,
    source: longest.source,
    bar: longest.bar,
    beat: beatOf(longest.sourceStartQuarter),
    pieceBar: barOf(longest.pieceStartQuarter),
    pieceBeat: beatOf(longest.pieceStartQuarter),
    sourceStartQuarter: longest.sourceStartQuarter,
    pieceStartQuarter: longest.pieceStartQuarter,
  };
  const humanLongestMax = evaluation.report.human?.longestMax ?? null;
  report.copy = {
    "copy@8": row.copy["copy@8"],
    "copy@16": row.copy["copy@16"],
    "copy@32": row.copy["copy@32"],
    longest: passage,
    humanLongestMax,
    heavy: passage !== null && humanLongestMax !== null && passage.notes > humanLongestMax,
  };
  return report;
}

/** The copied passage of a training song, moved to start at beat 0 (what the player plays). */
export function sourcePassage(
  reference: ReportReference,
  source: string,
  startQuarter: number,
  count: number,
): QuarterNote[] {
  const song = reference.songs.get(source);
  if (!song) throw new Error(`the training notes have no song "${source}"`);
  const notes = passageNotes(song, startQuarter, count);
  const start = notes[0]?.startQuarter ?? 0;
  return notes.map((n) => ({ ...n, startQuarter: n.startQuarter - start, endQuarter: n.endQuarter - start }));
}

/** What the model page shows of an evaluation: the summary, the human baseline and the histograms. */
export function modelEvaluation(evaluation: BundleEvaluation): ModelEvaluation {
  const { report, reference } = evaluation;
  return {
    createdAt: evaluation.createdAt,
    recipe: evaluation.recipe,
    summary: report.summary,
    human: report.human,
    histograms: evaluation.histograms,
    reference: reference ? { songs: reference.songs, notes: reference.notes } : null,
  };
}
