import type { QuarterNote } from "@motif/midi";
import { describe, expect, it } from "vitest";
import { featureHistograms, featureRanges, quantile, rangePosition, valueRange } from "./feature-ranges.js";
import { pieceFeatures } from "./piece-features.js";

describe("feature ranges", () => {
  it("interpolates quantiles linearly between sorted values", () => {
    const sorted = [0, 10, 20, 30, 40];
    expect(quantile(sorted, 0)).toBe(0);
    expect(quantile(sorted, 0.5)).toBe(20);
    expect(quantile(sorted, 0.1)).toBeCloseTo(4, 12);
    expect(quantile(sorted, 1)).toBe(40);
    expect(quantile([], 0.5)).toBe(0);
  });

  it("summarises values in any order", () => {
    expect(valueRange([3, 1, 2])).toEqual({
      min: 1,
      p10: 1.2,
      median: 2,
      p90: 2.8,
      max: 3,
      mean: 2,
      std: Math.sqrt(2 / 3),
    });
    expect(rangePosition(1.1, valueRange([3, 1, 2]))).toBe("below");
    expect(rangePosition(2, valueRange([3, 1, 2]))).toBe("typical");
    expect(rangePosition(2.9, valueRange([3, 1, 2]))).toBe("above");
  });

  const scale = (count: number): QuarterNote[] =>
    Array.from({ length: count }, (_, i) => ({
      pitch: 60 + [0, 2, 4, 5, 7, 9, 11][i % 7]!,
      velocity: 80,
      startQuarter: i,
      endQuarter: i + 1,
    }));

  it("ranges every scalar feature over songs, and bins two sets on one grid", () => {
    const songs = [scale(8), scale(16), scale(32)].map((notes) => pieceFeatures(notes));
    const ranges = featureRanges(songs);
    expect(ranges.noteCount).toMatchObject({ min: 8, median: 16, max: 32 });
    expect(ranges.scaleConsistency.min).toBe(1);
    const pieces = [pieceFeatures(scale(64))];
    const histograms = featureHistograms(pieces, songs, 4);
    expect(histograms.noteCount.edges).toEqual([8, 22, 36, 50, 64]);
    expect(histograms.noteCount.reference).toEqual([2 / 3, 1 / 3, 0, 0]);
    expect(histograms.noteCount.generated).toEqual([0, 0, 0, 1]);
    // One value everywhere: a unit-wide grid around it, everything in one bin.
    expect(histograms.scaleConsistency.edges[0]).toBe(0.5);
    expect(histograms.scaleConsistency.reference.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(() => featureHistograms(pieces, songs, 0)).toThrow(/bins/);
  });
});

describe("evenlySpaced (the reference songs the overlap compares)", () => {
  it("keeps every item up to the count, else spreads the count over the list", async () => {
    const { evenlySpaced } = await import("./music-report.js");
    expect(evenlySpaced([1, 2, 3], 5)).toEqual([1, 2, 3]);
    expect(
      evenlySpaced(
        Array.from({ length: 10 }, (_, i) => i),
        4,
      ),
    ).toEqual([0, 2, 5, 7]);
  });
});
