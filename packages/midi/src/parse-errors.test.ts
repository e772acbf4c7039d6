import { describe, expect, it } from "vitest";
import { MidiParseError, type MidiErrorCode } from "./errors.js";
import { parseMidi } from "./parse-midi.js";
import { MAX_EVENTS, MAX_INPUT_BYTES } from "./smf-reader.js";
import { END_OF_TRACK, channelEvent, headerChunk, runningEvent, smf, trackChunk, u32, vlq } from "./test-support/smf-builder.js";

function parseError(bytes: Uint8Array): MidiParseError {
  try {
    parseMidi(bytes);
  } catch (error) {
    if (error instanceof MidiParseError) return error;
    throw new Error(`expected a MidiParseError, got ${String(error)}`, { cause: error });
  }
  throw new Error("expected parseMidi to throw");
}

function expectError(bytes: Uint8Array, code: MidiErrorCode, message: string | RegExp, location: { track?: number | null; byteOffset?: number | null } = {}) {
  const error = parseError(bytes);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  if ("track" in location) expect(error.track).toBe(location.track);
  if ("byteOffset" in location) expect(error.byteOffset).toBe(location.byteOffset);
  return error;
}

const goodTrack = trackChunk([...channelEvent(0, 0x90, 60, 90), ...runningEvent(10, 60, 0), ...END_OF_TRACK]);

describe("parseMidi refuses bad input with a typed, specific error", () => {
  it("0 bytes", () => {
    expectError(new Uint8Array(0), "empty", "file is empty (0 bytes)", { byteOffset: 0, track: null });
  });

  it("a file that is not MIDI", () => {
    const text = new Uint8Array(Array.from("# Final Fantasy piano set", (c) => c.charCodeAt(0)));
    expectError(text, "not-midi", 'not a Standard MIDI File: expected "MThd" at byte 0, found 0x23 0x20 0x46 0x69');
    expectError(new Uint8Array([0x4d, 0x54]), "not-midi", /found 0x4D 0x54$/);
  });

  it("a truncated file", () => {
    const whole = smf(1, 96, [goodTrack, goodTrack]);
    const cut = whole.subarray(0, whole.length - 5);
    expectError(cut, "truncated", `track 1: chunk length ${goodTrack.length - 8} runs past end of file at byte ${cut.length}`, {
      track: 1,
      byteOffset: 14 + goodTrack.length + 4,
    });
    expectError(whole.subarray(0, 10), "truncated", "header chunk is cut off: file ends at byte 10, a header needs 14 bytes");
    expectError(whole.subarray(0, 14 + goodTrack.length + 3), "truncated", /^track 1: chunk header at byte \d+ is cut off by end of file/);
  });

  it("a chunk length running past the end of the file (the issue's example)", () => {
    const header = headerChunk(1, 4, 96);
    const before = [...goodTrack, ...goodTrack, ...goodTrack];
    const padding = 812 - header.length - before.length - 8;
    const bytes = new Uint8Array([...header, ...before, ...trackChunk(new Array(padding).fill(0), 9000)]);
    expect(bytes.length).toBe(812);
    expectError(bytes, "truncated", "track 3: chunk length 9000 runs past end of file at byte 812", { track: 3 });
  });

  it("a chunk length shorter than its events", () => {
    const events = [...channelEvent(0, 0x90, 60, 90), ...runningEvent(10, 60, 0), ...END_OF_TRACK];
    const bytes = smf(0, 96, [trackChunk(events, 5)]);
    expectError(bytes, "bad-chunk", "track 0: event at byte 26 runs past the end of its chunk at byte 27", { track: 0, byteOffset: 26 });
  });

  it("a header declaring 65,535 tracks fails fast, counting the chunks present", () => {
    const bytes = new Uint8Array([...headerChunk(1, 65_535, 96), ...goodTrack, ...goodTrack]);
    expectError(bytes, "too-many-tracks", `header declares 65535 tracks but the file holds only 2 track chunks (file ends at byte ${bytes.length})`, {
      byteOffset: bytes.length,
    });
  });

  it("an illegal status byte", () => {
    const bytes = smf(0, 96, [trackChunk([...channelEvent(0, 0x90, 60, 90), 0, 0xf4, 1, 2, ...END_OF_TRACK])]);
    expectError(bytes, "bad-event", "track 0: illegal status byte 0xF4 at byte 27 (only channel, sysex and meta events belong in a file)", {
      track: 0,
      byteOffset: 27,
    });
  });

  it("a data byte with no running status, and a status byte where data belongs", () => {
    expectError(smf(0, 96, [trackChunk([0, 60, 90, ...END_OF_TRACK])]), "bad-event", "track 0: data byte 0x3C at byte 23 with no running status to continue");
    expectError(smf(0, 96, [trackChunk([0, 0x90, 60, 0x90, ...END_OF_TRACK])]), "bad-event", "track 0: note-on event at byte 22: data byte 0x90 at byte 25 is not below 0x80");
  });

  it("a variable-length quantity longer than 4 bytes", () => {
    expectError(smf(0, 96, [trackChunk([0x81, 0x81, 0x81, 0x81, 0x01, 0x90, 60, 90, ...END_OF_TRACK])]), "bad-event", "track 0: delta time: variable-length quantity at byte 22 is longer than 4 bytes");
  });

  it("broken headers", () => {
    const withHeader = (format: number, tracks: number, division: number) => new Uint8Array([...headerChunk(format, tracks, division), ...goodTrack]);
    expectError(withHeader(3, 1, 96), "bad-header", "format 3 is not 0, 1 or 2");
    expectError(withHeader(1, 0, 96), "bad-header", "header declares 0 tracks");
    expectError(withHeader(0, 2, 96), "bad-header", "format 0 must have exactly 1 track, header declares 2");
    expectError(withHeader(1, 1, 0), "bad-header", "ticks per quarter note is 0");
    expectError(withHeader(1, 1, 0xe728), "bad-header", "SMPTE time division (0xE7 0x28) is not supported, only ticks per quarter note");
    const shortHeader = new Uint8Array([0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 4, 0, 0, 0, 1, 0, 96]);
    expectError(shortHeader, "bad-header", "header chunk length 4 is below the minimum of 6");
  });

  it("an unknown chunk running past the end of the file", () => {
    const bytes = new Uint8Array([...headerChunk(1, 2, 96), ...goodTrack, 0x58, 0x46, 0x49, 0x48, 0, 0, 1, 0, 1, 2]);
    expectError(bytes, "truncated", `"XFIH" chunk length 256 runs past end of file at byte ${bytes.length}`, { track: null, byteOffset: 14 + goodTrack.length + 4 });
  });

  it("garbage where a track chunk should start", () => {
    const bytes = new Uint8Array([...headerChunk(1, 2, 96), ...goodTrack, 0x00, 0x01, 0xff, 0x90, 0, 0, 0, 0]);
    expectError(bytes, "bad-chunk", `track 1: expected a chunk at byte ${14 + goodTrack.length}, found 0x00 0x01 0xFF 0x90`);
  });

  it("bad tempo and time signature meta events", () => {
    expectError(smf(0, 96, [trackChunk([0, 0xff, 0x51, 2, 7, 0xa1, ...END_OF_TRACK])]), "bad-event", "track 0: tempo meta event at byte 22 has length 2, expected 3");
    expectError(smf(0, 96, [trackChunk([0, 0xff, 0x51, 3, 0, 0, 0, ...END_OF_TRACK])]), "bad-event", "sets 0 microseconds per quarter note");
    expectError(smf(0, 96, [trackChunk([0, 0xff, 0x58, 4, 0, 2, 24, 8, ...END_OF_TRACK])]), "bad-event", "time signature meta event at byte 22 is 0/2^2");
  });

  it("absurd sizes: more than 64 MiB of input", () => {
    const huge = new Uint8Array(MAX_INPUT_BYTES + 1);
    huge.set([0x4d, 0x54, 0x68, 0x64]);
    expectError(huge, "too-large", `file is ${MAX_INPUT_BYTES + 1} bytes; the limit is ${MAX_INPUT_BYTES} bytes (64 MiB)`);
  });

  it("absurd sizes: more than 2 million events", () => {
    // 2M + 1 note events with running status (3 bytes each after the first), about 6 MB.
    const count = MAX_EVENTS + 1;
    const events = new Uint8Array(4 + (count - 1) * 3);
    events.set([0, 0x90, 60, 1]);
    for (let i = 1, at = 4; i < count; i++, at += 3) {
      events[at + 1] = 60;
      events[at + 2] = i % 2;
    }
    const header = headerChunk(0, 1, 96);
    const bytes = new Uint8Array(header.length + 8 + events.length);
    bytes.set([...header, 0x4d, 0x54, 0x72, 0x6b, ...u32(events.length)]);
    bytes.set(events, header.length + 8);
    expectError(bytes, "too-large", `track 0: more than ${MAX_EVENTS} events; refusing to read further`);
  });

  it("messages carry the track index and byte offset as fields", () => {
    const error = parseError(smf(0, 96, [trackChunk([...vlq(0), 0xf1, ...END_OF_TRACK])]));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("MidiParseError");
    expect([error.track, error.byteOffset]).toEqual([0, 23]);
  });
});

describe("parseMidi does bounded work on hostile but well-formed files", () => {
  it("pairs 300,000 stacked note-ons of one key in linear time", () => {
    const count = 300_000;
    const events = new Uint8Array(4 + (2 * count - 1) * 3 + END_OF_TRACK.length);
    events.set([0, 0x90, 60, 1]);
    let at = 4;
    for (let i = 1; i < 2 * count; i++, at += 3) {
      events[at + 1] = 60;
      events[at + 2] = i < count ? 1 + (i % 127) : 0;
    }
    events.set(END_OF_TRACK, at);
    const header = headerChunk(0, 1, 96);
    const bytes = new Uint8Array(header.length + 8 + events.length);
    bytes.set([...header, 0x4d, 0x54, 0x72, 0x6b, ...u32(events.length)]);
    bytes.set(events, header.length + 8);
    const seq = parseMidi(bytes);
    expect(seq.notes).toHaveLength(count);
    expect(seq.notes[count - 1]!.velocity).toBe(1 + ((count - 1) % 127));
  });

  it("reads 65,535 tracks when they are all there", () => {
    const bytes = new Uint8Array([...headerChunk(1, 65_535, 96), ...Array.from({ length: 65_535 }, () => trackChunk(END_OF_TRACK)).flat()]);
    const seq = parseMidi(bytes);
    expect(seq.tracks).toHaveLength(65_535);
    expect(seq.notes).toHaveLength(0);
  });

  it("decodes a 4 MB text event", () => {
    const text = new Uint8Array(4_000_000).fill(0x61);
    const events = [0, 0xff, 0x01, ...vlq(text.length)];
    const header = headerChunk(0, 1, 96);
    const length = events.length + text.length + END_OF_TRACK.length;
    const bytes = new Uint8Array(header.length + 8 + length);
    bytes.set([...header, 0x4d, 0x54, 0x72, 0x6b, ...u32(length), ...events]);
    bytes.set(text, header.length + 8 + events.length);
    bytes.set(END_OF_TRACK, bytes.length - END_OF_TRACK.length);
    expect(parseMidi(bytes).texts[0]).toHaveLength(4_000_000);
  });
});

