// A compact binary of a corpus's notes, so a bundle can carry its training songs for provenance
// (which passage a piece copied, played back from the source) without the data folder.
// Layout: "MREF", version 1, varint song count; per song: varint name length, UTF-8 name, varint
// note count, then per note (sorted by onset, pitch) varint onset delta and varint duration in
// 1/96 beats, pitch byte, velocity byte. About 4 bytes a note; apps may gzip it.
import type { QuarterNote } from "@motif/midi";
import { utf8Decode, utf8Encode } from "../primitives/bytes.js";
import type { NamedNotes } from "../evaluation/music-report.js";

/** Time grid of the format: onsets and durations are rounded to 1/96 beat (a 64th-note triplet is 4). */
export const REFERENCE_TICKS_PER_QUARTER = 96;
const MAGIC = [0x4d, 0x52, 0x45, 0x46]; // "MREF"
const VERSION = 1;

class ByteWriter {
  private buffer = new Uint8Array(1 << 16);
  length = 0;
  private ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + extra));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
  byte(value: number): void {
    this.ensure(1);
    this.buffer[this.length++] = value;
  }
  varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.byte((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.byte(rest);
  }
  bytes(values: Uint8Array): void {
    this.ensure(values.length);
    this.buffer.set(values, this.length);
    this.length += values.length;
  }
  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

class ByteReader {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.at >= this.bytes.length) throw new RangeError(`reference notes end early at byte ${this.at}`);
    return this.bytes[this.at++]!;
  }
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 0x80;
    }
    throw new RangeError(`reference notes: a number at byte ${this.at} is longer than 8 bytes`);
  }
  slice(length: number): Uint8Array {
    if (this.at + length > this.bytes.length)
      throw new RangeError(`reference notes end early at byte ${this.at}`);
    const out = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }
  get done(): boolean {
    return this.at === this.bytes.length;
  }
}

const toTicks = (quarter: number): number => Math.max(0, Math.round(quarter * REFERENCE_TICKS_PER_QUARTER));

/** Encodes songs (notes in any order, onsets ≥ 0) on the 1/96-beat grid; durations keep at least one tick. */
export function encodeReferenceNotes(songs: readonly NamedNotes[]): Uint8Array {
  const writer = new ByteWriter();
  MAGIC.forEach((b) => writer.byte(b));
  writer.byte(VERSION);
  writer.varint(songs.length);
  for (const song of songs) {
    const name = utf8Encode(song.name);
    writer.varint(name.length);
    writer.bytes(name);
    const notes = song.notes
      .map((n) => ({
        start: toTicks(n.startQuarter),
        length: Math.max(1, toTicks(n.endQuarter) - toTicks(n.startQuarter)),
        pitch: n.pitch,
        velocity: n.velocity,
      }))
      .sort((a, b) => a.start - b.start || a.pitch - b.pitch);
    writer.varint(notes.length);
    let previous = 0;
    for (const note of notes) {
      if (!(note.pitch >= 0 && note.pitch <= 127 && note.velocity >= 0 && note.velocity <= 127)) {
        throw new RangeError(`${song.name}: pitch ${note.pitch} / velocity ${note.velocity} outside 0..127`);
      }
      writer.varint(note.start - previous);
      writer.varint(note.length);
      writer.byte(note.pitch);
      writer.byte(note.velocity);
      previous = note.start;
    }
  }
  return writer.result();
}

/** Decodes `encodeReferenceNotes` output; a wrong header or truncated data throws a RangeError saying where. */
export function decodeReferenceNotes(bytes: Uint8Array): NamedNotes[] {
  const reader = new ByteReader(bytes);
  const magic = Array.from({ length: 4 }, () => reader.byte());
  if (magic.some((b, i) => b !== MAGIC[i]))
    throw new RangeError("not a reference-notes file (no MREF header)");
  const version = reader.byte();
  if (version !== VERSION)
    throw new RangeError(`reference-notes version ${version} is not supported (this Motif reads ${VERSION})`);
  const songCount = reader.varint();
  const songs: NamedNotes[] = [];
  for (let s = 0; s < songCount; s++) {
    const name = utf8Decode(reader.slice(reader.varint()));
    const count = reader.varint();
    const notes: QuarterNote[] = new Array(count);
    let start = 0;
    for (let i = 0; i < count; i++) {
      start += reader.varint();
      const length = reader.varint();
      const pitch = reader.byte();
      const velocity = reader.byte();
      notes[i] = {
        pitch,
        velocity,
        startQuarter: start / REFERENCE_TICKS_PER_QUARTER,
        endQuarter: (start + length) / REFERENCE_TICKS_PER_QUARTER,
      };
    }
    songs.push({ name, notes });
  }
  if (!reader.done)
    throw new RangeError(`reference notes have ${bytes.length - reader.at} bytes after the last song`);
  return songs;
}

/** The `count` notes of a song from the first one starting at `startQuarter` (a copied passage, for playback). */
export function passageNotes(
  notes: readonly QuarterNote[],
  startQuarter: number,
  count: number,
): QuarterNote[] {
  const sorted = [...notes].sort((a, b) => a.startQuarter - b.startQuarter || a.pitch - b.pitch);
  const first = sorted.findIndex((n) => n.startQuarter >= startQuarter - 1e-9);
  return first < 0 ? [] : sorted.slice(first, first + count);
}

// CompressionStream/DecompressionStream are web standards (every browser, Node ≥ 18); core's
// tsconfig has no DOM or Node types, so declare just what we use.
interface ByteStream {
  readable: unknown;
  writable: unknown;
}
declare const CompressionStream: { new (format: "gzip"): ByteStream };
declare const DecompressionStream: { new (format: "gzip"): ByteStream };
declare const Blob: { new (parts: Uint8Array[]): { stream(): { pipeThrough(stream: ByteStream): unknown } } };
declare const Response: { new (body: unknown): { arrayBuffer(): Promise<ArrayBuffer> } };

async function pipeBytes(bytes: Uint8Array, stream: ByteStream): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer());
}

/** `encodeReferenceNotes`, gzipped: the bundle's reference-notes file. */
export async function packReferenceNotes(songs: readonly NamedNotes[]): Promise<Uint8Array> {
  return pipeBytes(encodeReferenceNotes(songs), new CompressionStream("gzip"));
}

/** Reads a bundle's reference-notes file back; damaged bytes throw a RangeError. */
export async function unpackReferenceNotes(bytes: Uint8Array): Promise<NamedNotes[]> {
  let raw: Uint8Array;
  try {
    raw = await pipeBytes(bytes, new DecompressionStream("gzip"));
  } catch (error) {
    throw new RangeError(`reference notes are not valid gzip (${(error as Error).message})`, {
      cause: error,
    });
  }
  return decodeReferenceNotes(raw);
}
