// Piano-roll data shared by server and browser: plain tuples keep the stored JSON and the stream small.
// Beats ↔ seconds come from core's `@motif/core/tempo` (no tfjs; see key-choice.ts).
import type { QuarterNote } from "@motif/midi";
import { quartersToSeconds, secondsToQuarters } from "@motif/core/tempo";
import { GALLERY_RECIPE } from "./gallery-recipe";

export { quartersToSeconds, secondsToQuarters };

/** [pitch 0..127, velocity 1..127, startQuarter, endQuarter]. */
export type RollNote = [pitch: number, velocity: number, start: number, end: number];

/** Composed notes as roll tuples, beats rounded to 1/10,000 (the server's and the device's pieces alike). */
export function toRoll(notes: readonly QuarterNote[]): RollNote[] {
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  return notes.map((n) => [n.pitch, n.velocity, round(n.startQuarter), round(n.endQuarter)]);
}

/** A piece's length in seconds at its tempo: the end of the last note to stop. */
export function durationSeconds(notes: readonly RollNote[], bpm: number = GALLERY_RECIPE.bpm): number {
  let end = 0;
  for (const note of notes) end = Math.max(end, note[3]);
  return quartersToSeconds(end, bpm);
}

/** Applies a stream update: everything from index `from` is replaced by `notes`. */
export function applyNotesUpdate(
  current: readonly RollNote[],
  from: number,
  notes: readonly RollNote[],
): RollNote[] {
  return [...current.slice(0, Math.min(from, current.length)), ...notes];
}

export function pitchRange(notes: readonly RollNote[]): { low: number; high: number } {
  if (notes.length === 0) return { low: 48, high: 72 };
  let low = 127;
  let high = 0;
  for (const [pitch] of notes) {
    low = Math.min(low, pitch);
    high = Math.max(high, pitch);
  }
  // At least two octaves tall so a sparse piece does not look like blocks.
  const missing = Math.max(0, 24 - (high - low));
  return {
    low: Math.max(0, low - Math.ceil(missing / 2)),
    high: Math.min(127, high + Math.floor(missing / 2)),
  };
}
