// What the SMF reader hands to parseMidi: raw events per track chunk, ticks not yet timed.

export interface SmfHeader {
  format: 0 | 1 | 2;
  declaredTracks: number;
  ticksPerQuarter: number;
  /** Set for SMPTE time division: one fixed tempo, and the file's tempo events do not apply. */
  fixedMicrosecondsPerQuarter: number | null;
}

/** Note-on (velocity > 0) or note-off (0x80, or note-on with velocity 0 → `velocity` 0). */
export interface RawNoteEvent {
  tick: number;
  channel: number;
  pitch: number;
  velocity: number;
}

export interface RawProgramChange {
  tick: number;
  channel: number;
  program: number;
}

export interface RawTempo {
  tick: number;
  microsecondsPerQuarter: number;
}

export interface RawTimeSignature {
  tick: number;
  numerator: number;
  denominator: number;
}

export interface RawTrack {
  index: number;
  /** First track-name (0x03) meta event. */
  name: string | null;
  noteEvents: RawNoteEvent[];
  programChanges: RawProgramChange[];
  tempos: RawTempo[];
  timeSignatures: RawTimeSignature[];
  texts: string[];
  /** Tick of the end-of-track event (or of the last event read when it is missing). */
  endTick: number;
}

export interface SmfFile {
  header: SmfHeader;
  tracks: RawTrack[];
}
