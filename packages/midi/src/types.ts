/**
 * Plain, JSON-serialisable music data shared by every Motif package.
 * Times are given both in seconds (for playback) and in quarter notes (for tokenizing, tempo-free).
 */

/** One sounding note. `end*` is always greater than `start*`. */
export interface Note {
  /** MIDI pitch 0..127 (60 = C4). */
  pitch: number;
  /** MIDI velocity 1..127. */
  velocity: number;
  startTime: number;
  endTime: number;
  startQuarter: number;
  endQuarter: number;
  startTick: number;
  endTick: number;
  /** Index of the track chunk the note came from (0-based). */
  track: number;
  /** MIDI channel 0..15. */
  channel: number;
  /** GM program 0..127 active on that channel when the note started. */
  program: number;
  /** True for channel 10 (index 9) percussion. */
  isDrum: boolean;
}

export interface TempoChange {
  tick: number;
  quarter: number;
  time: number;
  /** Quarter notes per minute. */
  bpm: number;
}

export interface TimeSignature {
  tick: number;
  quarter: number;
  numerator: number;
  denominator: number;
}

export interface TrackInfo {
  index: number;
  name: string | null;
  noteCount: number;
}

/** What `parseMidi` returns. Notes are sorted by start tick, then pitch. */
export interface NoteSequence {
  format: 0 | 1 | 2;
  ticksPerQuarter: number;
  /** The first track-name (or sequence-name) meta event of the first track, if any. */
  title: string | null;
  tracks: TrackInfo[];
  notes: Note[];
  /** Always starts with an entry at tick 0 (120 bpm when the file declares none). */
  tempos: TempoChange[];
  timeSignatures: TimeSignature[];
  /** Text meta events (type 0x01) in file order. */
  texts: string[];
  /** Count of note-on events with velocity > 0 (every track, drums included). */
  noteOnCount: number;
  totalTime: number;
  totalQuarters: number;
}

/** A note as a writer or a tokenizer needs it: times in quarter notes only. */
export interface QuarterNote {
  pitch: number;
  velocity: number;
  startQuarter: number;
  endQuarter: number;
}

/** What `writeMidi` takes. Tempo-free times; the tempo map turns them into seconds. */
export interface PieceSpec {
  notes: QuarterNote[];
  /** Tempo changes in quarter notes; defaults to one entry of 120 bpm at 0. */
  tempos?: { quarter: number; bpm: number }[];
  title?: string;
  /** Written as text meta events (type 0x01), in order. */
  texts?: string[];
  /** GM program for the piano track; default 0 (Acoustic Grand Piano). */
  program?: number;
  /** Resolution of the written file; default 480. */
  ticksPerQuarter?: number;
}
