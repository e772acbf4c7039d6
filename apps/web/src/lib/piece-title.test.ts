import { describe, expect, it } from "vitest";
import { estimateKey, finishedTitle, initialTitle } from "./piece-title";
import type { RollNote } from "./roll";

const scale = (pitches: number[]): RollNote[] => pitches.map((p, i) => [p, 80, i, i + 1]);

describe("piece titles", () => {
  it("names the key of a plain C major scale and an A harmonic minor scale", () => {
    expect(estimateKey(scale([60, 62, 64, 65, 67, 69, 71, 72, 60, 64, 67]))).toBe("C major");
    expect(estimateKey(scale([57, 59, 60, 62, 64, 65, 68, 69, 57, 60, 64]))).toBe("A minor");
  });
  it("has no key without notes and keeps the seed's form", () => {
    expect(estimateKey([])).toBeNull();
    expect(initialTitle(0)).toBe("Nocturne No. 1");
    expect(finishedTitle(0, [])).toBe("Nocturne No. 1");
    expect(finishedTitle(11, scale([60, 64, 67]))).toBe("Étude in C major");
  });
});
