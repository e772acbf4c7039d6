// The writer is our own rather than @tonejs/midi's: its encoder (midi-file 1.x) writes a text meta
// event as one byte per UTF-16 code unit (`writeString` pushes `codePointAt` into a byte array), so
// any text outside Latin-1 — a title, a JSON generation recipe — comes back mangled; it also always
// emits an empty track name and truncates tempos with Math.floor. Writing an SMF is short, and
// owning it lets us fix the order of events that share a tick, which makes output deterministic.
import { concatBytes } from "./concat-bytes.js";
import { encodeUtf8 } from "./text-codec.js";
import type { PieceSpec, QuarterNote } from "./types.js";

const DEFAULT_TICKS_PER_QUARTER = 480;
const DEFAULT_BPM = 120;
const MAX_TICK = 0x0fffffff; // the largest delta a 4-byte variable-length quantity holds
const MAX_MICROSECONDS_PER_QUARTER = 0xffffff;
/** Channels for overlapping notes of one pitch: 1..16 in order, skipping 10 (GM drums). */
const VOICE_CHANNELS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15];

interface TimedEvent {
  tick: number;
  /** Orders events of one tick: meta (0) before program (1) before note-offs (2) before note-ons (3). */
  rank: number;
  /** Tie-break within a rank, so the same piece always gives the same bytes. */
  order: number[];
  bytes: number[];
}

/**
 * Writes a piece as a format 1 Standard MIDI File: track 0 carries the title (track name), the
 * text meta events (type 0x01, in order, at tick 0) and the tempo map; track 1 carries the GM
 * program and the notes on channel 1. Same input → identical bytes.
 *
 * Overlapping notes of one pitch (doublings merged from several tracks) go to the next free
 * channel (2, 3, ... skipping drum channel 10) with the same program: on one channel MIDI cannot
 * say which note-off ends which of two nested notes, so the round trip would swap their ends.
 * Throws RangeError naming the offending field for input that cannot be written.
 *
 * @example
 * const bytes = writeMidi({ title: "Motif #1", texts: ['{"seed":7}'], tempos: [{ quarter: 0, bpm: 96 }],
 *   notes: [{ pitch: 60, velocity: 90, startQuarter: 0, endQuarter: 1 }] });
 */
export function writeMidi(piece: PieceSpec): Uint8Array {
  const ticksPerQuarter = piece.ticksPerQuarter ?? DEFAULT_TICKS_PER_QUARTER;
  if (!Number.isInteger(ticksPerQuarter) || ticksPerQuarter < 1 || ticksPerQuarter > 0x7fff) {
    throw new RangeError(`writeMidi: ticksPerQuarter ${ticksPerQuarter} must be an integer 1..32767`);
  }
  const program = piece.program ?? 0;
  if (!isIntegerIn(program, 0, 127))
    throw new RangeError(`writeMidi: program ${program} must be an integer 0..127`);
  const toTick = (quarter: number, what: string): number => {
    const tick = Math.round(quarter * ticksPerQuarter);
    if (!Number.isFinite(quarter) || quarter < 0 || tick > MAX_TICK) {
      throw new RangeError(
        `writeMidi: ${what} ${quarter} must be a finite quarter position 0..${MAX_TICK / ticksPerQuarter}`,
      );
    }
    return tick;
  };

  const conductor: TimedEvent[] = [];
  if (piece.title) conductor.push(metaEvent(0, 0x03, encodeUtf8(piece.title), 0));
  (piece.texts ?? []).forEach((text, i) => conductor.push(metaEvent(0, 0x01, encodeUtf8(text), 1 + i)));
  const tempos = piece.tempos ?? [{ quarter: 0, bpm: DEFAULT_BPM }];
  tempos.forEach((tempo, i) => {
    if (!Number.isFinite(tempo.bpm) || tempo.bpm <= 0)
      throw new RangeError(`writeMidi: tempos[${i}].bpm ${tempo.bpm} must be a positive number`);
    const microseconds = Math.round(60e6 / tempo.bpm);
    if (microseconds < 1 || microseconds > MAX_MICROSECONDS_PER_QUARTER) {
      throw new RangeError(
        `writeMidi: tempos[${i}].bpm ${tempo.bpm} is outside what MIDI can store (about 3.58..60,000,000 bpm)`,
      );
    }
    const tick = toTick(tempo.quarter, `tempos[${i}].quarter`);
    // Stable sort by tick keeps the given order for equal ticks; the reader keeps the last one.
    conductor.push(
      metaEvent(
        tick,
        0x51,
        [microseconds >> 16, (microseconds >> 8) & 0xff, microseconds & 0xff],
        1 + (piece.texts?.length ?? 0) + i,
      ),
    );
  });

  const ticked = piece.notes.map((note, i) => tickNote(note, i, toTick)).sort(compareTickedNotes);
  const channels = assignChannels(ticked);
  const piano: TimedEvent[] = [...new Set(channels)]
    .sort((a, b) => a - b)
    .map((channel) => ({ tick: 0, rank: 1, order: [channel], bytes: [0xc0 | channel, program] }));
  ticked.forEach((note, i) => piano.push(...noteEvents(note, channels[i]!)));
  if (piano.length === 0) piano.push({ tick: 0, rank: 1, order: [0], bytes: [0xc0, program] });

  return concatBytes(headerChunk(ticksPerQuarter), trackChunk(conductor), trackChunk(piano));
}

function isIntegerIn(value: number, low: number, high: number): boolean {
  return Number.isInteger(value) && value >= low && value <= high;
}

function metaEvent(tick: number, type: number, data: number[], order: number): TimedEvent {
  return { tick, rank: 0, order: [order], bytes: [0xff, type, ...vlq(data.length), ...data] };
}

interface TickedNote {
  pitch: number;
  velocity: number;
  startTick: number;
  endTick: number;
}

function tickNote(
  note: QuarterNote,
  i: number,
  toTick: (quarter: number, what: string) => number,
): TickedNote {
  if (!isIntegerIn(note.pitch, 0, 127))
    throw new RangeError(`writeMidi: notes[${i}].pitch ${note.pitch} must be an integer 0..127`);
  if (!isIntegerIn(note.velocity, 1, 127))
    throw new RangeError(`writeMidi: notes[${i}].velocity ${note.velocity} must be an integer 1..127`);
  const startTick = toTick(note.startQuarter, `notes[${i}].startQuarter`);
  const end = toTick(note.endQuarter, `notes[${i}].endQuarter`);
  if (!(note.endQuarter > note.startQuarter)) {
    throw new RangeError(
      `writeMidi: notes[${i}] ends at ${note.endQuarter}, not after its start ${note.startQuarter}`,
    );
  }
  // A note shorter than a tick still lasts one tick, so it survives the round trip.
  return { pitch: note.pitch, velocity: note.velocity, startTick, endTick: Math.max(end, startTick + 1) };
}

function compareTickedNotes(a: TickedNote, b: TickedNote): number {
  return a.startTick - b.startTick || a.pitch - b.pitch || a.endTick - b.endTick || a.velocity - b.velocity;
}

/**
 * Per pitch, each note takes the first channel on which that pitch is silent at its start, so no
 * two notes of one pitch overlap on one channel. With more than 15 overlapping notes of one pitch
 * the rest share the channel that frees up first (reading pairs those first-in-first-out).
 */
function assignChannels(sortedNotes: TickedNote[]): number[] {
  const soundingUntil = new Map<number, number[]>(); // pitch → end tick per voice channel
  return sortedNotes.map((note) => {
    let ends = soundingUntil.get(note.pitch);
    if (!ends) soundingUntil.set(note.pitch, (ends = VOICE_CHANNELS.map(() => 0)));
    let voice = ends.findIndex((end) => end <= note.startTick);
    if (voice < 0) voice = ends.indexOf(Math.min(...ends));
    ends[voice] = Math.max(ends[voice]!, note.endTick);
    return VOICE_CHANNELS[voice]!;
  });
}

function noteEvents(note: TickedNote, channel: number): TimedEvent[] {
  const on = 0x90 | channel;
  return [
    // Note-ons of one pitch at one tick are ordered by end, so first-in-first-out pairing on
    // reading gives each its own end back even when they share a channel.
    {
      tick: note.startTick,
      rank: 3,
      order: [channel, note.pitch, note.endTick, note.velocity],
      bytes: [on, note.pitch, note.velocity],
    },
    // Note-offs as note-on velocity 0: runs of note events share one status byte (running status).
    { tick: note.endTick, rank: 2, order: [channel, note.pitch], bytes: [on, note.pitch, 0] },
  ];
}

function compareEvents(a: TimedEvent, b: TimedEvent): number {
  if (a.tick !== b.tick) return a.tick - b.tick;
  if (a.rank !== b.rank) return a.rank - b.rank;
  for (let k = 0; k < Math.min(a.order.length, b.order.length); k++) {
    if (a.order[k] !== b.order[k]) return a.order[k]! - b.order[k]!;
  }
  return 0;
}

function vlq(value: number): number[] {
  const out = [value & 0x7f];
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128))
    out.unshift(0x80 | (rest & 0x7f));
  return out;
}

function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

function headerChunk(ticksPerQuarter: number): number[] {
  const format = 1;
  const tracks = 2;
  return [
    0x4d,
    0x54,
    0x68,
    0x64,
    ...u32(6),
    0,
    format,
    0,
    tracks,
    ticksPerQuarter >> 8,
    ticksPerQuarter & 0xff,
  ];
}

function trackChunk(events: TimedEvent[]): number[] {
  const sorted = [...events].sort(compareEvents);
  const data: number[] = [];
  let lastTick = 0;
  let runningStatus = -1;
  for (const event of sorted) {
    data.push(...vlq(event.tick - lastTick));
    lastTick = event.tick;
    const status = event.bytes[0]!;
    const isChannelMessage = status < 0xf0;
    const body = isChannelMessage && status === runningStatus ? event.bytes.slice(1) : event.bytes;
    for (const byte of body) data.push(byte);
    runningStatus = isChannelMessage ? status : -1;
  }
  data.push(0, 0xff, 0x2f, 0);
  return [0x4d, 0x54, 0x72, 0x6b, ...u32(data.length), ...data];
}
