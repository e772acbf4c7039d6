// The music report of `evaluate --pieces / --pieces-dir`, pure (notes in, figures out, no fs):
// per piece its scalar features, whether it collapsed and how much of it is copied from the
// reference corpus; over all pieces the collapse rate, mean copy shares and the feature overlap
// with the reference (Yang & Lerch OA / KL); and the same copy figures for held-out human songs
// of the corpus (the baseline: how much a real piece of that style shares with the reference).
import { compareSets, CopyIndex, pieceFeatures, SCALAR_FEATURES, type CopyReport, type ScalarFeature } from "@motif/core";
import type { QuarterNote } from "@motif/midi";
import { formatTable, type Cell } from "./text-table.js";

/** A piece or a song: a name to report (file name, relative path) and its notes, in any order. */
export interface NamedNotes {
  name: string;
  notes: readonly QuarterNote[];
}

/** The longest passage of a piece found verbatim (at any transposition and time) in one reference song. */
export interface LongestCopy {
  /** Consecutive notes of the piece. */
  notes: number;
  /** Name of the reference song. */
  source: string;
  /** Bar (4/4, from 1) where the passage starts in the source. */
  bar: number;
  /** Bar (4/4, from 1) where the passage starts in the piece. */
  pieceBar: number;
}

/** Share of the piece's n-note-move runs (n = 8, 16, 32) found in the reference, 0..1, and the longest copy. */
export interface PieceCopy {
  "copy@8": number;
  "copy@16": number;
  "copy@32": number;
  /** null when no 9 consecutive notes of the piece occur in the reference. */
  longest: LongestCopy | null;
}

export interface PieceRow {
  file: string;
  notes: number;
  /** One pitch over half the notes, or fewer than 4 distinct pitches (so also an empty piece). */
  collapse: boolean;
  /** The scalar features of `pieceFeatures` (`SCALAR_FEATURES`). */
  features: Record<ScalarFeature, number>;
  copy: PieceCopy;
}

export interface PiecesSummary {
  pieces: number;
  /** Share of the pieces that collapsed. */
  collapseRate: number;
  /** Means over the pieces. */
  "copy@8": number;
  "copy@16": number;
  "copy@32": number;
  /** Notes of the longest copy over all pieces; 0 when none copies 9 notes. */
  longestMax: number;
  /** Mean OA of `compareSets(pieces, reference)`; null with fewer than 2 reference songs. */
  meanOA: number | null;
  /** Per scalar feature: overlapping area (1 = same distribution) and KL (0 = same), pieces vs reference. */
  oa: Record<ScalarFeature, { oa: number; kl: number }> | null;
}

/** The held-out human songs checked against the same reference. */
export interface HumanBaseline {
  pieces: number;
  "copy@8": number;
  "copy@16": number;
  "copy@32": number;
  longestMax: number;
  /** Median notes of each song's longest copy, a song without one counting 0. */
  longestMedian: number;
}

export interface MusicReport {
  pieces: PieceRow[];
  summary: PiecesSummary;
  /** null when no held-out songs were given. */
  human: HumanBaseline | null;
}

export interface MusicReportInput {
  pieces: readonly NamedNotes[];
  /** The corpus the pieces are compared with and checked for copies against; not empty. */
  reference: readonly NamedNotes[];
  /** Held-out songs of the same corpus (not in `reference`), or null for no human baseline. */
  human?: readonly NamedNotes[] | null;
}

const barOf = (quarter: number): number => Math.floor(quarter / 4) + 1;

/** The copy figures of one `CopyIndex.check` result. */
export function pieceCopy(report: CopyReport): PieceCopy {
  const longest = report.longest;
  return {
    "copy@8": report.copyAt8,
    "copy@16": report.copyAt16,
    "copy@32": report.copyAt32,
    longest: longest === null ? null : { notes: longest.notes, source: longest.source, bar: longest.sourceBar, pieceBar: barOf(longest.pieceStartQuarter) },
  };
}

/** Builds the whole report; `compareSets` needs 2 reference songs, so with one `meanOA` and `oa` are null. */
export function buildMusicReport(input: MusicReportInput): MusicReport {
  if (input.reference.length === 0) throw new Error("the reference corpus is empty: nothing to compare the pieces with");
  // Transposition- and tempo-invariant, so pieces and reference songs compare in any key.
  const index = new CopyIndex(input.reference);
  const referenceFeatures = input.reference.map((song) => pieceFeatures(song.notes));
  const pieceFeatureList = input.pieces.map((piece) => pieceFeatures(piece.notes));
  const rows = input.pieces.map((piece, i): PieceRow => {
    const features = pieceFeatureList[i]!;
    return {
      file: piece.name,
      notes: piece.notes.length,
      collapse: features.collapsed,
      features: Object.fromEntries(SCALAR_FEATURES.map((key) => [key, features[key]])) as Record<ScalarFeature, number>,
      copy: pieceCopy(index.check(piece.notes)),
    };
  });
  const comparison = referenceFeatures.length >= 2 && pieceFeatureList.length >= 1 ? compareSets(pieceFeatureList, referenceFeatures) : null;
  const copies = rows.map((row) => row.copy);
  const summary: PiecesSummary = {
    pieces: rows.length,
    collapseRate: rows.length === 0 ? 0 : rows.filter((row) => row.collapse).length / rows.length,
    ...copyMeans(copies),
    longestMax: longestNotes(copies).reduce((max, n) => Math.max(max, n), 0),
    meanOA: comparison?.meanOA ?? null,
    oa: comparison === null ? null : (Object.fromEntries(SCALAR_FEATURES.map((key) => [key, { oa: comparison.features[key].oa, kl: comparison.features[key].kl }])) as PiecesSummary["oa"]),
  };
  return { pieces: rows, summary, human: input.human === undefined || input.human === null ? null : humanBaseline(index, input.human) };
}

function humanBaseline(index: CopyIndex, songs: readonly NamedNotes[]): HumanBaseline {
  const copies = songs.map((song) => pieceCopy(index.check(song.notes)));
  const longest = longestNotes(copies);
  return { pieces: songs.length, ...copyMeans(copies), longestMax: longest.reduce((max, n) => Math.max(max, n), 0), longestMedian: median(longest) };
}

function copyMeans(copies: readonly PieceCopy[]): Pick<PieceCopy, "copy@8" | "copy@16" | "copy@32"> {
  const mean = (key: "copy@8" | "copy@16" | "copy@32") => (copies.length === 0 ? 0 : copies.reduce((sum, c) => sum + c[key], 0) / copies.length);
  return { "copy@8": mean("copy@8"), "copy@16": mean("copy@16"), "copy@32": mean("copy@32") };
}

/** Notes of each longest copy, 0 for none. */
const longestNotes = (copies: readonly PieceCopy[]): number[] => copies.map((c) => c.longest?.notes ?? 0);

/** Median; the mean of the two middle values for an even count; 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const f3 = (value: number): number => Number(value.toFixed(3));

/** The readable report: the summary with the human baseline beside it, the feature overlaps, one line per piece. */
export function formatMusicReport(report: MusicReport, heading: string): string {
  const { summary, human } = report;
  const dash = "-";
  const collapsed = report.pieces.filter((row) => row.collapse).length;
  const summaryRows: Cell[][] = [
    ["pieces / songs", String(summary.pieces), human === null ? dash : String(human.pieces)],
    ["collapsed", `${collapsed} (${summary.collapseRate.toFixed(3)})`, dash],
    ...(["copy@8", "copy@16", "copy@32"] as const).map((key): Cell[] => [`${key} (share found in the reference)`, summary[key].toFixed(3), human === null ? dash : human[key].toFixed(3)]),
    ["longest copy, notes: max", String(summary.longestMax), human === null ? dash : String(human.longestMax)],
    ["longest copy, notes: median", String(median(longestNotes(report.pieces.map((row) => row.copy)))), human === null ? dash : String(human.longestMedian)],
    ["mean OA with the reference (1 = same)", summary.meanOA === null ? dash : summary.meanOA.toFixed(3), dash],
  ];
  const parts = [heading, "", formatTable(["measure", "pieces", human === null ? "human baseline (none)" : "human baseline (held-out songs)"], summaryRows)];
  if (summary.oa !== null) {
    const oa = summary.oa;
    const mean = (key: ScalarFeature) => report.pieces.reduce((sum, row) => sum + row.features[key], 0) / Math.max(1, report.pieces.length);
    parts.push("", formatTable(["feature", "OA", "KL", "pieces' mean"], SCALAR_FEATURES.map((key) => [key, f3(oa[key].oa), f3(oa[key].kl), f3(mean(key))])));
  }
  const pieceRows = report.pieces.map((row): Cell[] => [
    row.file,
    row.notes,
    row.collapse ? "yes" : "no",
    f3(row.copy["copy@8"]),
    f3(row.copy["copy@16"]),
    f3(row.copy["copy@32"]),
    row.copy.longest === null ? "none ≥ 9 notes" : `${row.copy.longest.notes} notes from ${row.copy.longest.source} bar ${row.copy.longest.bar} (piece bar ${row.copy.longest.pieceBar})`,
    f3(row.features.scaleConsistency),
    f3(row.features.pitchClassEntropy),
    f3(row.features.polyphony),
  ]);
  parts.push("", formatTable(["file", "notes", "collapse", "copy@8", "copy@16", "copy@32", "longest copy", "scale", "pc entropy", "polyphony"], pieceRows));
  return parts.join("\n") + "\n";
}
