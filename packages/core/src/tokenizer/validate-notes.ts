import type { QuarterNote } from "@motif/midi";
import { TokenizerError } from "./types.js";

/**
 * Latest onset a tokenizer accepts (about 5.8 days at 120 bpm). It bounds the work and memory of
 * encoding: a corrupt file with a note a billion quarters late would otherwise ask for 250 million
 * wait tokens.
 */
const MAX_START_QUARTER = 1_000_000;

/** Rejects notes no tokenizer can represent, naming the first offending note. */
export function assertValidNotes(notes: readonly QuarterNote[]): void {
  notes.forEach((note, index) => {
    const problem = describeProblem(note);
    if (problem !== null) throw new TokenizerError(`note ${index}: ${problem}`);
  });
}

function describeProblem(note: QuarterNote): string | null {
  if (!Number.isInteger(note.pitch) || note.pitch < 0 || note.pitch > 127) {
    return `pitch must be an integer 0..127, got ${note.pitch}`;
  }
  if (!Number.isFinite(note.velocity) || note.velocity < 0 || note.velocity > 127) {
    return `velocity must be 0..127, got ${note.velocity}`;
  }
  if (!Number.isFinite(note.startQuarter) || note.startQuarter < 0 || note.startQuarter > MAX_START_QUARTER) {
    return `startQuarter must be a number from 0 to ${MAX_START_QUARTER}, got ${note.startQuarter}`;
  }
  if (!Number.isFinite(note.endQuarter) || note.endQuarter <= note.startQuarter) {
    return `endQuarter must be finite and after startQuarter (${note.startQuarter}), got ${note.endQuarter}`;
  }
  return null;
}

/** Notes sorted by (startQuarter, pitch) without touching the caller's array. */
export function sortNotes<T extends QuarterNote>(notes: readonly T[]): T[] {
  return [...notes].sort((a, b) => a.startQuarter - b.startQuarter || a.pitch - b.pitch);
}
