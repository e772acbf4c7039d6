import { describe, expect, it } from "vitest";
import { MidiParseError, type MidiErrorCode } from "./errors.js";
import { MAX_EVENTS, MAX_INPUT_BYTES, MAX_NOTES, MAX_TRACKS } from "./limits.js";
import { parseMidi, parseMidiWithWarnings } from "./parse-midi.js";
import {
  END_OF_TRACK,
  channelEvent,
  headerChunk,
  riff,
  riffChunk,
  runningEvent,
  smf,
  trackChunk,
  u32,
  vlq,
} from "./test-support/smf-builder.js";

function parseError(bytes: Uint8Array): MidiParseError {
  try {
    parseMidi(bytes);
  } catch (error) {
    if (error instanceof MidiParseError) return error;
    throw new Error(`expected a MidiParseError, got ${String(error)}`, { cause: error });
  }
  throw new Error("expected parseMidi to throw");
}

function expectError(
  bytes: Uint8Array,
  code: MidiErrorCode,
  message: string | RegExp,
  location: { track?: number | null; byteOffset?: number | null } = {},
) {
  const error = parseError(bytes);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  if ("track" in location) expect(error.track).toBe(location.track);
  if ("byteOffset" in location) expect(error.byteOffset).toBe(location.byteOffset);
  return error;
}

const goodTrack = trackChunk([...channelEvent(0, 0x90, 60, 90), ...runningEvent(10, 60, 0), ...END_OF_TRACK]);

describe("parseMidi refuses input with nothing to read, with a typed, specific error", () => {
  it("0 bytes", () => {
    expectError(new Uint8Array(0), "empty", "file is empty (0 bytes)", { byteOffset: 0, track: null });
  });

  it("a file that is not MIDI", () => {
    const text = new Uint8Array(Array.from("# Final Fantasy piano set", (c) => c.charCodeAt(0)));
    expectError(
      text,
      "not-midi",
      'not a Standard MIDI File: expected "MThd" at byte 0, found 0x23 0x20 0x46 0x69',
    );
    expectError(new Uint8Array([0x4d, 0x54]), "not-midi", /found 0x4D 0x54$/);
  });

  it("a header cut off before its 14 bytes", () => {
    expectError(
      smf(1, 96, [goodTrack]).subarray(0, 10),
      "truncated",
      "header chunk is cut off: file ends at byte 10, a header needs 14 bytes",
    );
  });

  it("RIFF files that are not RIFF MIDI, or hold no SMF", () => {
    expectError(
      riff("WAVE", [riffChunk("fmt ", [1, 2])]),
      "not-midi",
      'RIFF file of form "WAVE" is not a RIFF MIDI file (RMID)',
      { byteOffset: 8 },
    );
    expectError(
      riff("RMID", [riffChunk("LIST", [1, 2])]),
      "not-midi",
      'RIFF MIDI file (RMID) holds no "data" chunk',
    );
    expectError(
      riff("RMID", [riffChunk("data", [1, 2, 3, 4])]),
      "not-midi",
      'not a Standard MIDI File: expected "MThd" at byte 20 (inside the RMID "data" chunk), found 0x01 0x02 0x03 0x04',
    );
  });

  it("no track chunk at all", () => {
    const header = headerChunk(1, 2, 96);
    expectError(
      new Uint8Array(header),
      "too-many-tracks",
      "header declares 2 tracks but the file holds no track chunks (file ends at byte 14)",
    );
    expectError(
      new Uint8Array([...headerChunk(1, 0, 96)]),
      "bad-header",
      "header declares 0 tracks and the file holds no track chunks (file ends at byte 14)",
    );
    expectError(
      new Uint8Array([...header, 0x00, 0x01, 0xff, 0x90, 0, 0, 0, 0]),
      "too-many-tracks",
      /holds no track chunks/,
    );
  });

  it("no note left after a repair that lost bytes: the repair's code and message", () => {
    const cut = smf(0, 96, [trackChunk([0, 0x90, 60, 90, ...END_OF_TRACK])]).subarray(0, 25);
    expectError(
      cut,
      "truncated",
      "track 0: chunk length 8 runs past end of file at byte 25: the file ends inside a note-on event at byte 22; kept the events before it (no notes could be recovered)",
      {
        track: 0,
        byteOffset: 18,
      },
    );
    expectError(
      smf(0, 96, [trackChunk([0, 60, 90, ...END_OF_TRACK])]),
      "bad-event",
      "track 0: data byte 0x3C at byte 23 with no running status to continue: skipped 3 bytes up to the status byte at byte 26 (no notes could be recovered)",
    );
  });

  it("a file without notes still parses when nothing was lost", () => {
    expect(parseMidiWithWarnings(smf(0, 96, [trackChunk(END_OF_TRACK)]))).toMatchObject({
      warnings: [],
      sequence: { notes: [] },
    });
    // SMPTE time is interpreted, not repaired: a conductor track in it is still a file.
    const smpte = parseMidiWithWarnings(
      new Uint8Array([...headerChunk(0, 1, 0xe728), ...trackChunk(END_OF_TRACK)]),
    );
    expect(smpte.warnings.map((w) => w.code)).toEqual(["smpte-division"]);
  });

  it("absurd sizes: more than 64 MiB of input", () => {
    const huge = new Uint8Array(MAX_INPUT_BYTES + 1);
    huge.set([0x4d, 0x54, 0x68, 0x64]);
    expectError(
      huge,
      "too-large",
      `file is ${MAX_INPUT_BYTES + 1} bytes; the limit is ${MAX_INPUT_BYTES} bytes (64 MiB)`,
    );
  });

  it("absurd sizes: more than 2 million events", () => {
    // 2M + 1 events with running status (3 bytes each after the first), about 6 MB.
    expectError(
      runOfNotes(MAX_EVENTS + 1, (i) => i % 2),
      "too-large",
      `track 0: more than ${MAX_EVENTS} events; the limit is ${MAX_EVENTS} events per file`,
    );
  });

  it("absurd sizes: more than 1 million notes", () => {
    expectError(
      runOfNotes(MAX_NOTES + 1, () => 1),
      "too-large",
      `track 0: more than ${MAX_NOTES} notes; the limit is ${MAX_NOTES} notes per file`,
    );
  });

  it("absurd sizes: more than 65,535 track chunks", () => {
    const tracks = new Uint8Array((MAX_TRACKS + 1) * 12);
    for (let at = 0; at < tracks.length; at += 12) tracks.set(trackChunk(END_OF_TRACK), at);
    const bytes = new Uint8Array([...headerChunk(1, MAX_TRACKS, 96), ...tracks]);
    expectError(
      bytes,
      "too-many-tracks",
      `more than ${MAX_TRACKS} track chunks; the limit is ${MAX_TRACKS} tracks`,
      { byteOffset: 14 + MAX_TRACKS * 12 },
    );
  });

  it("messages carry the track index and byte offset as fields", () => {
    const error = parseError(smf(0, 96, [trackChunk([...vlq(0), 0x90, 60])]));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("MidiParseError");
    expect([error.code, error.track, error.byteOffset]).toEqual(["bad-chunk", 0, 22]);
  });
});

/** One track of `count` note events on pitch 60 with running status; `velocity(i)` for event i. */
function runOfNotes(count: number, velocity: (i: number) => number): Uint8Array {
  const events = new Uint8Array(4 + (count - 1) * 3);
  events.set([0, 0x90, 60, velocity(0)]);
  for (let i = 1, at = 4; i < count; i++, at += 3) {
    events[at + 1] = 60;
    events[at + 2] = velocity(i);
  }
  const header = headerChunk(0, 1, 96);
  const bytes = new Uint8Array(header.length + 8 + events.length);
  bytes.set([...header, 0x4d, 0x54, 0x72, 0x6b, ...u32(events.length)]);
  bytes.set(events, header.length + 8);
  return bytes;
}

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
    const bytes = new Uint8Array([
      ...headerChunk(1, 65_535, 96),
      ...Array.from({ length: 65_535 }, () => trackChunk(END_OF_TRACK)).flat(),
    ]);
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
