// Beats and seconds: a piece is written in quarters; its recipe's bpm says how long one lasts.
import type { QuarterNote } from "@motif/midi";

/**
 * Seconds one quarter lasts at `bpm`.
 * @example secondsPerQuarter(120) // 0.5
 */
export function secondsPerQuarter(bpm: number): number {
  return 60 / bpm;
}

/** The time in seconds of a position in quarters. */
export function quartersToSeconds(quarters: number, bpm: number): number {
  return quarters * secondsPerQuarter(bpm);
}

/** The position in quarters of a time in seconds (a player's clock onto the piano roll). */
export function secondsToQuarters(seconds: number, bpm: number): number {
  return seconds / secondsPerQuarter(bpm);
}

/** Seconds from the start to the end of the last note to stop. */
export function durationSeconds(notes: readonly QuarterNote[], bpm: number): number {
  let end = 0;
  for (const note of notes) end = Math.max(end, note.endQuarter);
  return quartersToSeconds(end, bpm);
}
