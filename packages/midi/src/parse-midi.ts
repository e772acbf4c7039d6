import { lastIndexAtOrBefore } from "./binary-search.js";
import { MidiParseError } from "./errors.js";
import { pairNotes } from "./note-pairing.js";
import type { RawProgramChange, RawTrack, SmfHeader } from "./raw-smf.js";
import { readSmf } from "./smf-reader.js";
import { TempoMap } from "./tempo-map.js";
import type { Note, NoteSequence, TimeSignature, TrackInfo } from "./types.js";
import type { MidiWarning } from "./warnings.js";

const DRUM_CHANNEL = 9; // channel 10 in 1-based GM numbering

export interface ParseMidiOptions {
  /** Used when the file has no track name in its first track (e.g. the file name). */
  title?: string;
}

/** A sequence and what the reader repaired to read it (empty for a clean file). */
export interface ParsedMidi {
  sequence: NoteSequence;
  warnings: MidiWarning[];
}

/**
 * Reads a Standard MIDI File (format 0, 1 or 2, bare or in a RIFF RMID wrapper) into a plain
 * NoteSequence, repairing what lenient readers repair and listing each repair as a warning.
 * Throws `MidiParseError` (and nothing else) for input with nothing to read: 0 bytes, not MIDI,
 * no track chunk, no note left after a repair that lost bytes, or a cap exceeded.
 *
 * @example
 * const { sequence, warnings } = parseMidiWithWarnings(bytes, { title: "song.mid" });
 * warnings[0]; // { code: "stray-status", byteOffset: 208, track: 0, message: "track 0: skipped real-time byte 0xF8 at byte 208" }
 */
export function parseMidiWithWarnings(bytes: Uint8Array, options: ParseMidiOptions = {}): ParsedMidi {
  const { header, tracks, warnings } = readSmf(bytes);
  return { sequence: toSequence(header, tracks, options), warnings: warnings.list() };
}

/**
 * `parseMidiWithWarnings` for callers that only want the music: the same recovery, the same
 * errors, the warnings left out.
 *
 * @example
 * const seq = parseMidi(new Uint8Array(await file.arrayBuffer()), { title: file.name });
 * seq.notes[0]; // { pitch: 60, velocity: 90, startTime: 0, endTime: 0.5, startQuarter: 0, ... }
 */
export function parseMidi(bytes: Uint8Array, options: ParseMidiOptions = {}): NoteSequence {
  return parseMidiWithWarnings(bytes, options).sequence;
}

function toSequence(header: SmfHeader, tracks: RawTrack[], options: ParseMidiOptions): NoteSequence {
  const { format, ticksPerQuarter, fixedMicrosecondsPerQuarter } = header;
  // Formats 0 and 1 share one timeline (tempo and programs apply to every track); in format 2
  // every track is its own sequence with its own tempo map and programs.
  const timelines = format === 2 ? tracks.map((track) => [track]) : [tracks];
  const timelineOf = (track: RawTrack): number => (format === 2 ? track.index : 0);
  // SMPTE time is absolute: one fixed tempo, whatever tempo events the tracks hold.
  const tempoMaps = timelines.map(
    (members) =>
      new TempoMap(
        fixedMicrosecondsPerQuarter === null
          ? members.flatMap((track) => track.tempos)
          : [{ tick: 0, microsecondsPerQuarter: fixedMicrosecondsPerQuarter }],
        ticksPerQuarter,
      ),
  );
  const programLookups = timelines.map(
    (members) => new ProgramLookup(members.flatMap((track) => track.programChanges)),
  );

  const notes: Note[] = [];
  const trackInfos: TrackInfo[] = [];
  let noteOnCount = 0;
  let endTick = 0;
  let totalTime = 0;
  for (const track of tracks) {
    const tempoMap = tempoMaps[timelineOf(track)]!;
    const programs = programLookups[timelineOf(track)]!;
    for (const event of track.noteEvents) if (event.velocity > 0) noteOnCount++;
    const paired = pairNotes(track.noteEvents, track.endTick);
    for (const note of paired) {
      notes.push({
        pitch: note.pitch,
        velocity: note.velocity,
        startTime: tempoMap.toSeconds(note.startTick),
        endTime: tempoMap.toSeconds(note.endTick),
        startQuarter: note.startTick / ticksPerQuarter,
        endQuarter: note.endTick / ticksPerQuarter,
        startTick: note.startTick,
        endTick: note.endTick,
        track: track.index,
        channel: note.channel,
        program: programs.at(note.channel, note.startTick),
        isDrum: note.channel === DRUM_CHANNEL,
      });
    }
    trackInfos.push({ index: track.index, name: track.name, noteCount: paired.length });
    let trackEnd = track.endTick;
    for (const note of paired) trackEnd = Math.max(trackEnd, note.endTick);
    endTick = Math.max(endTick, trackEnd);
    totalTime = Math.max(totalTime, tempoMap.toSeconds(trackEnd));
  }
  notes.sort(compareNotes);

  return {
    format,
    ticksPerQuarter,
    // An empty track name (some writers always emit one) counts as no name.
    title: tracks[0]?.name || options.title || null,
    tracks: trackInfos,
    notes,
    tempos: tempoMaps[0]!.changes,
    timeSignatures: collectTimeSignatures(tracks, ticksPerQuarter),
    texts: tracks.flatMap((track) => track.texts),
    noteOnCount,
    totalTime,
    totalQuarters: endTick / ticksPerQuarter,
  };
}

/**
 * Like `parseMidiWithWarnings`, but answers with a result instead of throwing.
 *
 * @example
 * const result = tryParseMidi(bytes);
 * if (result.ok) for (const warning of result.warnings) console.log(warning.message);
 * else console.log(result.error.code, result.error.message);
 */
export function tryParseMidi(
  bytes: Uint8Array,
  options: ParseMidiOptions = {},
): ({ ok: true } & ParsedMidi) | { ok: false; error: MidiParseError } {
  try {
    return { ok: true, ...parseMidiWithWarnings(bytes, options) };
  } catch (error) {
    if (error instanceof MidiParseError) return { ok: false, error };
    throw error;
  }
}

function compareNotes(a: Note, b: Note): number {
  return (
    a.startTick - b.startTick ||
    a.pitch - b.pitch ||
    a.track - b.track ||
    a.channel - b.channel ||
    a.endTick - b.endTick
  );
}

function collectTimeSignatures(tracks: RawTrack[], ticksPerQuarter: number): TimeSignature[] {
  return tracks
    .flatMap((track) => track.timeSignatures)
    .sort((a, b) => a.tick - b.tick)
    .map((signature) => ({ ...signature, quarter: signature.tick / ticksPerQuarter }));
}

/** The GM program active on a channel at a tick (0 before any program change). */
class ProgramLookup {
  private readonly byChannel = new Map<number, { ticks: number[]; programs: number[] }>();

  constructor(changes: RawProgramChange[]) {
    // Stable sort: of two changes on one tick, the later one in file order wins.
    for (const change of [...changes].sort((a, b) => a.tick - b.tick)) {
      let lists = this.byChannel.get(change.channel);
      if (!lists) this.byChannel.set(change.channel, (lists = { ticks: [], programs: [] }));
      lists.ticks.push(change.tick);
      lists.programs.push(change.program);
    }
  }

  at(channel: number, tick: number): number {
    const lists = this.byChannel.get(channel);
    if (!lists) return 0;
    const i = lastIndexAtOrBefore(lists.ticks, tick);
    return i < 0 ? 0 : lists.programs[i]!;
  }
}
