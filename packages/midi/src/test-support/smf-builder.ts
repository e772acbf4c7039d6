// Builds Standard MIDI File bytes by hand, so tests can make exactly the byte patterns they need
// (running status, odd chunk lengths, broken headers) without depending on the writer under test.

export function vlq(value: number): number[] {
  const out = [value & 0x7f];
  for (let rest = value >>> 7; rest > 0; rest >>>= 7) out.unshift(0x80 | (rest & 0x7f));
  return out;
}

export function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

export function chunk(id: string, data: number[], declaredLength = data.length): number[] {
  return [...Array.from(id, (c) => c.charCodeAt(0)), ...u32(declaredLength), ...data];
}

export function headerChunk(format: number, tracks: number, division: number): number[] {
  return chunk("MThd", [
    format >> 8,
    format & 0xff,
    tracks >> 8,
    tracks & 0xff,
    division >> 8,
    division & 0xff,
  ]);
}

/** An MTrk chunk holding raw event bytes (delta times included); add END_OF_TRACK yourself. */
export function trackChunk(events: number[], declaredLength?: number): number[] {
  return chunk("MTrk", events, declaredLength);
}

export const END_OF_TRACK = [0, 0xff, 0x2f, 0];

export function tempoEvent(delta: number, bpm: number): number[] {
  const micros = Math.round(60e6 / bpm);
  return [...vlq(delta), 0xff, 0x51, 3, micros >> 16, (micros >> 8) & 0xff, micros & 0xff];
}

export function textEvent(delta: number, type: number, text: string): number[] {
  const bytes = Array.from(text, (c) => c.charCodeAt(0));
  return [...vlq(delta), 0xff, type, ...vlq(bytes.length), ...bytes];
}

/** A channel message with an explicit status byte. */
export function channelEvent(delta: number, status: number, ...data: number[]): number[] {
  return [...vlq(delta), status, ...data];
}

/** A channel message relying on running status (no status byte). */
export function runningEvent(delta: number, ...data: number[]): number[] {
  return [...vlq(delta), ...data];
}

export function smf(format: number, division: number, tracks: number[][], extra: number[] = []): Uint8Array {
  return new Uint8Array([...headerChunk(format, tracks.length, division), ...tracks.flat(), ...extra]);
}

/** A RIFF chunk: little-endian length, data padded to an even length. */
export function riffChunk(id: string, data: number[], declaredLength = data.length): number[] {
  const length = [
    declaredLength & 0xff,
    (declaredLength >>> 8) & 0xff,
    (declaredLength >>> 16) & 0xff,
    (declaredLength >>> 24) & 0xff,
  ];
  return [...Array.from(id, (c) => c.charCodeAt(0)), ...length, ...data, ...(data.length % 2 ? [0] : [])];
}

/** A RIFF file of `form` ("RMID" for .rmi) holding `chunks` (made with riffChunk). */
export function riff(form: string, chunks: number[][]): Uint8Array {
  const body = [...Array.from(form, (c) => c.charCodeAt(0)), ...chunks.flat()];
  return new Uint8Array(riffChunk("RIFF", body));
}
