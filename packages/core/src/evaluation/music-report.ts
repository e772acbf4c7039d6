// The music report of a set of pieces against a reference corpus, pure (notes in, figures out):
// per piece its scalar features, whether it collapsed and how much of it is copied from the
// reference; over all pieces the collapse rate, mean copy shares and the feature overlap with the
// reference (Yang & Lerch OA / KL); and the same copy figures for held-out human songs of the
// corpus (the baseline: how much a real piece of that style shares with the reference).
import type { QuarterNote } from "@motif/midi";
import { CopyIndex, type CopyReport } from "./copy-detection.js";
import { pieceFeatures, SCALAR_FEATURES, type PieceFeatures, type ScalarFeature } from "./piece-features.js";
import { compareSets } from "./set-comparison.js";

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
  /** Onset in beats of the passage's first note in the source, and in the piece (to play them). */
  sourceStartQuarter: number;
  pieceStartQuarter: number;
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
    longest:
      longest === null
        ? null
        : {
            notes: longest.notes,
            source: longest.source,
            bar: longest.sourceBar,
            pieceBar: barOf(longest.pieceStartQuarter),
            sourceStartQuarter: longest.sourceStartQuarter,
            pieceStartQuarter: longest.pieceStartQuarter,
          },
  };
}

/**
 * The overlap (OA, KL) compares pairwise distances inside the reference, n² of them: past this many
 * songs it uses this many, evenly spaced through the list (the same ones every time), so a
 * 10,000-file collection costs what a 500-file one does. Copies are still checked against every song.
 */
export const MAX_COMPARED_REFERENCE_SONGS = 500;

/** `count` items spread evenly over `items` (all of them when there are no more). */
export function evenlySpaced<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]!);
}

/** One piece's row: its scalar features, whether it collapsed, and its copies found in `index`. */
export function pieceRow(
  piece: NamedNotes,
  index: CopyIndex,
  features: PieceFeatures = pieceFeatures(piece.notes),
): PieceRow {
  return {
    file: piece.name,
    notes: piece.notes.length,
    collapse: features.collapsed,
    features: Object.fromEntries(SCALAR_FEATURES.map((key) => [key, features[key]])) as Record<
      ScalarFeature,
      number
    >,
    copy: pieceCopy(index.check(piece.notes)),
  };
}

/** Builds the whole report; `compareSets` needs 2 reference songs, so with one `meanOA` and `oa` are null. */
export function buildMusicReport(input: MusicReportInput): MusicReport {
  if (input.reference.length === 0)
    throw new Error("the reference corpus is empty: nothing to compare the pieces with");
  // Transposition- and tempo-invariant, so pieces and reference songs compare in any key.
  const index = new CopyIndex(input.reference);
  const referenceFeatures = input.reference.map((song) => pieceFeatures(song.notes));
  const pieceFeatureList = input.pieces.map((piece) => pieceFeatures(piece.notes));
  const rows = input.pieces.map((piece, i) => pieceRow(piece, index, pieceFeatureList[i]!));
  const compared = evenlySpaced(referenceFeatures, MAX_COMPARED_REFERENCE_SONGS);
  const comparison =
    compared.length >= 2 && pieceFeatureList.length >= 1 ? compareSets(pieceFeatureList, compared) : null;
  const copies = rows.map((row) => row.copy);
  const summary: PiecesSummary = {
    pieces: rows.length,
    collapseRate: rows.length === 0 ? 0 : rows.filter((row) => row.collapse).length / rows.length,
    ...copyMeans(copies),
    longestMax: longestNotes(copies).reduce((max, n) => Math.max(max, n), 0),
    meanOA: comparison?.meanOA ?? null,
    oa:
      comparison === null
        ? null
        : (Object.fromEntries(
            SCALAR_FEATURES.map((key) => [
              key,
              { oa: comparison.features[key].oa, kl: comparison.features[key].kl },
            ]),
          ) as PiecesSummary["oa"]),
  };
  return {
    pieces: rows,
    summary,
    human: input.human === undefined || input.human === null ? null : humanBaseline(index, input.human),
  };
}

function humanBaseline(index: CopyIndex, songs: readonly NamedNotes[]): HumanBaseline {
  const copies = songs.map((song) => pieceCopy(index.check(song.notes)));
  const longest = longestNotes(copies);
  return {
    pieces: songs.length,
    ...copyMeans(copies),
    longestMax: longest.reduce((max, n) => Math.max(max, n), 0),
    longestMedian: median(longest),
  };
}

function copyMeans(copies: readonly PieceCopy[]): Pick<PieceCopy, "copy@8" | "copy@16" | "copy@32"> {
  const mean = (key: "copy@8" | "copy@16" | "copy@32") =>
    copies.length === 0 ? 0 : copies.reduce((sum, c) => sum + c[key], 0) / copies.length;
  return { "copy@8": mean("copy@8"), "copy@16": mean("copy@16"), "copy@32": mean("copy@32") };
}

/** Notes of each longest copy, 0 for none. */
export const longestNotes = (copies: readonly PieceCopy[]): number[] =>
  copies.map((c) => c.longest?.notes ?? 0);

/** Median; the mean of the two middle values for an even count; 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
