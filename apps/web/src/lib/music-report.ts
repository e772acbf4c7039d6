// The music reports as the app stores and shows them: plain JSON made by the generation worker
// (src/worker/piece-report.ts, from core's evaluation) and read by pages without importing core.

/** Bump when PieceReport changes shape: stored reports of another version are computed again. */
export const PIECE_REPORT_VERSION = 1;

/** Gallery filter on the heavy-copy flag: everything, only heavy copies, or all but them. */
export const COPY_FILTERS = ["all", "heavy", "hide-heavy"] as const;
export type CopyFilter = (typeof COPY_FILTERS)[number];

/** Why a piece has no copy figures, when its bundle cannot say. */
export const NO_EVALUATION = "no evaluation in this bundle";
export const NO_REFERENCE = "this bundle's evaluation carries no training notes";

/** A feature's spread over the model's training songs (core's FeatureRange, quantiles only). */
export interface MetricRange {
  min: number;
  p10: number;
  median: number;
  p90: number;
  max: number;
}

/** One measure of a piece, and where it sits against the training songs (p10–p90 is "typical"). */
export interface PieceMetric {
  /** A key of METRICS. */
  key: string;
  value: number;
  range: MetricRange | null;
  position: "below" | "typical" | "above" | null;
}

/** The longest run of the piece's notes found verbatim (any transposition, any tempo) in one training song. */
export interface CopiedPassage {
  notes: number;
  /** File name of the training song. */
  source: string;
  /** Bar and beat (4/4, from 1) where it starts in the source, and in the piece. */
  bar: number;
  beat: number;
  pieceBar: number;
  pieceBeat: number;
  sourceStartQuarter: number;
  pieceStartQuarter: number;
}

export interface PieceCopy {
  /** Share of the piece's runs of n note moves found in the training songs, 0..1. */
  "copy@8": number;
  "copy@16": number;
  "copy@32": number;
  /** null when no 9 consecutive notes of the piece occur in the training songs. */
  longest: CopiedPassage | null;
  /** The longest copy of any held-out human song against the same songs; null without a baseline. */
  humanLongestMax: number | null;
  /** longest.notes > humanLongestMax. */
  heavy: boolean;
}

export interface PieceReport {
  version: number;
  computedAt: string;
  /** The bundle whose evaluation the piece was measured against. */
  bundleHash: string;
  notes: number;
  /** Estimated key of the piece as it sounds (after the key asked for), and as the model wrote it. */
  key: string;
  writtenKey: string;
  /** One pitch over half the notes, or fewer than 4 distinct pitches. */
  collapse: boolean;
  metrics: PieceMetric[];
  /** Training songs the ranges and copies come from; null without an evaluation. */
  referenceSongs: number | null;
  copy: PieceCopy | null;
  /** Why `copy` is null (NO_EVALUATION, NO_REFERENCE); null when it is not. */
  unavailable: string | null;
}

/** What the model page shows of a bundle's evaluation.json. */
export interface ModelEvaluation {
  createdAt: string;
  recipe: {
    pieces: number;
    length: number;
    temperature: number;
    topK: number | null;
    topP: number | null;
    guard: boolean;
  };
  summary: {
    pieces: number;
    collapseRate: number;
    "copy@8": number;
    "copy@16": number;
    "copy@32": number;
    longestMax: number;
    meanOA: number | null;
    oa: Record<string, { oa: number; kl: number }> | null;
  };
  human: {
    pieces: number;
    "copy@8": number;
    "copy@16": number;
    "copy@32": number;
    longestMax: number;
    longestMedian: number;
  } | null;
  histograms: Record<string, { edges: number[]; generated: number[]; reference: number[] }>;
  reference: { songs: number; notes: number } | null;
}

/** How each measure reads, in the order pages list them. */
export const METRICS: Record<string, { label: string; digits: number; unit?: string; hint: string }> = {
  scaleConsistency: {
    label: "scale consistency",
    digits: 2,
    hint: "share of notes in the best major or minor scale",
  },
  pitchClassEntropy: {
    label: "pitch-class entropy",
    digits: 2,
    unit: "bits",
    hint: "how evenly the 12 pitch classes are used",
  },
  polyphony: {
    label: "polyphony",
    digits: 2,
    unit: "notes",
    hint: "notes sounding together, where something sounds",
  },
  notesPerBeat: {
    label: "density",
    digits: 2,
    unit: "notes / beat",
    hint: "notes per beat from the first onset to the last note's end",
  },
  pitchRange: { label: "pitch range", digits: 0, unit: "semitones", hint: "highest minus lowest pitch" },
  distinctPitches: { label: "distinct pitches", digits: 0, hint: "different pitches used" },
  meanPitchShift: {
    label: "mean pitch step",
    digits: 2,
    unit: "semitones",
    hint: "mean jump between consecutive notes",
  },
  meanInterOnsetInterval: {
    label: "mean onset gap",
    digits: 2,
    unit: "beats",
    hint: "mean time between consecutive onsets",
  },
  emptyBeatRate: { label: "empty beats", digits: 2, hint: "share of beats in which nothing sounds" },
  grooveConsistency: {
    label: "groove consistency",
    digits: 2,
    hint: "how alike the onset patterns of consecutive bars are",
  },
  windowedScaleConsistency: {
    label: "scale consistency (8 beats)",
    digits: 2,
    hint: "scale consistency of 8-beat windows, averaged",
  },
  noteCount: { label: "notes", digits: 0, hint: "number of notes" },
};

export function metricLabel(key: string): string {
  return METRICS[key]?.label ?? key;
}

export function formatMetric(key: string, value: number): string {
  const digits = METRICS[key]?.digits ?? 2;
  return value.toFixed(digits);
}

/** "12%" from a 0..1 share. */
export function formatShare(share: number): string {
  return `${(share * 100).toFixed(share > 0 && share < 0.1 ? 1 : 0)}%`;
}
