// Keys: Krumhansl–Schmuckler estimation, names, scales, and the transposition that moves a key's
// tonic to C (major) or A (minor). Pure functions over plain notes; no tf.
import type { QuarterNote } from "@motif/midi";

export type Mode = "major" | "minor";
export const MODES = ["major", "minor"] as const satisfies readonly Mode[];

/** A key: tonic pitch class 0..11 (0 = C) and mode. */
export interface Key {
  tonic: number;
  mode: Mode;
}

/** Scale degrees in semitones above the tonic (natural minor for `minor`). */
export const MAJOR_SCALE: readonly number[] = [0, 2, 4, 5, 7, 9, 11];
export const MINOR_SCALE: readonly number[] = [0, 2, 3, 5, 7, 8, 10];

/** Krumhansl–Kessler probe-tone profiles, index 0 = the tonic. */
export const MAJOR_PROFILE: readonly number[] = [
  6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88,
];
export const MINOR_PROFILE: readonly number[] = [
  6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17,
];

const SHARP_NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
const FLAT_NAMES = ["C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"];
const LETTER_PITCH: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };
// Tonics conventionally spelled with flats (F major, Bb major, ..., D minor, G minor, ...).
const FLAT_MAJOR_TONICS = new Set([1, 3, 5, 8, 10]);
const FLAT_MINOR_TONICS = new Set([0, 2, 5, 7, 10]);

const mod12 = (value: number): number => ((value % 12) + 12) % 12;

/** The 7 pitch classes of a key's scale, ascending from the tonic. */
export function scalePitchClasses(key: Key): number[] {
  return (key.mode === "major" ? MAJOR_SCALE : MINOR_SCALE).map((degree) => mod12(key.tonic + degree));
}

/** "D minor", "Bb major", "F# major". */
export function keyName(key: Key): string {
  const flats = key.mode === "major" ? FLAT_MAJOR_TONICS : FLAT_MINOR_TONICS;
  return `${(flats.has(key.tonic) ? FLAT_NAMES : SHARP_NAMES)[key.tonic]} ${key.mode}`;
}

/**
 * Reads "D minor", "Bb major", "f# minor", "C", "Am", "Eb-minor"; null when it is not a key.
 * @example parseKey("D minor") // { tonic: 2, mode: "minor" }
 */
export function parseKey(text: string): Key | null {
  const match = /^\s*([A-Ga-g])\s*(#|♯|b|♭)?\s*(?:[-_ ]?\s*(major|minor|maj|min|m|M))?\s*$/.exec(text);
  if (match === null) return null;
  const letter = (match[1] as string).toUpperCase();
  const accidental = match[2] === "#" || match[2] === "♯" ? 1 : match[2] === undefined ? 0 : -1;
  const modeText = match[3];
  const mode: Mode = modeText === "minor" || modeText === "min" || modeText === "m" ? "minor" : "major";
  return { tonic: mod12((LETTER_PITCH[letter] as number) + accidental), mode };
}

/** 12-bin pitch-class histogram weighted by note duration in quarters (the KS input). */
export function pitchClassWeights(notes: readonly QuarterNote[]): number[] {
  const weights = Array.from({ length: 12 }, () => 0);
  for (const note of notes) weights[mod12(note.pitch)]! += Math.max(0, note.endQuarter - note.startQuarter);
  return weights;
}

function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

export interface KeyEstimate extends Key {
  /** Pearson correlation of the histogram with the winning profile (−1..1; 0 for no notes). */
  correlation: number;
}

/**
 * Krumhansl–Schmuckler: the key whose rotated Krumhansl–Kessler profile correlates best with the
 * duration-weighted pitch-class histogram. Ties go to the lower tonic, major first. No notes → C major.
 */
export function estimateKeyFromWeights(weights: readonly number[]): KeyEstimate {
  let best: KeyEstimate = { tonic: 0, mode: "major", correlation: -Infinity };
  for (const mode of MODES) {
    const profile = mode === "major" ? MAJOR_PROFILE : MINOR_PROFILE;
    for (let tonic = 0; tonic < 12; tonic++) {
      const rotated = Array.from({ length: 12 }, (_, pc) => profile[mod12(pc - tonic)] as number);
      const correlation = pearson(weights, rotated);
      if (correlation > best.correlation) best = { tonic, mode, correlation };
    }
  }
  return best.correlation === -Infinity || weights.every((w) => w === 0)
    ? { tonic: 0, mode: "major", correlation: 0 }
    : best;
}

/** The key of a whole piece (see estimateKeyFromWeights). */
export function estimateKey(notes: readonly QuarterNote[]): KeyEstimate {
  return estimateKeyFromWeights(pitchClassWeights(notes));
}

export interface SectionKey extends KeyEstimate {
  startQuarter: number;
  endQuarter: number;
}

/**
 * Keys of consecutive sections of `windowQuarters` (default 8 bars of 4/4), each estimated from the
 * section plus a quarter of its width either side (a little context, not enough to blur a
 * modulation into its neighbour); sections without notes are left out.
 */
export function sectionKeys(notes: readonly QuarterNote[], windowQuarters = 32): SectionKey[] {
  if (notes.length === 0) return [];
  const end = Math.max(...notes.map((note) => note.endQuarter));
  const sections: SectionKey[] = [];
  for (let start = 0; start < end; start += windowQuarters) {
    const from = start - windowQuarters / 4;
    const to = start + windowQuarters * 1.25;
    const inSection = notes.some(
      (note) => note.startQuarter >= start && note.startQuarter < start + windowQuarters,
    );
    if (!inSection) continue;
    const around = notes.filter((note) => note.startQuarter >= from && note.startQuarter < to);
    sections.push({
      ...estimateKey(around),
      startQuarter: start,
      endQuarter: Math.min(end, start + windowQuarters),
    });
  }
  return sections;
}

/**
 * The shift in −5..6 semitones that moves `key` to the reference key (C major, or A minor for minor
 * keys, its relative minor), the smallest move either way, so register changes little.
 * @example shiftToReference({ tonic: 2, mode: "minor" }) // -5 (D minor → A minor)
 */
export function shiftToReference(key: Key): number {
  const reference = key.mode === "major" ? 0 : 9;
  const up = mod12(reference - key.tonic);
  return up > 6 ? up - 12 : up;
}

/** The key moved by `shift` semitones. */
export function transposeKey(key: Key, shift: number): Key {
  return { tonic: mod12(key.tonic + shift), mode: key.mode };
}

/** Share of notes (by count) whose pitch class is in `key`'s scale; 0 for no notes. */
export function inKeyShare(notes: readonly QuarterNote[], key: Key): number {
  if (notes.length === 0) return 0;
  const scale = new Set(scalePitchClasses(key));
  return notes.filter((note) => scale.has(mod12(note.pitch))).length / notes.length;
}

/** Notes moved by `shift` semitones; a pitch leaving 0..127 is folded back by octaves. */
export function transposeNotes(notes: readonly QuarterNote[], shift: number): QuarterNote[] {
  return notes.map((note) => {
    let pitch = note.pitch + shift;
    while (pitch < 0) pitch += 12;
    while (pitch > 127) pitch -= 12;
    return { ...note, pitch };
  });
}

export interface NormalizedNotes {
  notes: QuarterNote[];
  /** The key estimated before the move. */
  key: KeyEstimate;
  /** Semitones the notes were moved by (−5..6). */
  shift: number;
}

/**
 * Key normalisation: the piece moved so its estimated key becomes C major or A minor (they share
 * one scale, so a model trained on normalised songs needs to learn one set of in-key notes).
 * @example normalizeKey(notesInDMinor).shift // -5
 */
export function normalizeKey(notes: readonly QuarterNote[]): NormalizedNotes {
  const key = estimateKey(notes);
  const shift = shiftToReference(key);
  return { notes: transposeNotes(notes, shift), key, shift };
}

/**
 * The notes as a model trained with `keyNormalization` sees them: moved to C major / A minor for
 * `song` (training songs, validation songs and primers alike), unchanged otherwise.
 */
export function notesForModel(
  notes: readonly QuarterNote[],
  keyNormalization: "none" | "song" | undefined,
): { notes: QuarterNote[]; shift: number; key: KeyEstimate | null } {
  if (keyNormalization !== "song") return { notes: [...notes], shift: 0, key: null };
  const normalized = normalizeKey(notes);
  return { notes: normalized.notes, shift: normalized.shift, key: normalized.key };
}

/** The tonic of the major key that shares `key`'s scale (its relative major). */
function relativeMajorTonic(key: Key): number {
  return key.mode === "major" ? key.tonic : mod12(key.tonic + 3);
}

/**
 * The move in −5..6 semitones that carries `from`'s scale onto `to`'s (same mode: tonic onto tonic;
 * C major → D minor moves to F major, D minor's key signature).
 * @example shiftBetweenKeys({ tonic: 9, mode: "minor" }, { tonic: 2, mode: "minor" }) // 5
 */
export function shiftBetweenKeys(from: Key, to: Key): number {
  const up = mod12(relativeMajorTonic(to) - relativeMajorTonic(from));
  return up > 6 ? up - 12 : up;
}

/** Where a generated piece's key comes from: the model's own (C major / A minor when normalised), the primer's, or a named key. */
export type KeyChoice = { kind: "as-trained" } | { kind: "primer" } | { kind: "key"; key: Key };

/**
 * Reads "as-trained", "primer" or a key name ("D minor"); null for anything else.
 * @example parseKeyChoice("Bb major") // { kind: "key", key: { tonic: 10, mode: "major" } }
 */
export function parseKeyChoice(text: string): KeyChoice | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === "as-trained" || trimmed === "as trained") return { kind: "as-trained" };
  if (trimmed === "primer" || trimmed === "as-primer" || trimmed === "as the primer")
    return { kind: "primer" };
  const key = parseKey(text);
  return key === null ? null : { kind: "key", key };
}

/** The canonical text of a choice, for recipes: "as-trained", "primer", "D minor". */
export function keyChoiceText(choice: KeyChoice): string {
  return choice.kind === "key" ? keyName(choice.key) : choice.kind;
}

/**
 * Semitones to move a generated piece by (primer included) so it lands in the chosen key.
 * - A key-normalised model writes in C major / A minor: a named key moves that scale onto the
 *   key's; `primer` undoes the primer's normalisation (`primerShift`); `as-trained` leaves it.
 * - A model trained on keys as written: a named key moves the piece's estimated key onto it;
 *   `primer` and `as-trained` leave it (the primer was never moved).
 * The mode is the model's (or the primer's): a named key fixes the scale and, in that mode, the tonic.
 */
export function keyShiftForPiece(args: {
  normalized: boolean;
  choice: KeyChoice;
  primerShift: number;
  notes: readonly QuarterNote[];
}): number {
  const { normalized, choice, primerShift, notes } = args;
  switch (choice.kind) {
    case "as-trained":
      return 0;
    case "primer":
      return normalized ? -primerShift : 0;
    case "key":
      return shiftBetweenKeys(normalized ? { tonic: 0, mode: "major" } : estimateKey(notes), choice.key);
  }
}
