import { describe, expect, it } from "vitest";
import {
  applyNotesUpdate,
  durationSeconds,
  pitchRange,
  quartersToSeconds,
  secondsToQuarters,
  toRoll,
  type RollNote,
} from "./roll";

describe("roll helpers", () => {
  const a: RollNote[] = [
    [60, 80, 0, 1],
    [64, 80, 1, 2],
  ];
  it("applies a stream update from its index", () => {
    const b: RollNote[] = [
      [60, 80, 0, 1],
      [64, 80, 1, 3],
      [67, 90, 3, 4],
    ];
    expect(applyNotesUpdate(a, 1, b.slice(1))).toEqual(b);
    expect(applyNotesUpdate(a, 5, [])).toEqual(a);
  });
  it("measures duration at the piece's tempo (the gallery's 120 bpm by default) and pads narrow pitch ranges", () => {
    expect(durationSeconds(a)).toBe(1);
    expect(durationSeconds(a, 60)).toBe(2);
    expect(quartersToSeconds(3, 90)).toBeCloseTo(2);
    expect(secondsToQuarters(2, 90)).toBeCloseTo(3);
    expect(pitchRange(a)).toEqual({ low: 50, high: 74 });
    expect(
      pitchRange([
        [21, 1, 0, 1],
        [108, 1, 0, 1],
      ]),
    ).toEqual({ low: 21, high: 108 });
  });
  it("turns composed notes into roll tuples, beats rounded to 1/10,000", () => {
    expect(toRoll([{ pitch: 60, velocity: 80, startQuarter: 1 / 3, endQuarter: 2.000049 }])).toEqual([
      [60, 80, 0.3333, 2],
    ]);
    expect(toRoll([])).toEqual([]);
  });
});
