// Byte-level helpers shared by the header, chunk and event readers.

export function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
}

/** Little-endian, as RIFF stores chunk lengths. */
export function u32le(bytes: Uint8Array, at: number): number {
  return ((bytes[at + 3]! << 24) >>> 0) + (bytes[at + 2]! << 16) + (bytes[at + 1]! << 8) + bytes[at]!;
}

export function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) + bytes[at + 1]!;
}

export function hex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, "0")}`;
}

/** "1 track chunk", "2 track chunks": messages read as sentences. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** "a note-on event", "an event". */
export function withArticle(noun: string): string {
  return `${/^[aeiou]/.test(noun) ? "an" : "a"} ${noun}`;
}

export function describeBytes(bytes: Uint8Array, at: number, count: number): string {
  return Array.from(bytes.subarray(at, at + count), hex).join(" ");
}

export function chunkId(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

/** Chunk ids are four printable ASCII characters; anything else means we are not at a chunk. */
export function isChunkId(bytes: Uint8Array, at: number, end: number): boolean {
  if (at + 4 > end) return false;
  for (let i = at; i < at + 4; i++) if (bytes[i]! < 0x20 || bytes[i]! > 0x7e) return false;
  return true;
}

const M = 0x4d;
const T = 0x54;
const R = 0x72;
const K = 0x6b;

export function isTrackIdAt(bytes: Uint8Array, at: number, end: number): boolean {
  return (
    at + 4 <= end && bytes[at] === M && bytes[at + 1] === T && bytes[at + 2] === R && bytes[at + 3] === K
  );
}

/** Position of the next "MTrk" at or after `from` (before `end`), or -1. */
export function findTrackId(bytes: Uint8Array, from: number, end: number): number {
  for (let at = bytes.indexOf(M, from); at >= 0 && at + 4 <= end; at = bytes.indexOf(M, at + 1)) {
    if (isTrackIdAt(bytes, at, end)) return at;
  }
  return -1;
}
