import type { QuarterNote } from "@motif/midi";
import { describe, expect, it } from "vitest";
import { NOTE_LENGTH_CLASSES, pieceFeatures, SCALAR_FEATURES, summarize } from "./piece-features.js";

const note = (pitch: number, startQuarter: number, endQuarter = startQuarter + 1): QuarterNote => ({
  pitch,
  velocity: 80,
  startQuarter,
  endQuarter,
});

/** One quarter note per pitch, back to back from `start`. */
const line = (pitches: readonly number[], start = 0): QuarterNote[] =>
  pitches.map((p, i) => note(p, start + i));

const C_MAJOR = [60, 62, 64, 65, 67, 69, 71, 72];
const F_SHARP_MAJOR = [66, 68, 70, 71, 73, 75, 77, 78];
const A_HARMONIC_MINOR = [69, 71, 72, 74, 76, 77, 80, 81];
const CHROMATIC = Array.from({ length: 12 }, (_, i) => 60 + i);

const entropy = (ps: readonly number[]): number => -ps.reduce((sum, p) => sum + p * Math.log2(p), 0);
const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);

describe("pieceFeatures on a C major scale", () => {
  const f = pieceFeatures(line(C_MAJOR));

  it("sits wholly in C major", () => {
    expect(f.scaleConsistency).toBe(1);
    expect(f.scaleTonic).toBe(0);
    expect(f.scaleMode).toBe("major");
    expect(f.windowedScaleConsistency).toBe(1);
  });

  it("counts pitches and their spread", () => {
    expect(f.noteCount).toBe(8);
    expect(f.distinctPitches).toBe(8);
    expect(f.pitchRange).toBe(12);
    expect(f.meanPitchShift).toBeCloseTo(12 / 7, 12);
    expect(f.collapsed).toBe(false);
  });

  it("has the entropy of 7 classes with C twice", () => {
    expect(f.pitchClassEntropy).toBeCloseTo(entropy([2 / 8, 1 / 8, 1 / 8, 1 / 8, 1 / 8, 1 / 8, 1 / 8]), 12);
    expect(f.pitchClassHistogram[0]).toBeCloseTo(2 / 8, 12);
    expect(f.pitchClassHistogram[1]).toBe(0);
    expect(sum(f.pitchClassHistogram)).toBeCloseTo(1, 12);
  });

  it("is monophonic with one beat between onsets and no silence", () => {
    expect(f.polyphony).toBe(1);
    expect(f.meanInterOnsetInterval).toBe(1);
    expect(f.emptyBeatRate).toBe(0);
  });

  it("moves between consecutive pitch classes, normalised over its 7 moves", () => {
    const m = f.pitchClassTransitions;
    expect(m).toHaveLength(12);
    expect(m.every((row) => row.length === 12)).toBe(true);
    expect(m[0]![2]).toBeCloseTo(1 / 7, 12); // C → D
    expect(m[11]![0]).toBeCloseTo(1 / 7, 12); // B → C
    expect(m[2]![0]).toBe(0);
    expect(sum(m.flat())).toBeCloseTo(1, 12);
  });

  it("puts every quarter note in the 1-beat length class", () => {
    const expected = NOTE_LENGTH_CLASSES.map((length) => (length === 1 ? 1 : 0));
    expect(f.noteLengthHistogram).toEqual(expected);
  });
});

describe("pieceFeatures on pitch content", () => {
  it("gives a chromatic run the uniform entropy and 7/12 scale consistency", () => {
    const f = pieceFeatures(line(CHROMATIC));
    expect(f.pitchClassEntropy).toBeCloseTo(Math.log2(12), 12);
    expect(f.scaleConsistency).toBeCloseTo(7 / 12, 12);
    expect(f.pitchClassHistogram.every((p) => Math.abs(p - 1 / 12) < 1e-12)).toBe(true);
  });

  it("finds 7 of 8 notes of A harmonic minor in one scale (G# is outside both modes)", () => {
    expect(pieceFeatures(line(A_HARMONIC_MINOR)).scaleConsistency).toBeCloseTo(7 / 8, 12);
  });

  it("picks the minor mode when only the minor scale fits", () => {
    // D F A Bb fits D natural minor and F major alike (and no scale on C or C#), so the lower
    // tonic D (2) wins, in minor, over F (5) in major.
    const f = pieceFeatures(line([62, 65, 69, 70, 62]));
    expect(f.scaleConsistency).toBe(1);
    expect(f.scaleTonic).toBe(2);
    expect(f.scaleMode).toBe("minor");
  });

  it("scores each 8-beat window in its own key", () => {
    const f = pieceFeatures([...line(C_MAJOR), ...line(F_SHARP_MAJOR, 8)]);
    expect(f.windowedScaleConsistency).toBe(1);
    expect(f.scaleConsistency).toBeLessThan(1);
    // C major and F# major share only B and F (= E#): the best whole-piece scale holds C major's 8
    // notes plus F#'s B and E#, or the mirror image; 10 of 16 either way.
    expect(f.scaleConsistency).toBeCloseTo(10 / 16, 12);
  });

  it("calls a piece of one repeated pitch collapsed", () => {
    const f = pieceFeatures(line(new Array<number>(10).fill(60)));
    expect(f.collapsed).toBe(true);
    expect(f.distinctPitches).toBe(1);
    expect(f.pitchRange).toBe(0);
    expect(f.pitchClassEntropy).toBe(0);
    expect(f.meanPitchShift).toBe(0);
  });

  it("calls a piece collapsed when one pitch is over half its notes, even with many pitches", () => {
    expect(pieceFeatures(line([60, 60, 60, 60, 62, 64, 65])).collapsed).toBe(true);
    expect(pieceFeatures(line([60, 60, 60, 62, 64, 65])).collapsed).toBe(false);
    expect(pieceFeatures(line([60, 62, 64, 60, 62, 64])).collapsed).toBe(true);
  });
});

describe("pieceFeatures on time", () => {
  it("counts a four-note block chord held 4 beats as polyphony 4", () => {
    const f = pieceFeatures([60, 64, 67, 72].map((p) => note(p, 0, 4)));
    expect(f.polyphony).toBe(4);
    expect(f.meanInterOnsetInterval).toBe(0);
    expect(f.noteLengthHistogram[NOTE_LENGTH_CLASSES.indexOf(4)]).toBe(1);
  });

  it("averages polyphony over sounding steps only", () => {
    // Beats 0–1: two notes; beats 2–3: silence; beats 4–5: one note → (8·2 + 8·1) / 16.
    const f = pieceFeatures([note(60, 0, 2), note(64, 0, 2), note(67, 4, 6)]);
    expect(f.polyphony).toBeCloseTo(24 / 16, 12);
  });

  it("gives an 8-beat piece with 4 silent beats an empty-beat rate of 0.5", () => {
    const f = pieceFeatures([note(60, 0), note(62, 1), note(64, 6), note(65, 7)]);
    expect(f.emptyBeatRate).toBe(0.5);
    expect(f.meanInterOnsetInterval).toBeCloseTo(7 / 3, 12);
  });

  it("gives two identical bars a groove consistency of 1", () => {
    const bar = (start: number): QuarterNote[] => [
      note(60, start, start + 0.5),
      note(64, start + 1.5),
      note(67, start + 3),
    ];
    expect(pieceFeatures([...bar(0), ...bar(4)]).grooveConsistency).toBe(1);
  });

  it("compares a bar of sixteen 16ths with a bar of one onset by hand", () => {
    const sixteenths = Array.from({ length: 16 }, (_, i) => note(60 + (i % 5), i / 4, i / 4 + 0.25));
    const f = pieceFeatures([...sixteenths, note(60, 4, 8)]);
    // Patterns differ on the 15 steps after the downbeat, out of 16 steps per bar.
    expect(f.grooveConsistency).toBeCloseTo(1 - 15 / 16, 12);
    expect(f.meanInterOnsetInterval).toBeCloseTo(0.25, 12);
  });

  it("averages groove distance over consecutive bar pairs and honours beatsPerBar", () => {
    // 3/4: bar 0 onsets at beats 0,1,2; bar 1 at 0; bar 2 at 0 → distances 2/12 then 0.
    const notes = [note(60, 0), note(62, 1), note(64, 2), note(65, 3, 6), note(67, 6, 9)];
    expect(pieceFeatures(notes, { beatsPerBar: 3 }).grooveConsistency).toBeCloseTo(1 - (2 / 12 + 0) / 2, 12);
    // An 8th-note grid halves the steps per bar: distances 2/6 then 0.
    const coarse = pieceFeatures(notes, { beatsPerBar: 3, stepsPerBeat: 2 });
    expect(coarse.grooveConsistency).toBeCloseTo(1 - (2 / 6 + 0) / 2, 12);
  });

  it("gives one bar a groove consistency of 1", () => {
    expect(pieceFeatures(line([60, 62, 64])).grooveConsistency).toBe(1);
  });

  it("sorts notes by onset then pitch before looking at consecutive notes", () => {
    const f = pieceFeatures([note(67, 1), note(64, 0), note(60, 0)]);
    // Order 60, 64, 67: shifts 4 and 3.
    expect(f.meanPitchShift).toBe(3.5);
    expect(f.pitchClassTransitions[0]![4]).toBe(0.5);
    expect(f.pitchClassTransitions[4]![7]).toBe(0.5);
  });

  it("puts each duration in its nearest length class", () => {
    const durations = [0.1, 0.3, 0.4, 0.66, 1.2, 2.6, 5.5, 20];
    const expected: (typeof NOTE_LENGTH_CLASSES)[number][] = [0.125, 0.25, 0.375, 0.75, 1, 3, 6, 8];
    durations.forEach((d, i) => {
      const f = pieceFeatures([note(60, 0, d)]);
      expect(f.noteLengthHistogram[NOTE_LENGTH_CLASSES.indexOf(expected[i]!)]).toBe(1);
    });
  });
});

describe("pieceFeatures edge cases", () => {
  it("gives an empty piece zeros and calls it collapsed", () => {
    const f = pieceFeatures([]);
    for (const name of SCALAR_FEATURES) {
      if (name !== "grooveConsistency") expect(f[name], name).toBe(0);
    }
    expect(f.grooveConsistency).toBe(1);
    expect(f.pitchClassHistogram).toEqual(new Array<number>(12).fill(0));
    expect(sum(f.pitchClassTransitions.flat())).toBe(0);
    expect(sum(f.noteLengthHistogram)).toBe(0);
    expect(f.collapsed).toBe(true);
  });

  it("lists only finite numeric fields in SCALAR_FEATURES", () => {
    const f = pieceFeatures(line(C_MAJOR));
    expect(new Set(SCALAR_FEATURES).size).toBe(SCALAR_FEATURES.length);
    for (const name of SCALAR_FEATURES) expect(Number.isFinite(f[name]), name).toBe(true);
  });

  it("does not reorder the caller's notes", () => {
    const notes = [note(67, 1), note(60, 0)];
    pieceFeatures(notes);
    expect(notes.map((n) => n.pitch)).toEqual([67, 60]);
  });

  it("rejects grids that do not divide a bar into whole steps", () => {
    expect(() => pieceFeatures([], { stepsPerBeat: 0 })).toThrow(RangeError);
    expect(() => pieceFeatures([], { stepsPerBeat: 1.5 })).toThrow(RangeError);
    expect(() => pieceFeatures([], { beatsPerBar: 0 })).toThrow(RangeError);
    expect(() => pieceFeatures([], { beatsPerBar: 2.1 })).toThrow(RangeError);
    expect(() => pieceFeatures([], { beatsPerBar: 2.5 })).not.toThrow();
  });
});

describe("summarize", () => {
  it("gives mean, population std, min and max", () => {
    expect(summarize([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, std: 2, min: 2, max: 9 });
  });

  it("gives zeros for no values", () => {
    expect(summarize([])).toEqual({ mean: 0, std: 0, min: 0, max: 0 });
  });
});
