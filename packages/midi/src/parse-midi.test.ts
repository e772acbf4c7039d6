import { describe, expect, it } from "vitest";
import { parseMidi, tryParseMidi } from "./parse-midi.js";
import {
  END_OF_TRACK,
  channelEvent,
  runningEvent,
  smf,
  tempoEvent,
  textEvent,
  trackChunk,
} from "./test-support/smf-builder.js";

const NOTE_ON = 0x90;
const NOTE_OFF = 0x80;
const PROGRAM = 0xc0;

function summary(bytes: Uint8Array) {
  return parseMidi(bytes).notes.map((n) => [n.pitch, n.velocity, n.startTick, n.endTick, n.channel]);
}

describe("parseMidi on hand-made files", () => {
  it("reads format 0 with running status and note-on velocity 0 as note-off", () => {
    const bytes = smf(0, 96, [
      trackChunk([
        ...channelEvent(0, NOTE_ON, 60, 100),
        ...runningEvent(0, 64, 90),
        ...runningEvent(96, 60, 0),
        ...runningEvent(0, 64, 0),
        ...runningEvent(0, 67, 80),
        ...channelEvent(48, NOTE_OFF | 0, 67, 64),
        ...END_OF_TRACK,
      ]),
    ]);
    const seq = parseMidi(bytes);
    expect(seq.format).toBe(0);
    expect(seq.ticksPerQuarter).toBe(96);
    expect(summary(bytes)).toEqual([
      [60, 100, 0, 96, 0],
      [64, 90, 0, 96, 0],
      [67, 80, 96, 144, 0],
    ]);
    expect(seq.noteOnCount).toBe(3);
    expect(seq.notes[2]!.startQuarter).toBe(1);
    expect(seq.notes[2]!.endQuarter).toBe(1.5);
  });

  it("uses 120 bpm when the file has no tempo", () => {
    const seq = parseMidi(
      smf(0, 480, [
        trackChunk([...channelEvent(0, NOTE_ON, 60, 100), ...runningEvent(960, 60, 0), ...END_OF_TRACK]),
      ]),
    );
    expect(seq.tempos).toEqual([{ tick: 0, quarter: 0, time: 0, bpm: 120 }]);
    expect(seq.notes[0]!.endTime).toBeCloseTo(1, 12);
    expect(seq.totalTime).toBeCloseTo(1, 12);
  });

  it("converts ticks to seconds through tempo changes", () => {
    // 60 bpm for 1 quarter, then 120 bpm: a note from quarter 0.5 to 2 lasts 0.5 s + 0.5 s + 0.5 s.
    const bytes = smf(1, 100, [
      trackChunk([...tempoEvent(0, 60), ...tempoEvent(100, 120), ...END_OF_TRACK]),
      trackChunk([...channelEvent(50, NOTE_ON, 60, 100), ...runningEvent(150, 60, 0), ...END_OF_TRACK]),
    ]);
    const seq = parseMidi(bytes);
    expect(seq.tempos.map((t) => [t.tick, t.bpm, t.time])).toEqual([
      [0, 60, 0],
      [100, 120, 1],
    ]);
    expect(seq.notes[0]!.startTime).toBeCloseTo(0.5, 12);
    expect(seq.notes[0]!.endTime).toBeCloseTo(1.5, 12);
  });

  it("handles hundreds of tempo changes and matches a step-by-step sum", () => {
    const tempos: number[] = [];
    const bpms: number[] = [];
    for (let i = 0; i < 600; i++) {
      bpms.push(40 + ((i * 37) % 160));
      tempos.push(...tempoEvent(i === 0 ? 0 : 7, bpms[i]!));
    }
    const notes: number[] = [];
    for (let i = 0; i < 400; i++)
      notes.push(
        ...channelEvent(i === 0 ? 0 : 5, NOTE_ON, 60 + (i % 12), 90),
        ...runningEvent(5, 60 + (i % 12), 0),
      );
    const seq = parseMidi(
      smf(1, 24, [trackChunk([...tempos, ...END_OF_TRACK]), trackChunk([...notes, ...END_OF_TRACK])]),
    );
    expect(seq.tempos).toHaveLength(600);
    const secondsAt = (tick: number) => {
      let seconds = 0;
      for (let t = 0; t < tick; t++)
        seconds += Math.round(60e6 / bpms[Math.min(Math.floor(t / 7), 599)]!) / 1e6 / 24; // the file stores whole microseconds
      return seconds;
    };
    for (const note of [seq.notes[0]!, seq.notes[123]!, seq.notes[399]!]) {
      expect(note.startTime).toBeCloseTo(secondsAt(note.startTick), 9);
      expect(note.endTime).toBeCloseTo(secondsAt(note.endTick), 9);
    }
  });

  it("pairs overlapping notes of one pitch first-in-first-out", () => {
    const bytes = smf(0, 10, [
      trackChunk([
        ...channelEvent(0, NOTE_ON, 60, 50),
        ...runningEvent(10, 60, 70),
        ...runningEvent(10, 60, 0),
        ...runningEvent(10, 60, 0),
        ...END_OF_TRACK,
      ]),
    ]);
    expect(summary(bytes)).toEqual([
      [60, 50, 0, 20, 0],
      [60, 70, 10, 30, 0],
    ]);
  });

  it("reads a re-struck key with a missing note-off as restrikes, not as a note to the end", () => {
    const bytes = smf(0, 10, [
      trackChunk([
        ...channelEvent(0, NOTE_ON, 60, 50),
        ...runningEvent(10, 60, 70),
        ...runningEvent(10, 60, 0),
        ...runningEvent(0, 62, 40),
        ...runningEvent(10, 62, 0),
        ...channelEvent(70, 0xb0, 64, 0),
        ...END_OF_TRACK,
      ]),
    ]);
    expect(summary(bytes)).toEqual([
      [60, 50, 0, 10, 0],
      [60, 70, 10, 20, 0],
      [62, 40, 20, 30, 0],
    ]);
  });

  it("ends a note never switched off at its track end, and ignores stray note-offs", () => {
    const bytes = smf(0, 10, [
      trackChunk([
        ...channelEvent(0, NOTE_OFF, 61, 0),
        ...channelEvent(5, NOTE_ON, 60, 50),
        ...channelEvent(40, 0xb0, 7, 100),
        ...END_OF_TRACK,
      ]),
    ]);
    expect(summary(bytes)).toEqual([[60, 50, 5, 45, 0]]);
    // A note switched off at the tick it starts lasts one tick.
    expect(
      summary(
        smf(0, 10, [
          trackChunk([...channelEvent(0, NOTE_ON, 60, 50), ...runningEvent(0, 60, 0), ...END_OF_TRACK]),
        ]),
      ),
    ).toEqual([[60, 50, 0, 1, 0]]);
  });

  it("keeps channel 10 drums flagged and tracks programs per channel across tracks", () => {
    const bytes = smf(1, 10, [
      trackChunk([
        ...channelEvent(0, PROGRAM | 1, 33),
        ...channelEvent(20, PROGRAM | 1, 40),
        ...END_OF_TRACK,
      ]),
      trackChunk([
        ...channelEvent(0, NOTE_ON | 1, 40, 90),
        ...runningEvent(10, 40, 0),
        ...runningEvent(10, 41, 90),
        ...runningEvent(10, 41, 0),
        ...END_OF_TRACK,
      ]),
      trackChunk([
        ...channelEvent(0, PROGRAM | 9, 0),
        ...channelEvent(0, NOTE_ON | 9, 36, 127),
        ...channelEvent(5, NOTE_OFF | 9, 36, 0),
        ...END_OF_TRACK,
      ]),
    ]);
    const seq = parseMidi(bytes);
    expect(seq.notes.map((n) => [n.pitch, n.track, n.channel, n.program, n.isDrum])).toEqual([
      [36, 2, 9, 0, true],
      [40, 1, 1, 33, false],
      [41, 1, 1, 40, false],
    ]);
    expect(seq.tracks.map((t) => t.noteCount)).toEqual([0, 2, 1]);
  });

  it("gives every format 2 track its own tempo map", () => {
    const bytes = smf(2, 10, [
      trackChunk([
        ...tempoEvent(0, 60),
        ...channelEvent(0, NOTE_ON, 60, 90),
        ...runningEvent(10, 60, 0),
        ...END_OF_TRACK,
      ]),
      trackChunk([...channelEvent(0, NOTE_ON, 62, 90), ...runningEvent(10, 62, 0), ...END_OF_TRACK]),
    ]);
    const seq = parseMidi(bytes);
    expect(seq.format).toBe(2);
    expect(seq.notes.map((n) => [n.pitch, n.track, n.endTime])).toEqual([
      [60, 0, 1],
      [62, 1, 0.5],
    ]);
  });

  it("reads the title, texts, track names and time signatures", () => {
    const bytes = smf(1, 48, [
      trackChunk([
        ...textEvent(0, 0x03, "Opening"),
        ...textEvent(0, 0x01, "first"),
        ...[0, 0xff, 0x58, 4, 3, 2, 24, 8],
        ...textEvent(0, 0x01, "second"),
        ...[96, 0xff, 0x58, 4, 6, 3, 24, 8],
        ...END_OF_TRACK,
      ]),
      trackChunk([...textEvent(0, 0x03, "Piano"), ...textEvent(0, 0x01, "third"), ...END_OF_TRACK]),
    ]);
    const seq = parseMidi(bytes, { title: "fallback" });
    expect(seq.title).toBe("Opening");
    expect(seq.texts).toEqual(["first", "second", "third"]);
    expect(seq.tracks.map((t) => t.name)).toEqual(["Opening", "Piano"]);
    expect(seq.timeSignatures).toEqual([
      { tick: 0, quarter: 0, numerator: 3, denominator: 4 },
      { tick: 96, quarter: 2, numerator: 6, denominator: 8 },
    ]);
    expect(parseMidi(smf(0, 48, [trackChunk(END_OF_TRACK)]), { title: "fallback" }).title).toBe("fallback");
  });

  it("decodes UTF-8 text and falls back to Latin-1", () => {
    const utf8 = [0xc3, 0xa9, 0xe2, 0x99, 0xaa];
    const bytes = smf(0, 48, [
      trackChunk([0, 0xff, 0x01, utf8.length, ...utf8, 0, 0xff, 0x01, 2, 0xe9, 0x41, ...END_OF_TRACK]),
    ]);
    expect(parseMidi(bytes).texts).toEqual(["é♪", "éA"]);
  });

  it("tryParseMidi answers with a result", () => {
    expect(tryParseMidi(smf(0, 10, [trackChunk(END_OF_TRACK)]))).toMatchObject({ ok: true, warnings: [] });
    const repaired = tryParseMidi(smf(0, 10, [trackChunk([0, 0xf8, 0, NOTE_ON, 60, 90, ...END_OF_TRACK])]));
    expect(repaired).toMatchObject({
      ok: true,
      warnings: [{ code: "stray-status", byteOffset: 23, track: 0 }],
    });
    const failed = tryParseMidi(new Uint8Array([1, 2, 3]));
    expect(failed.ok).toBe(false);
    if (!failed.ok) expect(failed.error.code).toBe("not-midi");
  });
});
