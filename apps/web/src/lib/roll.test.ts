import { describe, expect, it } from "vitest";
import { applyNotesUpdate, durationSeconds, firstDifference, pitchRange, type RollNote } from "./roll";

describe("roll helpers", () => {
  const a: RollNote[] = [[60, 80, 0, 1], [64, 80, 1, 2]];
  it("finds where a stream update starts and applies it", () => {
    const b: RollNote[] = [[60, 80, 0, 1], [64, 80, 1, 3], [67, 90, 3, 4]];
    const from = firstDifference(a, b);
    expect(from).toBe(1);
    expect(applyNotesUpdate(a, from, b.slice(from))).toEqual(b);
    expect(firstDifference(a, a)).toBe(2);
  });
  it("measures duration at 120 bpm and pads narrow pitch ranges", () => {
    expect(durationSeconds(a)).toBe(1);
    expect(pitchRange(a)).toEqual({ low: 50, high: 74 });
    expect(pitchRange([[21, 1, 0, 1], [108, 1, 0, 1]])).toEqual({ low: 21, high: 108 });
  });
});
