import type { QuarterNote } from "@motif/midi";
import { describe, expect, it } from "vitest";
import { createRng } from "../primitives/rng.js";
import { pieceFeatures, SCALAR_FEATURES, type PieceFeatures } from "./piece-features.js";
import {
  compareDistances,
  compareSets,
  gaussianKde,
  interSetDistances,
  intraSetDistances,
  klDivergence,
  overlapArea,
  scottBandwidth,
} from "./set-comparison.js";

/** Seeded uniform [0, 1) (core's own PRNG), so every synthetic set is the same on every run. */
function rng(seed: number): () => number {
  const random = createRng(seed);
  return () => random.next();
}

/** A random piece: 20–80 notes, random-walk pitches, onsets on a 16th grid, some chords. */
function randomPiece(random: () => number): QuarterNote[] {
  const count = 20 + Math.floor(random() * 60);
  const notes: QuarterNote[] = [];
  let pitch = 48 + Math.floor(random() * 24);
  let time = 0;
  for (let i = 0; i < count; i++) {
    time += Math.floor(random() * 5) * 0.25;
    pitch = Math.min(100, Math.max(30, pitch + Math.floor(random() * 11) - 5));
    notes.push({
      pitch,
      velocity: 80,
      startQuarter: time,
      endQuarter: time + 0.25 + Math.floor(random() * 4) * 0.25,
    });
  }
  return notes;
}

const randomSet = (seed: number, size: number): PieceFeatures[] => {
  const random = rng(seed);
  return Array.from({ length: size }, () => pieceFeatures(randomPiece(random)));
};

/** Features whose every scalar is `value` (the rest from an empty piece). */
const flat = (value: number): PieceFeatures => {
  const f = pieceFeatures([]);
  for (const feature of SCALAR_FEATURES) f[feature] = value;
  return f;
};

const grid = (from: number, to: number, size: number): number[] =>
  Array.from({ length: size }, (_, i) => from + ((to - from) * i) / (size - 1));
const integrate = (f: (x: number) => number, xs: readonly number[]): number =>
  xs.slice(1).reduce((sum, x, i) => sum + 0.5 * (f(x) + f(xs[i] as number)) * (x - (xs[i] as number)), 0);

describe("scottBandwidth", () => {
  it("is the sample standard deviation times n^(−1/5)", () => {
    const samples = [1, 2, 3, 4, 5];
    expect(scottBandwidth(samples)).toBeCloseTo(Math.sqrt(2.5) * 5 ** -0.2, 12);
    expect(scottBandwidth([0, 10])).toBeCloseTo(Math.sqrt(50) * 2 ** -0.2, 12);
  });

  it("floors a zero spread at 1e-6 of the scale", () => {
    expect(scottBandwidth([3, 3, 3])).toBeCloseTo(3e-6, 18);
    expect(scottBandwidth([0, 0])).toBeCloseTo(1e-6, 18);
    expect(scottBandwidth([7])).toBeCloseTo(7e-6, 18);
    expect(() => scottBandwidth([])).toThrow(RangeError);
  });
});

describe("gaussianKde", () => {
  it("integrates to 1", () => {
    const kde = gaussianKde([0, 1, 5, 5.5, 12], 0.7);
    expect(integrate(kde, grid(-10, 25, 4001))).toBeCloseTo(1, 8);
  });

  it("is one normal density for one sample", () => {
    const kde = gaussianKde([2], 0.5);
    expect(kde(2)).toBeCloseTo(1 / (0.5 * Math.sqrt(2 * Math.PI)), 12);
    expect(kde(3)).toBeCloseTo(Math.exp(-2) / (0.5 * Math.sqrt(2 * Math.PI)), 12);
  });

  it("rejects a non-positive bandwidth", () => {
    expect(() => gaussianKde([1], 0)).toThrow(RangeError);
  });
});

describe("overlapArea and klDivergence", () => {
  const xs = grid(-10, 10, 2001);
  const normal = (mu: number) => xs.map((x) => Math.exp(-0.5 * (x - mu) ** 2) / Math.sqrt(2 * Math.PI));

  it("give 1 and 0 for one density twice", () => {
    expect(overlapArea(normal(0), normal(0), xs)).toBeCloseTo(1, 8);
    expect(klDivergence(normal(0), normal(0), xs)).toBeCloseTo(0, 12);
  });

  it("match the closed forms for two unit normals one apart", () => {
    // OA = 2Φ(−1/2); KL = (Δμ)² / 2.
    expect(overlapArea(normal(0), normal(1), xs)).toBeCloseTo(0.617075077, 4); // the kink of min costs the trapezoid ~3e-6;
    expect(klDivergence(normal(0), normal(1), xs)).toBeCloseTo(0.5, 6);
  });
});

describe("compareDistances", () => {
  it("integrates a constant list next to a wide one", () => {
    // The all-zero list has a 1e-6 kernel; on a grid of step ~0.2 it must still hold its mass.
    const { oa, kl } = compareDistances(
      [0, 0, 0],
      Array.from({ length: 50 }, (_, i) => i * 2),
    );
    expect(oa).toBeGreaterThanOrEqual(0);
    expect(oa).toBeLessThan(0.1);
    expect(Number.isFinite(kl)).toBe(true);
    expect(kl).toBeGreaterThan(1);
  });

  it("gives full overlap for two constant lists at the same value", () => {
    const { oa, kl } = compareDistances([0, 0, 0], [0, 0]);
    expect(oa).toBeCloseTo(1, 6);
    expect(kl).toBeCloseTo(0, 6);
  });
});

describe("compareSets", () => {
  const reference = randomSet(1, 40);

  it("gives overlap near 1 and KL near 0 for a set against itself", () => {
    const result = compareSets(reference, reference);
    expect(result.meanOA).toBeGreaterThan(0.9);
    for (const feature of SCALAR_FEATURES) expect(result.features[feature].kl).toBeLessThan(0.05);
  });

  it("gives a high overlap for another sample of the same process", () => {
    expect(compareSets(randomSet(2, 40), reference).meanOA).toBeGreaterThan(0.75);
  });

  it("gives overlap near 0 for a set whose features are shifted far away", () => {
    const shifted = reference.map((f) => {
      const g = { ...f };
      for (const feature of SCALAR_FEATURES) g[feature] = f[feature] + 1000;
      return g;
    });
    const result = compareSets(shifted, reference);
    expect(result.meanOA).toBeLessThan(0.01);
    for (const feature of SCALAR_FEATURES) {
      expect(result.features[feature].oa).toBeLessThan(0.01);
      expect(result.features[feature].kl).toBeGreaterThan(1);
    }
  });

  it("reports the mean intra- and inter-set distances", () => {
    const result = compareSets([flat(10)], [flat(0), flat(1), flat(3)]);
    for (const feature of SCALAR_FEATURES) {
      expect(result.features[feature].intraMean).toBeCloseTo(2, 12); // |0−1|, |0−3|, |1−3|
      expect(result.features[feature].interMean).toBeCloseTo(26 / 3, 12); // 10, 9, 7
    }
  });

  it("needs two reference pieces and one generated piece", () => {
    expect(() => compareSets(reference, reference.slice(0, 1))).toThrow(/at least 2 reference/);
    expect(() => compareSets([], reference)).toThrow(/at least 1 generated/);
  });
});

describe("set distances", () => {
  it("take pairs within a set once and every pair across sets", () => {
    expect(intraSetDistances([0, 1, 3])).toEqual([1, 3, 2]);
    expect(interSetDistances([10, 0], [1, 3])).toEqual([9, 7, 1, 3]);
  });
});
