// Incremental decoding: tokens in one at a time, each note out once, when no later token can
// change it. Concatenating what `push` and `finish` return gives exactly `tokenizer.decode(all)`
// (tested against it), without re-decoding the sequence at every token.
import type { QuarterNote } from "@motif/midi";
import { NOTES_CHORDS_STEP, decodeNotesChords } from "../tokenizer/notes-chords.js";
import {
  DEFAULT_VELOCITY_BIN,
  STEPS_PER_QUARTER,
  TimedGrammar,
  binVelocity,
  parseTimedToken,
} from "../tokenizer/timed.js";
import type { Tokenizer } from "../tokenizer/types.js";

/** A decoder fed one token at a time. */
export interface NoteStream {
  /** Feeds a token; returns the notes it made final, in the order `decode` lists them. */
  push(token: string): QuarterNote[];
  /** Notes decoded so far that a later token may still change (their end). */
  pending(): readonly QuarterNote[];
  /** Ends the stream: returns the pending notes, now final. */
  finish(): QuarterNote[];
}

/** `timed` notes are final at their duration token: the decoder's state machine, one token at a time. */
function timedStream(): NoteStream {
  const grammar = new TimedGrammar();
  let time = 0;
  let velocity = DEFAULT_VELOCITY_BIN;
  let pitch = 0;
  return {
    push(token) {
      // decode skips what the grammar rejects at that position.
      if (!grammar.allows(token)) return [];
      grammar.push(token);
      const { family, value } = parseTimedToken(token)!;
      if (family === "W") time += value;
      else if (family === "V") velocity = value;
      else if (family === "N") pitch = value;
      else
        return [
          {
            pitch,
            velocity: binVelocity(velocity),
            startQuarter: time / STEPS_PER_QUARTER,
            endQuarter: (time + value) / STEPS_PER_QUARTER,
          },
        ];
      return [];
    },
    pending: () => [],
    finish: () => [],
  };
}

/**
 * `notes-chords`: one event every NOTES_CHORDS_STEP quarters. The tokenizer decodes each event
 * alone (voicing, velocity, a last event's length); with the `motif` style an event is held only
 * until the next one, so the latest event stays pending until another arrives or the stream ends.
 */
function notesChordsStream(style: "seed" | "motif"): NoteStream {
  let events = 0;
  let last: QuarterNote[] = [];
  return {
    push(token) {
      const alone = decodeNotesChords([token], { style });
      // Not an event: decode skips it without advancing time.
      if (alone.length === 0) return [];
      const settled =
        style === "seed"
          ? last
          : last.map((note) => ({ ...note, endQuarter: note.startQuarter + NOTES_CHORDS_STEP }));
      const start = events * NOTES_CHORDS_STEP;
      events += 1;
      last = alone.map((note) => ({
        ...note,
        startQuarter: note.startQuarter + start,
        endQuarter: note.endQuarter + start,
      }));
      return settled;
    },
    pending: () => last,
    finish() {
      const final = last;
      last = [];
      return final;
    },
  };
}

/**
 * A fresh incremental decoder for `tokenizer` (`style` matters to notes-chords only).
 * @example const stream = createNoteStream(tokenizer, "motif"); const notes = [...tokens.flatMap((t) => stream.push(t)), ...stream.finish()];
 */
export function createNoteStream(
  tokenizer: Pick<Tokenizer, "kind">,
  style: "seed" | "motif" = "motif",
): NoteStream {
  switch (tokenizer.kind) {
    case "timed":
      return timedStream();
    case "notes-chords":
      return notesChordsStream(style);
  }
}
