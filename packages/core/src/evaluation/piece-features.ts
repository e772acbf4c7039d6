import type { QuarterNote } from "@motif/midi";

/**
 * Duration classes of `noteLengthHistogram`, in beats (quarter notes): from a 32nd to two whole
 * notes, including the dotted values. A note falls into the nearest class.
 */
export const NOTE_LENGTH_CLASSES = [0.125, 0.25, 0.375, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8] as const;

/** Width of the windows of `windowedScaleConsistency`, in beats. */
const SCALE_WINDOW_BEATS = 8;

// Kept local rather than imported from ./key.js so this module stands alone.
const MAJOR_SCALE = [0, 2, 4, 5, 7, 9, 11] as const;
const NATURAL_MINOR_SCALE = [0, 2, 3, 5, 7, 8, 10] as const;

// Float times such as 1/3 land a hair off the grid; this keeps them on the step they mean.
const EPS = 1e-9;

/** Objective measures of one piece (MusPy / mgeval definitions). */
export interface PieceFeatures {
  noteCount: number;
  /** Highest minus lowest pitch; 0 for no notes. */
  pitchRange: number;
  distinctPitches: number;
  /** Share of notes per pitch class (C = 0); sums to 1, all zero for no notes. */
  pitchClassHistogram: number[];
  /** Shannon entropy of `pitchClassHistogram` in bits; log2(12) when uniform, 0 for no notes. */
  pitchClassEntropy: number;
  /** Best share of notes inside one of the 24 major / natural-minor scales; 0 for no notes. */
  scaleConsistency: number;
  /** Tonic pitch class (0..11) of the best scale; ties go to the lowest tonic, major first. */
  scaleTonic: number;
  scaleMode: "major" | "minor";
  /** Mean scale consistency of the 8-beat windows (by onset) that hold a note; 0 for no notes. */
  windowedScaleConsistency: number;
  /** Mean number of sounding notes over grid steps where something sounds; 0 for no notes. */
  polyphony: number;
  /** Share of beats from 0 to the last note end in which nothing sounds; 0 for no notes. */
  emptyBeatRate: number;
  /** 1 − mean normalised Hamming distance between onset patterns of consecutive bars. */
  grooveConsistency: number;
  /** Mean gap in beats between consecutive distinct onsets; 0 for fewer than 2 onsets. */
  meanInterOnsetInterval: number;
  /** Mean |Δpitch| between consecutive notes in (onset, pitch) order; 0 for fewer than 2 notes. */
  meanPitchShift: number;
  /** 12×12 counts of pitch-class moves between consecutive notes, [from][to], summing to 1. */
  pitchClassTransitions: number[][];
  /** Share of notes per `NOTE_LENGTH_CLASSES` entry; sums to 1, all zero for no notes. */
  noteLengthHistogram: number[];
  /** One pitch over half the notes, or fewer than 4 distinct pitches (so also an empty piece). */
  collapsed: boolean;
}

/** Options of `pieceFeatures`. */
export interface PieceFeatureOptions {
  /** Beats (quarter notes) per bar; default 4. `beatsPerBar * stepsPerBeat` must be an integer. */
  beatsPerBar?: number;
  /** Grid steps per beat for groove, polyphony and onsets; default 4 (16th notes). */
  stepsPerBeat?: number;
}

type NumericKey<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];

/**
 * The numeric scalar fields of `PieceFeatures`, for comparing sets of pieces field by field.
 * `scaleTonic` is left out: it is a category, its mean means nothing.
 */
export const SCALAR_FEATURES = [
  "noteCount",
  "pitchRange",
  "distinctPitches",
  "pitchClassEntropy",
  "scaleConsistency",
  "windowedScaleConsistency",
  "polyphony",
  "emptyBeatRate",
  "grooveConsistency",
  "meanInterOnsetInterval",
  "meanPitchShift",
] as const satisfies readonly NumericKey<PieceFeatures>[];

/** Name of one entry of `SCALAR_FEATURES`. */
export type ScalarFeature = (typeof SCALAR_FEATURES)[number];

/** Computes every measure of `PieceFeatures` for one piece; `notes` may be in any order. */
export function pieceFeatures(
  notes: readonly QuarterNote[],
  options: PieceFeatureOptions = {},
): PieceFeatures {
  const beatsPerBar = options.beatsPerBar ?? 4;
  const stepsPerBeat = options.stepsPerBeat ?? 4;
  checkGrid(beatsPerBar, stepsPerBeat);
  const sorted = [...notes].sort((a, b) => a.startQuarter - b.startQuarter || a.pitch - b.pitch);
  const pitches = sorted.map((n) => n.pitch);
  const histogram = pitchClassHistogram(pitches);
  const scale = bestScale(pitches);
  return {
    noteCount: sorted.length,
    pitchRange: pitches.length === 0 ? 0 : maxOf(pitches) - minOf(pitches),
    distinctPitches: new Set(pitches).size,
    pitchClassHistogram: histogram,
    pitchClassEntropy: entropyBits(histogram),
    scaleConsistency: scale.consistency,
    scaleTonic: scale.tonic,
    scaleMode: scale.mode,
    windowedScaleConsistency: windowedScaleConsistency(sorted),
    polyphony: polyphony(sorted, stepsPerBeat),
    emptyBeatRate: emptyBeatRate(sorted),
    grooveConsistency: grooveConsistency(sorted, beatsPerBar, stepsPerBeat),
    meanInterOnsetInterval: meanInterOnsetInterval(sorted),
    meanPitchShift: meanPitchShift(pitches),
    pitchClassTransitions: pitchClassTransitions(pitches),
    noteLengthHistogram: noteLengthHistogram(sorted),
    collapsed: isCollapsed(pitches),
  };
}

/** Mean, population standard deviation, min and max; all zero for no values. */
export function summarize(values: readonly number[]): {
  mean: number;
  std: number;
  min: number;
  max: number;
} {
  if (values.length === 0) return { mean: 0, std: 0, min: 0, max: 0 };
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance), min: minOf(values), max: maxOf(values) };
}

// Reduce rather than Math.max(...xs): spreading a long piece would overflow the call stack.
const maxOf = (xs: readonly number[]): number => xs.reduce((m, x) => Math.max(m, x), -Infinity);
const minOf = (xs: readonly number[]): number => xs.reduce((m, x) => Math.min(m, x), Infinity);

function checkGrid(beatsPerBar: number, stepsPerBeat: number): void {
  if (!Number.isInteger(stepsPerBeat) || stepsPerBeat < 1) {
    throw new RangeError(`stepsPerBeat must be a positive integer, got ${stepsPerBeat}`);
  }
  // A bar must be a whole number of steps, or onset patterns of bars would not line up.
  const stepsPerBar = beatsPerBar * stepsPerBeat;
  if (!(beatsPerBar > 0) || Math.abs(stepsPerBar - Math.round(stepsPerBar)) > EPS) {
    throw new RangeError(`beatsPerBar must be positive and a whole number of steps, got ${beatsPerBar}`);
  }
}

const pitchClass = (pitch: number): number => ((pitch % 12) + 12) % 12;

function pitchClassHistogram(pitches: readonly number[]): number[] {
  const counts = new Array<number>(12).fill(0);
  for (const pitch of pitches) counts[pitchClass(pitch)]!++;
  return normalise(counts);
}

function normalise(counts: number[]): number[] {
  const total = counts.reduce((sum, c) => sum + c, 0);
  return total === 0 ? counts : counts.map((c) => c / total);
}

function entropyBits(probabilities: readonly number[]): number {
  let entropy = 0;
  for (const p of probabilities) if (p > 0) entropy -= p * Math.log2(p);
  return entropy;
}

interface ScaleFit {
  consistency: number;
  tonic: number;
  mode: "major" | "minor";
}

function bestScale(pitches: readonly number[]): ScaleFit {
  const best: ScaleFit = { consistency: 0, tonic: 0, mode: "major" };
  if (pitches.length === 0) return best;
  const classes = pitches.map(pitchClass);
  for (let tonic = 0; tonic < 12; tonic++) {
    for (const [mode, steps] of [
      ["major", MAJOR_SCALE],
      ["minor", NATURAL_MINOR_SCALE],
    ] as const) {
      const inScale = new Set(steps.map((step) => (tonic + step) % 12));
      const consistency = classes.filter((pc) => inScale.has(pc)).length / classes.length;
      // Strictly greater keeps the first (lowest tonic, major first) of equal fits.
      if (consistency > best.consistency) Object.assign(best, { consistency, tonic, mode });
    }
  }
  return best;
}

function windowedScaleConsistency(sorted: readonly QuarterNote[]): number {
  const windows = new Map<number, number[]>();
  for (const note of sorted) {
    const index = Math.floor(note.startQuarter / SCALE_WINDOW_BEATS + EPS);
    const window = windows.get(index);
    if (window === undefined) windows.set(index, [note.pitch]);
    else window.push(note.pitch);
  }
  if (windows.size === 0) return 0;
  let sum = 0;
  for (const pitches of windows.values()) sum += bestScale(pitches).consistency;
  return sum / windows.size;
}

/** Half-open range of grid steps s with start ≤ s/stepsPerBeat < end. */
function soundingSteps(note: QuarterNote, stepsPerBeat: number): [number, number] {
  const first = Math.max(0, Math.ceil(note.startQuarter * stepsPerBeat - EPS));
  return [first, Math.max(first, Math.ceil(note.endQuarter * stepsPerBeat - EPS))];
}

const lastEnd = (notes: readonly QuarterNote[]): number =>
  notes.reduce((end, n) => Math.max(end, n.endQuarter), 0);

function polyphony(sorted: readonly QuarterNote[], stepsPerBeat: number): number {
  const ranges = sorted.map((note) => soundingSteps(note, stepsPerBeat));
  const totalSteps = ranges.reduce((end, [, stop]) => Math.max(end, stop), 0);
  // Difference array: +1 where a note starts sounding, −1 where it stops.
  const delta = new Array<number>(totalSteps + 1).fill(0);
  for (const [first, stop] of ranges) {
    delta[first]!++;
    delta[stop]!--;
  }
  let sounding = 0;
  let busySteps = 0;
  let noteSteps = 0;
  for (let step = 0; step < totalSteps; step++) {
    sounding += delta[step]!;
    if (sounding > 0) {
      busySteps++;
      noteSteps += sounding;
    }
  }
  return busySteps === 0 ? 0 : noteSteps / busySteps;
}

function emptyBeatRate(sorted: readonly QuarterNote[]): number {
  const beats = Math.ceil(lastEnd(sorted) - EPS);
  if (beats <= 0) return 0;
  const busy = new Array<boolean>(beats).fill(false);
  for (const note of sorted) {
    // Beat b is busy when the note overlaps [b, b + 1).
    const stop = Math.min(beats, Math.ceil(note.endQuarter - EPS));
    for (let beat = Math.max(0, Math.floor(note.startQuarter + EPS)); beat < stop; beat++) busy[beat] = true;
  }
  return busy.filter((b) => !b).length / beats;
}

function grooveConsistency(
  sorted: readonly QuarterNote[],
  beatsPerBar: number,
  stepsPerBeat: number,
): number {
  const stepsPerBar = Math.round(beatsPerBar * stepsPerBeat);
  const onsetSteps = sorted.map((note) => Math.max(0, Math.round(note.startQuarter * stepsPerBeat)));
  // A late onset can round onto the next bar line, past the last note end; count that bar too.
  const lastOnsetBar = onsetSteps.reduce((bar, step) => Math.max(bar, Math.floor(step / stepsPerBar)), -1);
  const bars = Math.max(Math.ceil(lastEnd(sorted) / beatsPerBar - EPS), lastOnsetBar + 1);
  if (bars < 2) return 1;
  const onsets = new Set(onsetSteps);
  let distance = 0;
  for (let bar = 1; bar < bars; bar++) {
    for (let pos = 0; pos < stepsPerBar; pos++) {
      const here = onsets.has(bar * stepsPerBar + pos);
      const before = onsets.has((bar - 1) * stepsPerBar + pos);
      if (here !== before) distance++;
    }
  }
  return 1 - distance / stepsPerBar / (bars - 1);
}

function meanInterOnsetInterval(sorted: readonly QuarterNote[]): number {
  const onsets: number[] = [];
  for (const note of sorted) {
    const previous = onsets[onsets.length - 1];
    if (previous === undefined || note.startQuarter - previous > EPS) onsets.push(note.startQuarter);
  }
  if (onsets.length < 2) return 0;
  // The gaps telescope: their mean is the span over the number of gaps.
  return ((onsets[onsets.length - 1] as number) - (onsets[0] as number)) / (onsets.length - 1);
}

function meanPitchShift(pitches: readonly number[]): number {
  if (pitches.length < 2) return 0;
  let sum = 0;
  for (let i = 1; i < pitches.length; i++)
    sum += Math.abs((pitches[i] as number) - (pitches[i - 1] as number));
  return sum / (pitches.length - 1);
}

function pitchClassTransitions(pitches: readonly number[]): number[][] {
  const matrix = Array.from({ length: 12 }, () => new Array<number>(12).fill(0));
  for (let i = 1; i < pitches.length; i++)
    matrix[pitchClass(pitches[i - 1] as number)]![pitchClass(pitches[i] as number)]!++;
  const moves = pitches.length - 1;
  return moves < 1 ? matrix : matrix.map((row) => row.map((c) => c / moves));
}

function noteLengthHistogram(sorted: readonly QuarterNote[]): number[] {
  const counts = new Array<number>(NOTE_LENGTH_CLASSES.length).fill(0);
  for (const note of sorted) counts[nearestLengthClass(note.endQuarter - note.startQuarter)]!++;
  return normalise(counts);
}

function nearestLengthClass(beats: number): number {
  let best = 0;
  NOTE_LENGTH_CLASSES.forEach((length, i) => {
    // Strictly closer keeps the shorter class on an exact midpoint.
    if (Math.abs(beats - length) < Math.abs(beats - NOTE_LENGTH_CLASSES[best]!) - EPS) best = i;
  });
  return best;
}

function isCollapsed(pitches: readonly number[]): boolean {
  const counts = new Map<number, number>();
  for (const pitch of pitches) counts.set(pitch, (counts.get(pitch) ?? 0) + 1);
  const mostCommon = maxOf([...counts.values(), 0]);
  return counts.size < 4 || mostCommon > pitches.length / 2;
}
