import type { NoteSequence, QuarterNote } from "./types.js";

function compareQuarterNotes(a: QuarterNote, b: QuarterNote): number {
  return (
    a.startQuarter - b.startQuarter ||
    a.pitch - b.pitch ||
    a.endQuarter - b.endQuarter ||
    a.velocity - b.velocity
  );
}

/**
 * The piano stream: every non-drum note of every track, merged, sorted by (startQuarter, pitch).
 * Notes doubled across tracks are all kept.
 *
 * @example
 * pianoNotes(parseMidi(bytes)); // [{ pitch: 48, velocity: 80, startQuarter: 0, endQuarter: 2 }, ...]
 */
export function pianoNotes(seq: NoteSequence): QuarterNote[] {
  return seq.notes
    .filter((note) => !note.isDrum)
    .map(({ pitch, velocity, startQuarter, endQuarter }) => ({ pitch, velocity, startQuarter, endQuarter }))
    .sort(compareQuarterNotes);
}

/**
 * Snaps starts and ends to a grid of `stepsPerQuarter` steps per quarter note (nearest step).
 * One note out per note in; a note that would shrink to nothing keeps one step. Sorted by
 * (startQuarter, pitch). Throws RangeError unless `stepsPerQuarter` is a positive integer.
 *
 * @example
 * quantize([{ pitch: 60, velocity: 90, startQuarter: 0.26, endQuarter: 0.49 }], 4);
 * // [{ pitch: 60, velocity: 90, startQuarter: 0.25, endQuarter: 0.5 }]
 */
export function quantize(notes: readonly QuarterNote[], stepsPerQuarter: number): QuarterNote[] {
  if (!Number.isInteger(stepsPerQuarter) || stepsPerQuarter < 1) {
    throw new RangeError(`quantize: stepsPerQuarter ${stepsPerQuarter} must be a positive integer`);
  }
  return notes
    .map((note) => {
      const startStep = Math.round(note.startQuarter * stepsPerQuarter);
      const endStep = Math.max(Math.round(note.endQuarter * stepsPerQuarter), startStep + 1);
      return { ...note, startQuarter: startStep / stepsPerQuarter, endQuarter: endStep / stepsPerQuarter };
    })
    .sort(compareQuarterNotes);
}
