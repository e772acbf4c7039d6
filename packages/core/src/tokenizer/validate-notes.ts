import type { QuarterNote } from "@motif/midi";
import { TokenizerError } from "./types.js";

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
  if (!Number.isFinite(note.startQuarter) || note.startQuarter < 0) {
    return `startQuarter must be a finite number >= 0, got ${note.startQuarter}`;
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
