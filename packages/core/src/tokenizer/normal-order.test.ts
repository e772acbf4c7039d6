import { describe, expect, it } from "vitest";
import { normalOrder, orderedPitchClasses, transposedNormalForm } from "./normal-order.js";

const C = 60;

describe("normalOrder (music21's Chord.normalOrder)", () => {
  it("reproduces the examples of music21's own documentation", () => {
    expect(normalOrder([C, C + 3, C + 7])).toEqual([0, 3, 7]); // C E- G
    expect(normalOrder([C, C + 4, C + 7])).toEqual([0, 4, 7]); // C E G
    expect(normalOrder([62, 66, 69])).toEqual([2, 6, 9]); // D F# A
    expect(normalOrder([70, 74, 77])).toEqual([10, 2, 5]); // B-4 D5 F5
    // G#2 A2 D3 G3: music21 gave [2,3,4,9] until 2017 (https://github.com/cuthbertLab/music21/issues/248).
    expect(normalOrder([44, 45, 50, 55])).toEqual([7, 8, 9, 2]);
    expect(normalOrder([55, 62, 68, 69, 72, 76])).toEqual([7, 8, 9, 0, 2, 4]); // G3 D4 A-4 A4 C5 E5
    expect(normalOrder([53, 57, 61])).toEqual([1, 5, 9]); // E#3 A3 C#4
  });

  it("keeps music21's pre-2024 table rule for inverted (B) forms", () => {
    // B5 G4 D5 E-5 D6: textbook normal form is [11,2,3,7]; music21 before its 2024 fix gave [7,11,2,3]
    // (https://github.com/cuthbertLab/music21/issues/1663).
    expect(normalOrder([83, 67, 74, 75, 86])).toEqual([7, 11, 2, 3]);
  });

  it("breaks the ties of symmetrical chords at the lowest pitch class that works", () => {
    expect(normalOrder([0, 4, 8])).toEqual([0, 4, 8]);
    expect(normalOrder([10, 2, 6])).toEqual([2, 6, 10]);
    expect(normalOrder([11, 3, 7])).toEqual([3, 7, 11]);
    expect(normalOrder([9, 0, 3, 6])).toEqual([0, 3, 6, 9]);
    expect(normalOrder([1, 4, 7, 10])).toEqual([1, 4, 7, 10]);
    expect(normalOrder([0, 1, 6, 7])).toEqual([0, 1, 6, 7]);
    expect(normalOrder([11, 0, 5, 6])).toEqual([5, 6, 11, 0]);
    expect(normalOrder([0, 6])).toEqual([0, 6]);
    expect(normalOrder([9, 3])).toEqual([3, 9]);
    expect(normalOrder([10, 8, 6, 4, 2, 0])).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it("orders common chords and dyads as the seed's tokens show them", () => {
    expect(normalOrder([64, 67, 71])).toEqual([4, 7, 11]); // E minor
    expect(normalOrder([55, 59, 62, 65])).toEqual([11, 2, 5, 7]); // G7
    expect(normalOrder([48, 55])).toEqual([7, 0]); // a fifth wraps around
    expect(normalOrder([59, 60])).toEqual([11, 0]);
    expect(normalOrder([48, 60, 72])).toEqual([0]); // octaves collapse
  });

  it("finds exactly one table entry for each of the 4095 pitch-class sets", () => {
    for (let mask = 1; mask < 4096; mask++) {
      const set = Array.from({ length: 12 }, (_, pc) => pc).filter((pc) => (mask >> pc) & 1);
      const order = normalOrder(set);
      expect([...order].sort((a, b) => a - b)).toEqual(set);
      // A normal order is a rotation of the sorted set: its span is under an octave.
      const span = ((order[order.length - 1] ?? 0) - (order[0] ?? 0) + 12) % 12;
      expect(span).toBeLessThan(12);
    }
  });

  it("tells apart all 351 transpositional set classes (A and B forms of Forte's 223 classes)", () => {
    const templates = new Set<string>();
    for (let mask = 1; mask < 4096; mask++) {
      const set = Array.from({ length: 12 }, (_, pc) => pc).filter((pc) => (mask >> pc) & 1);
      templates.add(String(transposedNormalForm(set)));
    }
    expect(templates.size).toBe(351);
  });

  it("uses table forms that are the most compact rotation of their set", () => {
    for (let mask = 1; mask < 4096; mask++) {
      const set = Array.from({ length: 12 }, (_, pc) => pc).filter((pc) => (mask >> pc) & 1);
      const template = transposedNormalForm(orderedPitchClasses(set));
      const spans = set.map((pc, i) => ((set[(i + set.length - 1) % set.length] ?? 0) - pc + 12) % 12);
      expect(template?.[template.length - 1]).toBe(Math.min(...spans));
    }
  });
});
