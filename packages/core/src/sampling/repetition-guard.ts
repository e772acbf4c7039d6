/** Longest repeated pattern the guard looks for, in tokens. */
export const GUARD_MAX_PERIOD = 4;
/** How many back-to-back repetitions of a pattern are allowed before the guard steps in. */
export const GUARD_MAX_REPEATS = 8;

/**
 * The repetition guard against "collapsing into one repeated note" (the parent project's most
 * common complaint): if the last tokens are the same 1–4-token pattern repeated 8 times in a row,
 * returns the id that would start a 9th repetition, to be masked for the next draw only.
 * Returns null when there is no such loop.
 */
export function guardedToken(history: readonly number[]): number | null {
  for (let period = 1; period <= GUARD_MAX_PERIOD; period++) {
    const span = period * GUARD_MAX_REPEATS;
    if (history.length < span) return null;
    const start = history.length - span;
    let looping = true;
    for (let i = start + period; i < history.length && looping; i++)
      looping = history[i] === history[i - period];
    if (looping) return history[history.length - period] as number;
  }
  return null;
}
