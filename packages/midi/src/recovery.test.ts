// Each repair on hand-built bytes: the notes kept, and the warning's code, byte offset and track.
// Where @tonejs/midi reads the file at all, every note it finds is found here too.
import { describe, expect, it } from "vitest";
import { MAX_TICK, MAX_WARNINGS } from "./limits.js";
import { parseMidiWithWarnings } from "./parse-midi.js";
import { notesOnlyToneFinds } from "./test-support/tone-oracle.js";
import {
  END_OF_TRACK,
  channelEvent,
  chunk,
  headerChunk,
  riff,
  riffChunk,
  runningEvent,
  smf,
  tempoEvent,
  textEvent,
  trackChunk,
  vlq,
} from "./test-support/smf-builder.js";
import { writeMidi } from "./write-midi.js";

const NOTE_ON = 0x90;
/** Byte offset of the first event of the first track chunk (14-byte header + 8-byte chunk header). */
const FIRST_EVENT = 22;

/** A note from 0 to 10 ticks: note-on 60 velocity 100, running-status note-off. */
const NOTE = [...channelEvent(0, NOTE_ON, 60, 100), ...runningEvent(10, 60, 0)];
const noteTrack = (pitch: number) =>
  trackChunk([...channelEvent(0, NOTE_ON, pitch, 100), ...runningEvent(10, pitch, 0), ...END_OF_TRACK]);

function read(bytes: Uint8Array) {
  const { sequence, warnings } = parseMidiWithWarnings(bytes);
  return {
    sequence,
    notes: sequence.notes.map((n) => [n.pitch, n.velocity, n.startTick, n.endTick, n.track]),
    warnings: warnings.map((w) => [w.code, w.byteOffset, w.track]),
    messages: warnings.map((w) => w.message),
  };
}

/** Every note @tonejs/midi finds (pitch@tick) is among ours; true when it refuses the file. */
function keepsToneNotes(bytes: Uint8Array): boolean {
  return (notesOnlyToneFinds(bytes, parseMidiWithWarnings(bytes).sequence.notes) ?? []).length === 0;
}

describe("stray status bytes inside a track are skipped with their data bytes", () => {
  const named = (kind: string, status: number) => ({
    status,
    data: [],
    described: `${kind} 0x${status.toString(16).toUpperCase()}`,
  });
  const cases: { status: number; data: number[]; described: string }[] = [
    { status: 0xf1, data: [0x11], described: "system common byte 0xF1 and its 1 data byte" },
    { status: 0xf2, data: [0x11, 0x22], described: "system common byte 0xF2 and its 2 data bytes" },
    { status: 0xf3, data: [0x05], described: "system common byte 0xF3 and its 1 data byte" },
    named("system common byte", 0xf6),
    ...[0xf8, 0xfa, 0xfb, 0xfc, 0xfe].map((status) => named("real-time byte", status)),
    ...[0xf4, 0xf5, 0xf9, 0xfd].map((status) => named("undefined status byte", status)),
  ];
  it.each(cases)("$described", ({ status, data, described }) => {
    const bytes = smf(0, 96, [
      trackChunk([
        ...channelEvent(0, NOTE_ON, 60, 100),
        0,
        status,
        ...data,
        ...runningEvent(10, 60, 0),
        ...channelEvent(0, NOTE_ON, 62, 90),
        ...runningEvent(5, 62, 0),
        ...END_OF_TRACK,
      ]),
    ]);
    const result = read(bytes);
    expect(result.notes).toEqual([
      [60, 100, 0, 10, 0],
      [62, 90, 10, 15, 0],
    ]);
    expect(result.warnings).toEqual([["stray-status", FIRST_EVENT + 5, 0]]);
    expect(result.messages).toEqual([`track 0: skipped ${described} at byte ${FIRST_EVENT + 5}`]);
    expect(keepsToneNotes(bytes)).toBe(true);
  });

  it("a thousand clock bytes make one warning that counts them", () => {
    const clocks = Array.from({ length: 1000 }, () => [0, 0xf8]).flat();
    const result = read(smf(0, 96, [trackChunk([...clocks, ...NOTE, ...END_OF_TRACK])]));
    expect(result.notes).toEqual([[60, 100, 0, 10, 0]]);
    expect(result.messages).toEqual([
      `track 0: skipped real-time byte 0xF8 at byte ${FIRST_EVENT + 1} (and 999 more like it in this track)`,
    ]);
  });
});

describe("header repairs", () => {
  it("a format 0 file with several tracks is read as format 1", () => {
    const bytes = new Uint8Array([...headerChunk(0, 2, 96), ...noteTrack(60), ...noteTrack(64)]);
    const result = read(bytes);
    expect(result.sequence.format).toBe(1);
    expect(result.notes).toEqual([
      [60, 100, 0, 10, 0],
      [64, 100, 0, 10, 1],
    ]);
    expect(result.warnings).toEqual([["format-0-tracks", 8, null]]);
    expect(result.messages).toEqual(["format 0 file holds 2 track chunks; read as format 1"]);
    expect(keepsToneNotes(bytes)).toBe(true);
  });

  it("a header declaring 0 tracks reads the track chunks that follow", () => {
    const result = read(new Uint8Array([...headerChunk(1, 0, 96), ...noteTrack(60), ...noteTrack(64)]));
    expect(result.notes).toHaveLength(2);
    expect(result.warnings).toEqual([["track-count", 10, null]]);
    expect(result.messages).toEqual([
      "header declares 0 tracks but the file holds 2 track chunks; read them all",
    ]);
  });

  it("a header declaring 65,535 tracks reads the 2 that are there", () => {
    const result = read(new Uint8Array([...headerChunk(1, 65_535, 96), ...noteTrack(60), ...noteTrack(64)]));
    expect(result.notes).toHaveLength(2);
    expect(result.messages).toEqual(["header declares 65535 tracks but the file holds only 2 track chunks"]);
  });

  it("format 3 is read as format 1, division 0 as 480 ticks per quarter", () => {
    const result = read(new Uint8Array([...headerChunk(3, 1, 0), ...noteTrack(60)]));
    expect(result.sequence.format).toBe(1);
    expect(result.sequence.ticksPerQuarter).toBe(480);
    expect(result.notes).toEqual([[60, 100, 0, 10, 0]]);
    expect(result.warnings).toEqual([
      ["bad-format", 8, null],
      ["bad-division", 12, null],
    ]);
  });

  it("a header chunk length that runs past the end of the file", () => {
    const bytes = new Uint8Array([...chunk("MThd", [0, 1, 0, 1, 0, 96], 0xffff), ...noteTrack(60)]);
    const result = read(bytes);
    expect(result.notes).toEqual([[60, 100, 0, 10, 0]]);
    expect(result.warnings).toEqual([["header-length", 4, null]]);
    expect(result.messages[0]).toBe(
      `header chunk length 65535 runs past end of file at byte ${bytes.length}; read its 6 bytes and looked for tracks after them`,
    );
  });

  it("SMPTE division: 25 fps × 40 ticks per frame is 1000 ticks a second, read as a quarter at 60 bpm", () => {
    // The tempo event does not apply: SMPTE time is absolute.
    const result = read(
      new Uint8Array([
        ...headerChunk(0, 1, 0xe728),
        ...trackChunk([
          ...tempoEvent(0, 200),
          ...channelEvent(1000, NOTE_ON, 60, 100),
          ...runningEvent(500, 60, 0),
          ...END_OF_TRACK,
        ]),
      ]),
    );
    expect(result.sequence.ticksPerQuarter).toBe(1000);
    expect(result.sequence.tempos).toEqual([{ tick: 0, quarter: 0, time: 0, bpm: 60 }]);
    const note = result.sequence.notes[0]!;
    expect([note.startTime, note.endTime, note.startQuarter, note.endQuarter]).toEqual([1, 1.5, 1, 1.5]);
    expect(result.warnings).toEqual([["smpte-division", 12, null]]);
    expect(result.messages[0]).toBe(
      "SMPTE time division (0xE7 0x28: 25 frames per second, 40 ticks per frame): read as 1000 ticks per quarter at 60 bpm, a quarter per second; tempo events do not apply",
    );
  });

  it("SMPTE 29.97 drop-frame: 30 × 80 ticks per quarter, 1.001 s each", () => {
    const result = read(
      new Uint8Array([
        ...headerChunk(0, 1, 0xe350),
        ...trackChunk([
          ...channelEvent(2400, NOTE_ON, 60, 100),
          ...runningEvent(2400, 60, 0),
          ...END_OF_TRACK,
        ]),
      ]),
    );
    expect(result.sequence.ticksPerQuarter).toBe(2400);
    expect(result.sequence.notes[0]!.startTime).toBeCloseTo(1.001, 12);
    expect(result.sequence.notes[0]!.endQuarter).toBe(2);
  });
});

describe("chunk repairs", () => {
  it("foreign chunks are skipped, before and between tracks", () => {
    const foreign = chunk("XFIH", [1, 2, 3]);
    const bytes = new Uint8Array([
      ...headerChunk(1, 2, 96),
      ...foreign,
      ...noteTrack(60),
      ...chunk("XFKM", []),
      ...noteTrack(64),
    ]);
    const result = read(bytes);
    expect(result.notes).toHaveLength(2);
    expect(result.warnings).toEqual([
      ["unknown-chunk", 14, null],
      ["unknown-chunk", 14 + foreign.length + noteTrack(60).length, null],
    ]);
    expect(result.messages[0]).toBe('skipped "XFIH" chunk of 3 bytes at byte 14');
  });

  it("a declared length that swallows the next track: read up to the end-of-track, then the next MTrk", () => {
    const first = noteTrack(60);
    const events = first.slice(8);
    const bytes = new Uint8Array([
      ...headerChunk(1, 3, 96),
      ...trackChunk(events, events.length + noteTrack(62).length),
      ...noteTrack(62),
      ...noteTrack(64),
    ]);
    const result = read(bytes);
    expect(result.notes.map((n) => n[0])).toEqual([60, 62, 64]);
    expect(result.warnings).toEqual([["chunk-length", 18, 0]]);
    expect(result.messages[0]).toBe(
      `track 0: chunk length ${events.length + noteTrack(62).length} runs past the next "MTrk" at byte ${FIRST_EVENT + events.length}; the track ends there`,
    );
    expect(keepsToneNotes(bytes)).toBe(true);
  });

  it("a declared length running past the end of the file on a complete last track", () => {
    const events = [...NOTE, ...END_OF_TRACK];
    const bytes = new Uint8Array([...headerChunk(0, 1, 96), ...trackChunk(events, 9000)]);
    const result = read(bytes);
    expect(result.notes).toEqual([[60, 100, 0, 10, 0]]);
    expect(result.warnings).toEqual([["chunk-length", 18, 0]]);
    expect(result.messages[0]).toBe(
      `track 0: chunk length 9000 runs past end of file at byte ${bytes.length}, but its end-of-track event ends at byte ${bytes.length}; read up to there`,
    );
  });

  it("a declared length of 0 (a writer that never went back to fill it in)", () => {
    const bytes = new Uint8Array([
      ...headerChunk(1, 2, 96),
      ...trackChunk([...NOTE, ...END_OF_TRACK], 0),
      ...noteTrack(64),
    ]);
    const result = read(bytes);
    expect(result.notes.map((n) => n[0])).toEqual([60, 64]);
    expect(result.warnings).toEqual([["chunk-length", 18, 0]]);
  });

  it("a declared length shorter than the events", () => {
    const bytes = smf(0, 96, [trackChunk([...NOTE, ...END_OF_TRACK], 5)]);
    const result = read(bytes);
    expect(result.notes).toEqual([[60, 100, 0, 10, 0]]);
    expect(result.messages).toEqual([
      "track 0: chunk length 5 ends at byte 27, but its end-of-track event ends at byte 33; read up to there",
    ]);
  });

  it("a short length and no end-of-track: the track ends at the next MTrk", () => {
    const bytes = new Uint8Array([...headerChunk(1, 2, 96), ...trackChunk(NOTE, 2), ...noteTrack(64)]);
    const result = read(bytes);
    expect(result.notes.map((n) => n[0])).toEqual([60, 64]);
    expect(result.warnings).toEqual([["chunk-length", 18, 0]]);
    expect(result.messages[0]).toMatch(/the next "MTrk" starts at byte 29, with no end-of-track before it/);
  });

  it("a truncated last track keeps the notes before the cut", () => {
    const second = [
      ...channelEvent(0, NOTE_ON, 64, 100),
      ...runningEvent(10, 64, 0),
      ...channelEvent(0, NOTE_ON, 67, 80),
      ...runningEvent(10, 67, 0),
      ...END_OF_TRACK,
    ];
    const whole = new Uint8Array([...headerChunk(1, 2, 96), ...noteTrack(60), ...trackChunk(second)]);
    // Cut inside the note-off of 67: 64 is kept whole, 67 ends at the last event read.
    const cut = whole.subarray(0, whole.length - 5);
    const result = read(cut);
    expect(result.notes).toEqual([
      [60, 100, 0, 10, 0],
      [64, 100, 0, 10, 1],
      [67, 80, 10, 11, 1],
    ]);
    expect(result.warnings).toEqual([["truncated", 14 + noteTrack(60).length + 4, 1]]);
    expect(result.messages[0]).toBe(
      `track 1: chunk length ${second.length} runs past end of file at byte ${cut.length}: the file ends inside a note-on event at byte ${cut.length - 2}; kept the events before it`,
    );
  });

  it("the issue's example: track 3's length of 9000 runs past the end of the file at byte 812", () => {
    const header = headerChunk(1, 4, 96);
    const before = [...noteTrack(60), ...noteTrack(62), ...noteTrack(64)];
    const last = [...channelEvent(0, NOTE_ON, 67, 100), ...runningEvent(10, 67, 0)];
    const padding = new Array(812 - header.length - before.length - 8 - last.length).fill(0);
    const bytes = new Uint8Array([...header, ...before, ...trackChunk([...last, ...padding], 9000)]);
    expect(bytes.length).toBe(812);
    const result = read(bytes);
    expect(result.notes.map((n) => n[0])).toEqual([60, 62, 64, 67]);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]).toMatch(/^track 3: chunk length 9000 runs past end of file at byte 812/);
  });

  it("a file cut inside a chunk header", () => {
    const whole = new Uint8Array([...headerChunk(1, 2, 96), ...noteTrack(60), ...noteTrack(64)]);
    const cut = whole.subarray(0, 14 + noteTrack(60).length + 6);
    const result = read(cut);
    expect(result.notes).toEqual([[60, 100, 0, 10, 0]]);
    expect(result.warnings).toEqual([
      ["track-count", 10, null],
      ["truncated", 14 + noteTrack(60).length, null],
    ]);
  });

  it("bytes that are no chunk: between tracks up to the next MTrk, and at the end of the file", () => {
    const bytes = new Uint8Array([
      ...headerChunk(1, 2, 96),
      ...noteTrack(60),
      0,
      0,
      0x90,
      1,
      ...noteTrack(64),
      0,
      0,
      0,
      0,
      0x42,
    ]);
    const result = read(bytes);
    expect(result.notes.map((n) => n[0])).toEqual([60, 64]);
    const gap = 14 + noteTrack(60).length;
    expect(result.warnings).toEqual([
      ["skipped-bytes", gap, null],
      ["skipped-bytes", bytes.length - 5, null],
    ]);
    expect(result.messages).toEqual([
      `skipped 4 bytes at byte ${gap} that are not a chunk, up to the "MTrk" at byte ${gap + 4}`,
      `skipped 5 bytes at byte ${bytes.length - 5}, too few for a chunk`,
    ]);
  });

  it("events after an early end-of-track event, inside the chunk's length, are read (mido and @tonejs/midi read them)", () => {
    const bytes = smf(0, 96, [
      trackChunk([
        ...NOTE,
        ...END_OF_TRACK,
        ...channelEvent(5, NOTE_ON, 62, 90),
        ...runningEvent(5, 62, 0),
        ...END_OF_TRACK,
      ]),
    ]);
    const result = read(bytes);
    expect(result.notes).toEqual([
      [60, 100, 0, 10, 0],
      [62, 90, 15, 20, 0],
    ]);
    expect(result.warnings).toEqual([["events-after-end-of-track", FIRST_EVENT + NOTE.length, 0]]);
    expect(result.messages[0]).toBe(
      `track 0: 11 bytes of the chunk follow its end-of-track event at byte ${FIRST_EVENT + NOTE.length}; read them as events too, up to byte ${bytes.length}`,
    );
    expect(keepsToneNotes(bytes)).toBe(true);
  });

  it("a track without an end-of-track event ends at its last event", () => {
    const result = read(
      smf(0, 96, [trackChunk([...channelEvent(0, NOTE_ON, 60, 100), ...runningEvent(10, 62, 90)])]),
    );
    expect(result.notes).toEqual([
      [60, 100, 0, 10, 0],
      [62, 90, 10, 11, 0],
    ]);
    expect(result.warnings).toEqual([["no-end-of-track", FIRST_EVENT + 7, 0]]);
  });

  it("an event running past its chunk's end is dropped; the track ends there", () => {
    // The chunk length is trusted (a track chunk follows), so the cut meta event ends track 0.
    const bytes = new Uint8Array([
      ...headerChunk(1, 2, 96),
      ...trackChunk([...NOTE, 0, 0xff, 0x01, 20, 0x41, 0x42]),
      ...noteTrack(64),
    ]);
    const result = read(bytes);
    expect(result.notes.map((n) => n[0])).toEqual([60, 64]);
    expect(result.warnings).toEqual([["cut-event", FIRST_EVENT + NOTE.length, 0]]);
    expect(result.messages[0]).toBe(
      `track 0: meta event 0x01 of length 20 at byte ${FIRST_EVENT + NOTE.length} runs past the end of its chunk at byte ${FIRST_EVENT + NOTE.length + 6}; dropped, and the track ends there`,
    );
  });

  it("RIFF-wrapped .rmi files read like the SMF inside, offsets counted in the whole file", () => {
    const inner = smf(0, 96, [trackChunk([...NOTE, 0, 0xf8, ...END_OF_TRACK])]);
    const plain = read(inner);
    const wrapped = read(riff("RMID", [riffChunk("LIST", [1, 2, 3]), riffChunk("data", [...inner])]));
    expect(wrapped.notes).toEqual(plain.notes);
    // "RIFF" size "RMID" + the padded LIST chunk (8 + 3 + 1) + the data chunk header: 32 bytes before the SMF.
    expect(wrapped.warnings).toEqual([["stray-status", 32 + FIRST_EVENT + NOTE.length + 1, 0]]);
  });
});

describe("event repairs", () => {
  it("running status after a meta event and after a sysex event: continued, said once per track", () => {
    const bytes = smf(0, 96, [
      trackChunk([
        ...channelEvent(0, NOTE_ON, 60, 100),
        ...textEvent(0, 0x01, "x"),
        ...runningEvent(10, 60, 0),
        ...[0, 0xf0, 2, 0x7e, 0xf7],
        ...runningEvent(0, 62, 90),
        ...runningEvent(5, 62, 0),
        ...END_OF_TRACK,
      ]),
    ]);
    const result = read(bytes);
    expect(result.notes).toEqual([
      [60, 100, 0, 10, 0],
      [62, 90, 10, 15, 0],
    ]);
    expect(result.warnings).toEqual([["running-status-after-meta", FIRST_EVENT + 10, 0]]);
    expect(result.messages[0]).toBe(
      `track 0: running status 0x90 continues after a meta or sysex event at byte ${FIRST_EVENT + 10} (the SMF spec says they cancel it) (and 1 more like it in this track)`,
    );
    expect(keepsToneNotes(bytes)).toBe(true);
  });

  it("a variable-length quantity longer than 4 bytes is read", () => {
    const result = read(
      smf(0, 96, [
        trackChunk([
          0x80,
          0x80,
          0x80,
          0x80,
          0x0a,
          NOTE_ON,
          60,
          100,
          ...runningEvent(10, 60, 0),
          ...END_OF_TRACK,
        ]),
      ]),
    );
    expect(result.notes).toEqual([[60, 100, 10, 20, 0]]);
    expect(result.warnings).toEqual([["long-vlq", FIRST_EVENT, 0]]);
  });

  it("a data byte with its top bit set is read as its low 7 bits, and the events after it stay in place", () => {
    // Velocity 0x64 with its top bit flipped; @tonejs/midi reads the same events after it.
    const bytes = smf(0, 96, [
      trackChunk([
        ...channelEvent(0, NOTE_ON, 60, 0xe4),
        ...runningEvent(10, 60, 0),
        ...channelEvent(0, NOTE_ON, 62, 90),
        ...runningEvent(5, 62, 0),
        ...END_OF_TRACK,
      ]),
    ]);
    const result = read(bytes);
    expect(result.notes).toEqual([
      [60, 100, 0, 10, 0],
      [62, 90, 10, 15, 0],
    ]);
    expect(result.warnings).toEqual([["bad-data-byte", FIRST_EVENT + 3, 0]]);
    expect(result.messages[0]).toBe(
      `track 0: note-on event at byte ${FIRST_EVENT + 1}: data byte 0xE4 at byte ${FIRST_EVENT + 3} is not below 0x80; read as 0x64`,
    );
    expect(keepsToneNotes(bytes)).toBe(true);
  });

  it("a note-on velocity byte of 0x80 stays a note (velocity 127), as in mido and @tonejs/midi", () => {
    const bytes = smf(0, 96, [
      trackChunk([...channelEvent(0, NOTE_ON, 60, 0x80), ...runningEvent(10, 60, 0), ...END_OF_TRACK]),
    ]);
    const result = read(bytes);
    expect(result.notes).toEqual([[60, 127, 0, 10, 0]]);
    expect(result.messages[0]).toMatch(/data byte 0x80 at byte 25 is not below 0x80; read as 0x7F$/);
    expect(keepsToneNotes(bytes)).toBe(true);
  });

  it("data bytes with no running status are skipped up to the next status byte", () => {
    const result = read(smf(0, 96, [trackChunk([0, 60, 90, ...NOTE, ...END_OF_TRACK])]));
    expect(result.notes).toEqual([[60, 100, 0, 10, 0]]);
    expect(result.warnings).toEqual([["no-running-status", FIRST_EVENT + 1, 0]]);
    expect(result.messages[0]).toBe(
      `track 0: data byte 0x3C at byte ${FIRST_EVENT + 1} with no running status to continue: skipped 3 bytes up to the status byte at byte ${FIRST_EVENT + 4}`,
    );
  });

  it("malformed tempo, time signature and meta type are skipped", () => {
    const result = read(
      smf(0, 96, [
        trackChunk([
          0,
          0xff,
          0x51,
          2,
          7,
          0xa1,
          0,
          0xff,
          0x51,
          3,
          0,
          0,
          0,
          0,
          0xff,
          0x58,
          4,
          0,
          2,
          24,
          8,
          0,
          0xff,
          0x9f,
          0,
          ...NOTE,
          ...END_OF_TRACK,
        ]),
      ]),
    );
    expect(result.notes).toEqual([[60, 100, 0, 10, 0]]);
    expect(result.sequence.tempos).toEqual([{ tick: 0, quarter: 0, time: 0, bpm: 120 }]);
    expect(result.sequence.timeSignatures).toEqual([]);
    expect(result.warnings.map((w) => w[0])).toEqual(["bad-meta", "bad-meta", "bad-meta", "bad-meta"]);
    expect(result.messages[0]).toBe(
      `track 0: tempo meta event at byte ${FIRST_EVENT + 1} has length 2, expected 3; skipped`,
    );
  });

  it("a delta time past the last tick is read as 0; the events after it stay", () => {
    const huge = vlq(MAX_TICK);
    const result = read(
      smf(0, 96, [
        trackChunk([...NOTE, ...huge, NOTE_ON, 62, 100, ...runningEvent(10, 62, 0), ...END_OF_TRACK]),
      ]),
    );
    expect(result.notes).toEqual([
      [60, 100, 0, 10, 0],
      [62, 100, 10, 20, 0],
    ]);
    expect(result.warnings).toEqual([["tick-limit", FIRST_EVENT + NOTE.length, 0]]);
    expect(result.messages[0]).toBe(
      `track 0: delta time at byte ${FIRST_EVENT + NOTE.length} puts the next event at tick ${MAX_TICK + 10}, past the last tick (${MAX_TICK}); read as 0`,
    );
  });

  it("a note-on on the last tick is read one tick earlier, a note-off there still ends its note, and both are written back", () => {
    const bytes = smf(0, 96, [
      trackChunk([
        ...channelEvent(MAX_TICK - 1, NOTE_ON, 60, 100),
        ...channelEvent(1, NOTE_ON, 62, 100),
        ...runningEvent(0, 60, 0),
        ...END_OF_TRACK,
      ]),
    ]);
    const result = read(bytes);
    expect(result.notes).toEqual([
      [60, 100, MAX_TICK - 1, MAX_TICK, 0],
      [62, 100, MAX_TICK - 1, MAX_TICK, 0],
    ]);
    expect(result.warnings).toEqual([["tick-limit", FIRST_EVENT + 8, 0]]);
    const again = read(writeMidi({ notes: result.sequence.notes, ticksPerQuarter: 96 }));
    expect(again.notes).toEqual([
      [60, 100, MAX_TICK - 1, MAX_TICK, 1],
      [62, 100, MAX_TICK - 1, MAX_TICK, 1],
    ]);
    expect(again.warnings).toEqual([]);
  });
});

describe("warnings stay few", () => {
  it(`lists at most ${MAX_WARNINGS} distinct warnings and counts the rest`, () => {
    const tracks = Array.from({ length: MAX_WARNINGS + 20 }, () => trackChunk(NOTE));
    const result = read(new Uint8Array([...headerChunk(1, tracks.length, 96), ...tracks.flat()]));
    expect(result.notes).toHaveLength(tracks.length);
    expect(result.warnings).toHaveLength(MAX_WARNINGS + 1);
    expect(result.messages.at(-1)).toBe(`20 more repairs not listed (at most ${MAX_WARNINGS} kinds are)`);
  });

  it("a clean file has none", () => {
    const result = read(
      writeMidi({
        notes: [{ pitch: 60, velocity: 90, startQuarter: 0, endQuarter: 1 }],
        title: "clean",
        texts: ["x"],
      }),
    );
    expect(result.warnings).toEqual([]);
  });
});
