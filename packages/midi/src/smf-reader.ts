// A small, strict Standard MIDI File reader: a chunk walker and an event parser. It only collects
// what Motif needs (notes, programs, tempo, time signatures, names, text) and turns every defect
// into a MidiParseError with a code, the byte offset and the track chunk index.
import { MidiParseError } from "./errors.js";
import { decodeText } from "./text-codec.js";

/** Inputs above this are refused before any work ("too-large"). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;
/** Events above this (all tracks together) are refused ("too-large"): bounds time and memory. */
export const MAX_EVENTS = 2_000_000;

export interface SmfHeader {
  format: 0 | 1 | 2;
  declaredTracks: number;
  ticksPerQuarter: number;
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
  /** Byte range of the chunk's data. */
  dataStart: number;
  dataEnd: number;
  /** First track-name (0x03) meta event. */
  name: string | null;
  noteEvents: RawNoteEvent[];
  programChanges: RawProgramChange[];
  tempos: RawTempo[];
  timeSignatures: RawTimeSignature[];
  texts: string[];
  /** Tick of the end-of-track event (or of the last event when it is missing). */
  endTick: number;
}

export interface SmfFile {
  header: SmfHeader;
  tracks: RawTrack[];
}

const CHUNK_HEADER_BYTES = 8;
const MAX_VLQ_BYTES = 4;

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) + bytes[at + 1]!;
}

function hex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, "0")}`;
}

function describeBytes(bytes: Uint8Array, at: number, count: number): string {
  return Array.from(bytes.subarray(at, at + count), hex).join(" ");
}

function chunkId(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

/** Chunk ids are four printable ASCII characters; anything else means we are not at a chunk. */
function isChunkId(bytes: Uint8Array, at: number): boolean {
  for (let i = at; i < at + 4; i++) if (bytes[i]! < 0x20 || bytes[i]! > 0x7e) return false;
  return true;
}

/** Checks size, magic and the header chunk. */
export function readHeader(bytes: Uint8Array): { header: SmfHeader; end: number } {
  if (bytes.length === 0) throw new MidiParseError("empty", "file is empty (0 bytes)", { byteOffset: 0 });
  if (bytes.length > MAX_INPUT_BYTES) {
    throw new MidiParseError("too-large", `file is ${bytes.length} bytes; the limit is ${MAX_INPUT_BYTES} bytes (64 MiB)`, { byteOffset: 0 });
  }
  if (bytes.length < 4 || chunkId(bytes, 0) !== "MThd") {
    throw new MidiParseError("not-midi", `not a Standard MIDI File: expected "MThd" at byte 0, found ${describeBytes(bytes, 0, 4)}`, {
      byteOffset: 0,
    });
  }
  if (bytes.length < 14) {
    throw new MidiParseError("truncated", `header chunk is cut off: file ends at byte ${bytes.length}, a header needs 14 bytes`, {
      byteOffset: bytes.length,
    });
  }
  const length = u32(bytes, 4);
  if (length < 6) throw new MidiParseError("bad-header", `header chunk length ${length} is below the minimum of 6`, { byteOffset: 4 });
  if (CHUNK_HEADER_BYTES + length > bytes.length) {
    throw new MidiParseError("truncated", `header chunk length ${length} runs past end of file at byte ${bytes.length}`, { byteOffset: 4 });
  }
  const format = u16(bytes, 8);
  if (format > 2) throw new MidiParseError("bad-header", `format ${format} is not 0, 1 or 2`, { byteOffset: 8 });
  const declaredTracks = u16(bytes, 10);
  if (declaredTracks === 0) throw new MidiParseError("bad-header", "header declares 0 tracks", { byteOffset: 10 });
  if (format === 0 && declaredTracks !== 1) {
    throw new MidiParseError("bad-header", `format 0 must have exactly 1 track, header declares ${declaredTracks}`, { byteOffset: 10 });
  }
  const division = u16(bytes, 12);
  if (division & 0x8000) {
    throw new MidiParseError("bad-header", `SMPTE time division (${hex(division >> 8)} ${hex(division & 0xff)}) is not supported, only ticks per quarter note`, {
      byteOffset: 12,
    });
  }
  if (division === 0) throw new MidiParseError("bad-header", "ticks per quarter note is 0", { byteOffset: 12 });
  return { header: { format: format as 0 | 1 | 2, declaredTracks, ticksPerQuarter: division }, end: CHUNK_HEADER_BYTES + length };
}

/**
 * Walks the chunks after the header and returns the data ranges of the declared number of MTrk
 * chunks. Unknown chunk types are skipped (as the SMF spec asks); bytes after the last declared
 * track are ignored. Only chunk headers are read, so a header declaring 65,535 tracks fails after
 * counting the chunks actually present, before any event is parsed.
 */
export function walkTrackChunks(bytes: Uint8Array, header: SmfHeader, start: number): { dataStart: number; dataEnd: number }[] {
  const chunks: { dataStart: number; dataEnd: number }[] = [];
  let at = start;
  while (chunks.length < header.declaredTracks) {
    const track = chunks.length;
    if (at >= bytes.length) {
      throw new MidiParseError(
        "too-many-tracks",
        `header declares ${header.declaredTracks} tracks but the file holds only ${chunks.length} track chunks (file ends at byte ${bytes.length})`,
        { byteOffset: at },
      );
    }
    if (at + CHUNK_HEADER_BYTES > bytes.length) {
      throw new MidiParseError("truncated", `chunk header at byte ${at} is cut off by end of file at byte ${bytes.length}`, { byteOffset: at, track });
    }
    if (!isChunkId(bytes, at)) {
      throw new MidiParseError("bad-chunk", `expected a chunk at byte ${at}, found ${describeBytes(bytes, at, 4)}`, { byteOffset: at, track });
    }
    const id = chunkId(bytes, at);
    const length = u32(bytes, at + 4);
    const dataStart = at + CHUNK_HEADER_BYTES;
    const dataEnd = dataStart + length;
    if (dataEnd > bytes.length) {
      const detail = `chunk length ${length} runs past end of file at byte ${bytes.length}`;
      if (id !== "MTrk") throw new MidiParseError("truncated", `"${id}" ${detail}`, { byteOffset: at + 4 });
      throw new MidiParseError("truncated", detail, { byteOffset: at + 4, track });
    }
    if (id === "MTrk") chunks.push({ dataStart, dataEnd });
    at = dataEnd;
  }
  return chunks;
}

/** Shared across tracks so the event limit applies to the whole file. */
interface EventBudget {
  used: number;
}

class TrackCursor {
  at: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly track: number,
    start: number,
    readonly end: number,
  ) {
    this.at = start;
  }

  fail(code: "bad-event" | "bad-chunk", detail: string, byteOffset: number = this.at): never {
    throw new MidiParseError(code, detail, { byteOffset, track: this.track });
  }

  /** Throws unless `count` more bytes exist inside this chunk. */
  need(count: number, what: string, eventStart: number): void {
    if (this.at + count > this.end) {
      this.fail("bad-chunk", `${what} at byte ${eventStart} runs past the end of its chunk at byte ${this.end}`, eventStart);
    }
  }

  byte(what: string, eventStart: number): number {
    this.need(1, what, eventStart);
    return this.bytes[this.at++]!;
  }

  dataByte(what: string, eventStart: number): number {
    const value = this.byte(what, eventStart);
    if (value >= 0x80) this.fail("bad-event", `${what} at byte ${eventStart}: data byte ${hex(value)} at byte ${this.at - 1} is not below 0x80`, this.at - 1);
    return value;
  }

  /** Variable-length quantity: at most 4 bytes (28 bits), as the spec allows. */
  vlq(what: string, eventStart: number): number {
    const start = this.at;
    let value = 0;
    for (let i = 0; i < MAX_VLQ_BYTES; i++) {
      const next = this.byte(what, eventStart);
      value = value * 128 + (next & 0x7f);
      if ((next & 0x80) === 0) return value;
    }
    return this.fail("bad-event", `${what}: variable-length quantity at byte ${start} is longer than ${MAX_VLQ_BYTES} bytes`, start);
  }
}

/** Indexed by the status byte's high nibble (0x8..0xE). */
const CHANNEL_EVENT_NAMES: Record<number, string> = {
  0x8: "note-off event",
  0x9: "note-on event",
  0xa: "key pressure event",
  0xb: "control change event",
  0xc: "program change event",
  0xd: "channel pressure event",
  0xe: "pitch bend event",
};

/**
 * Parses the events of one MTrk chunk. Running status continues across meta and sysex events
 * (many writers rely on it, and a data byte there has no other meaning). Bytes after the
 * end-of-track event are ignored; a chunk that stops between events without one ends at its last
 * event.
 */
function parseTrack(bytes: Uint8Array, index: number, dataStart: number, dataEnd: number, budget: EventBudget): RawTrack {
  const cursor = new TrackCursor(bytes, index, dataStart, dataEnd);
  const track: RawTrack = {
    index,
    dataStart,
    dataEnd,
    name: null,
    noteEvents: [],
    programChanges: [],
    tempos: [],
    timeSignatures: [],
    texts: [],
    endTick: 0,
  };
  let tick = 0;
  let runningStatus = -1;
  while (cursor.at < dataEnd) {
    const eventStart = cursor.at;
    if (++budget.used > MAX_EVENTS) {
      throw new MidiParseError("too-large", `more than ${MAX_EVENTS} events; refusing to read further`, { byteOffset: eventStart, track: index });
    }
    tick += cursor.vlq("delta time", eventStart);
    cursor.need(1, "event", eventStart);
    let status = bytes[cursor.at]!;
    if (status >= 0x80) {
      cursor.at++;
    } else if (runningStatus < 0) {
      cursor.fail("bad-event", `data byte ${hex(status)} at byte ${cursor.at} with no running status to continue`);
    } else {
      status = runningStatus;
    }

    if (status < 0xf0) {
      runningStatus = status;
      const kind = status >> 4;
      const channel = status & 0x0f;
      const what = CHANNEL_EVENT_NAMES[kind]!;
      const first = cursor.dataByte(what, eventStart);
      const second = kind === 0xc || kind === 0xd ? 0 : cursor.dataByte(what, eventStart);
      if (kind === 0x9 || kind === 0x8) {
        track.noteEvents.push({ tick, channel, pitch: first, velocity: kind === 0x9 ? second : 0 });
      } else if (kind === 0xc) {
        track.programChanges.push({ tick, channel, program: first });
      }
    } else if (status === 0xff) {
      const type = cursor.dataByte("meta event type", eventStart);
      const length = cursor.vlq("meta event length", eventStart);
      cursor.need(length, `meta event ${hex(type)} of length ${length}`, eventStart);
      const data = bytes.subarray(cursor.at, cursor.at + length);
      cursor.at += length;
      if (type === 0x2f) {
        track.endTick = tick;
        return track;
      }
      readMeta(cursor, track, type, data, tick, eventStart);
    } else if (status === 0xf0 || status === 0xf7) {
      const length = cursor.vlq("sysex length", eventStart);
      cursor.need(length, `sysex event of length ${length}`, eventStart);
      cursor.at += length;
    } else {
      // Running status is always a channel status, so this byte was read explicitly just now.
      const statusAt = cursor.at - 1;
      cursor.fail("bad-event", `illegal status byte ${hex(status)} at byte ${statusAt} (only channel, sysex and meta events belong in a file)`, statusAt);
    }
    track.endTick = tick;
  }
  return track;
}

function readMeta(cursor: TrackCursor, track: RawTrack, type: number, data: Uint8Array, tick: number, eventStart: number): void {
  switch (type) {
    case 0x01:
      track.texts.push(decodeText(data));
      return;
    case 0x03:
      track.name ??= decodeText(data).replace(/\0+$/, "");
      return;
    case 0x51: {
      if (data.length !== 3) cursor.fail("bad-event", `tempo meta event at byte ${eventStart} has length ${data.length}, expected 3`, eventStart);
      const microsecondsPerQuarter = (data[0]! << 16) + (data[1]! << 8) + data[2]!;
      if (microsecondsPerQuarter === 0) cursor.fail("bad-event", `tempo meta event at byte ${eventStart} sets 0 microseconds per quarter note`, eventStart);
      track.tempos.push({ tick, microsecondsPerQuarter });
      return;
    }
    case 0x58: {
      if (data.length < 2) cursor.fail("bad-event", `time signature meta event at byte ${eventStart} has length ${data.length}, expected 4`, eventStart);
      const numerator = data[0]!;
      const denominatorPower = data[1]!;
      if (numerator === 0 || denominatorPower > 7) {
        cursor.fail("bad-event", `time signature meta event at byte ${eventStart} is ${numerator}/2^${denominatorPower}`, eventStart);
      }
      track.timeSignatures.push({ tick, numerator, denominator: 2 ** denominatorPower });
      return;
    }
    default:
      return;
  }
}

/** Header, chunk walk, then every declared track's events. Throws MidiParseError only. */
export function readSmf(bytes: Uint8Array): SmfFile {
  const { header, end } = readHeader(bytes);
  const chunks = walkTrackChunks(bytes, header, end);
  const budget: EventBudget = { used: 0 };
  const tracks = chunks.map((chunk, index) => parseTrack(bytes, index, chunk.dataStart, chunk.dataEnd, budget));
  return { header, tracks };
}
