import type { QuarterNote } from "@motif/midi";
import { normalOrder } from "./normal-order.js";
import { pitchFromName, pitchName } from "./pitch-names.js";
import { TokenizerError, type DecodeOptions, type TokenGrammar, type Tokenizer } from "./types.js";
import { assertValidNotes, sortNotes } from "./validate-notes.js";

/**
 * The seed's vocabulary: one token per onset. A lone pitch is its music21 name (`C#4`, `B-2`);
 * several pitches are their pitch classes in music21's normal order joined by dots (`4.7.11`), a
 * chord of one pitch class in several octaves is that digit (`0`). Durations, rests and velocity
 * are dropped.
 */
export const NOTES_CHORDS_VERSION = 1;

/** Onsets this close (in quarters) form one chord: music21's MIDI import uses 1/16 quarter. */
export const CHORD_ONSET_TOLERANCE = 1 / 16;
/** Every token is one event this many quarters after the previous one (both decode styles). */
export const NOTES_CHORDS_STEP = 0.5;
/** music21 writes notes without a velocity at 0.70866 × 127 = 90. */
export const SEED_VELOCITY = 90;
const MOTIF_NOTE_VELOCITY = 80;
const MOTIF_CHORD_VELOCITY = 64;
/** Lowest note of a `motif` chord voicing lies in G3..F#4, so the chord sits around middle C. */
const MOTIF_VOICING_LOW = 55;

function encodeNotesChords(notes: readonly QuarterNote[]): string[] {
  assertValidNotes(notes);
  const sorted = sortNotes(notes);
  const tokens: string[] = [];
  let index = 0;
  while (index < sorted.length) {
    const groupStart = sorted[index]?.startQuarter ?? 0;
    const pitches: number[] = [];
    while (index < sorted.length) {
      const note = sorted[index];
      if (note === undefined || note.startQuarter - groupStart > CHORD_ONSET_TOLERANCE + 1e-9) break;
      pitches.push(note.pitch);
      index++;
    }
    tokens.push(onsetToken(pitches));
  }
  return tokens;
}

/** The token of one onset: a note name for one distinct pitch, else the normal-order chord. */
export function onsetToken(pitches: readonly number[]): string {
  const distinct = new Set(pitches);
  const only = distinct.size === 1 ? [...distinct][0] : undefined;
  if (only !== undefined) return pitchName(only);
  return normalOrder(distinct).join(".");
}

const chordTokenCache = new Map<string, readonly number[] | null>();

/** Pitch classes of a chord token in token order, or null when `token` is not a canonical chord. */
export function chordPitchClasses(token: string): readonly number[] | null {
  const cached = chordTokenCache.get(token);
  if (cached !== undefined) return cached;
  let result: readonly number[] | null = null;
  if (/^(?:\d|1[01])(?:\.(?:\d|1[01]))*$/.test(token)) {
    const pcs = token.split(".").map(Number);
    if (normalOrder(pcs).join(".") === token) result = pcs;
  }
  if (chordTokenCache.size < 10_000) chordTokenCache.set(token, result);
  return result;
}

function isNotesChordsToken(token: string): boolean {
  return pitchFromName(token) !== undefined || chordPitchClasses(token) !== null;
}

type EventPitches = { kind: "note"; pitch: number } | { kind: "chord"; pitchClasses: readonly number[] };

function parseEvent(token: string): EventPitches | null {
  const pitch = pitchFromName(token);
  if (pitch !== undefined) return { kind: "note", pitch };
  const pitchClasses = chordPitchClasses(token);
  return pitchClasses === null ? null : { kind: "chord", pitchClasses };
}

/** Close voicing ascending from the first pitch class, starting in G3..F#4. */
export function voiceChord(pitchClasses: readonly number[]): number[] {
  const voiced: number[] = [];
  for (const pc of pitchClasses) {
    const previous = voiced[voiced.length - 1];
    let pitch =
      previous === undefined ? MOTIF_VOICING_LOW + ((pc - MOTIF_VOICING_LOW + 120) % 12) : previous + 1;
    while (pitch % 12 !== pc) pitch++;
    voiced.push(pitch);
  }
  return voiced;
}

export function decodeNotesChords(tokens: readonly string[], options: DecodeOptions = {}): QuarterNote[] {
  if (options.style !== undefined && options.style !== "seed" && options.style !== "motif") {
    throw new TokenizerError(`decode style must be "seed" or "motif", got ${JSON.stringify(options.style)}`);
  }
  const events = tokens.map(parseEvent).filter((event): event is EventPitches => event !== null);
  const seed = options.style === "seed";
  const notes: QuarterNote[] = [];
  events.forEach((event, index) => {
    const startQuarter = index * NOTES_CHORDS_STEP;
    const isLast = index === events.length - 1;
    // The seed gave every event a quarter note; motif holds each one until the next onset.
    const length = seed || isLast ? 1 : NOTES_CHORDS_STEP;
    const endQuarter = startQuarter + length;
    if (event.kind === "note") {
      notes.push({
        pitch: event.pitch,
        velocity: seed ? SEED_VELOCITY : MOTIF_NOTE_VELOCITY,
        startQuarter,
        endQuarter,
      });
      return;
    }
    // The seed built chords from bare pitch classes, which music21 places in octave 4.
    const pitches = seed ? event.pitchClasses.map((pc) => 60 + pc) : voiceChord(event.pitchClasses);
    for (const pitch of pitches) {
      notes.push({ pitch, velocity: seed ? SEED_VELOCITY : MOTIF_CHORD_VELOCITY, startQuarter, endQuarter });
    }
  });
  return sortNotes(notes);
}

/** Every token of the language may follow any prefix: the grammar only rejects non-tokens. */
class NotesChordsGrammar implements TokenGrammar {
  push(token: string): void {
    if (!this.allows(token)) throw new Error(`notes-chords grammar: "${token}" is not a notes-chords token`);
  }
  allows(token: string): boolean {
    return isNotesChordsToken(token);
  }
  clone(): TokenGrammar {
    return new NotesChordsGrammar();
  }
}

export const notesChordsTokenizer: Tokenizer = {
  kind: "notes-chords",
  version: NOTES_CHORDS_VERSION,
  encode: encodeNotesChords,
  decode: decodeNotesChords,
  createGrammar: () => new NotesChordsGrammar(),
  isToken: isNotesChordsToken,
  pitchClassesOf: (token) => {
    const pitch = pitchFromName(token);
    return pitch === undefined ? chordPitchClasses(token) : [pitch % 12];
  },
};
