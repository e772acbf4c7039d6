import { describe, expect, it } from "vitest";
import { parseMidi } from "./parse-midi.js";
import { pianoNotes, quantize } from "./piano-notes.js";
import { END_OF_TRACK, channelEvent, runningEvent, smf, trackChunk } from "./test-support/smf-builder.js";

describe("pianoNotes", () => {
  it("merges non-drum notes of every track, sorted by start then pitch, without drums", () => {
    const seq = parseMidi(
      smf(1, 4, [
        trackChunk([
          ...channelEvent(0, 0x90, 67, 70),
          ...runningEvent(4, 67, 0),
          ...channelEvent(0, 0x99, 36, 120),
          ...runningEvent(2, 36, 0),
          ...END_OF_TRACK,
        ]),
        trackChunk([
          ...channelEvent(4, 0x91, 48, 60),
          ...channelEvent(0, 0x91, 72, 61),
          ...runningEvent(8, 48, 0),
          ...runningEvent(0, 72, 0),
          ...END_OF_TRACK,
        ]),
        trackChunk([...channelEvent(0, 0x92, 60, 80), ...runningEvent(2, 60, 0), ...END_OF_TRACK]),
      ]),
    );
    expect(seq.notes.some((n) => n.isDrum)).toBe(true);
    expect(pianoNotes(seq)).toEqual([
      { pitch: 60, velocity: 80, startQuarter: 0, endQuarter: 0.5 },
      { pitch: 67, velocity: 70, startQuarter: 0, endQuarter: 1 },
      { pitch: 48, velocity: 60, startQuarter: 1, endQuarter: 3 },
      { pitch: 72, velocity: 61, startQuarter: 1, endQuarter: 3 },
    ]);
  });
});

describe("quantize", () => {
  it("snaps to the nearest step, keeps one step for notes that would vanish, and sorts", () => {
    const notes = [
      { pitch: 64, velocity: 90, startQuarter: 0.26, endQuarter: 0.49 },
      { pitch: 60, velocity: 80, startQuarter: 0.3, endQuarter: 0.33 },
      { pitch: 62, velocity: 70, startQuarter: 0.1, endQuarter: 1.9 },
    ];
    expect(quantize(notes, 4)).toEqual([
      { pitch: 62, velocity: 70, startQuarter: 0, endQuarter: 2 },
      { pitch: 60, velocity: 80, startQuarter: 0.25, endQuarter: 0.5 },
      { pitch: 64, velocity: 90, startQuarter: 0.25, endQuarter: 0.5 },
    ]);
    expect(quantize(notes, 3).map((n) => [n.startQuarter * 3, n.endQuarter * 3])).toEqual([
      [0, 6],
      [1, 2],
      [1, 2],
    ]);
    expect(notes[0]!.startQuarter).toBe(0.26); // the input is not modified
  });

  it("refuses a grid that is not a positive integer", () => {
    expect(() => quantize([], 0)).toThrow("quantize: stepsPerQuarter 0 must be a positive integer");
    expect(() => quantize([], 2.5)).toThrow(RangeError);
  });
});
