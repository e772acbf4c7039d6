// Piano-roll data shared by server and browser: plain tuples keep the stored JSON and the stream small.

/** [pitch 0..127, velocity 1..127, startQuarter, endQuarter]. */
export type RollNote = [pitch: number, velocity: number, start: number, end: number];

/** Generated pieces are written at one tempo (writeMidi's default). */
export const BEATS_PER_MINUTE = 120;
export const SECONDS_PER_QUARTER = 60 / BEATS_PER_MINUTE;

export function durationSeconds(notes: readonly RollNote[]): number {
  let end = 0;
  for (const note of notes) end = Math.max(end, note[3]);
  return end * SECONDS_PER_QUARTER;
}

/** Applies a stream update: everything from index `from` is replaced by `notes`. */
export function applyNotesUpdate(current: readonly RollNote[], from: number, notes: readonly RollNote[]): RollNote[] {
  return [...current.slice(0, Math.min(from, current.length)), ...notes];
}

/** First index where the two lists differ (the length of the shorter if one is a prefix). */
export function firstDifference(previous: readonly RollNote[], next: readonly RollNote[]): number {
  const shared = Math.min(previous.length, next.length);
  for (let i = 0; i < shared; i += 1) {
    const a = previous[i]!;
    const b = next[i]!;
    if (a[0] !== b[0] || a[1] !== b[1] || a[2] !== b[2] || a[3] !== b[3]) return i;
  }
  return shared;
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
  return { low: Math.max(0, low - Math.ceil(missing / 2)), high: Math.min(127, high + Math.floor(missing / 2)) };
}
