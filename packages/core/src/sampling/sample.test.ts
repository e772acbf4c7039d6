import { describe, expect, it } from "vitest";
import { createRng, restoreRng, shuffleInPlace } from "../primitives/rng.js";
import { sampleFromLogits, type SamplingOptions } from "./sample.js";

const opts = (o: Partial<SamplingOptions> = {}): SamplingOptions => ({
  temperature: 1,
  topK: null,
  topP: null,
  ...o,
});
const logits = Float32Array.from([0.1, 2.0, -1.0, 1.5, 0.3, 2.0 - 1e-3]);

function histogram(draw: () => number, n: number, size: number): number[] {
  const counts = new Array<number>(size).fill(0);
  for (let i = 0; i < n; i++) counts[draw()]!++;
  return counts;
}

describe("createRng", () => {
  it("gives the same stream for the same seed and different streams for different seeds", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const take = (r: ReturnType<typeof createRng>) => Array.from({ length: 5 }, () => r.next());
    const first = take(a);
    expect(take(b)).toEqual(first);
    expect(take(c)).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it("continues exactly from a saved state", () => {
    const rng = createRng(7);
    rng.next();
    const saved = rng.state();
    const expected = [rng.next(), rng.next(), rng.next()];
    const resumed = restoreRng(saved);
    expect([resumed.next(), resumed.next(), resumed.next()]).toEqual(expected);
    expect(() => restoreRng([1, 2, 3])).toThrow(/four 32-bit unsigned integers/);
  });

  it("is roughly uniform and shuffles into a permutation", () => {
    const rng = createRng(1);
    const counts = histogram(() => Math.floor(rng.next() * 10), 20_000, 10);
    counts.forEach((c) => expect(Math.abs(c - 2000)).toBeLessThan(200));
    const shuffled = shuffleInPlace([...Array(50).keys()], createRng(3));
    expect([...shuffled].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect(shuffled).not.toEqual([...Array(50).keys()]);
  });
});

describe("sampleFromLogits", () => {
  it("topK = 1 and temperature 0 are argmax", () => {
    const rng = createRng(5);
    for (let i = 0; i < 20; i++) expect(sampleFromLogits(logits, opts({ topK: 1 }), rng)).toBe(1);
    expect(sampleFromLogits(logits, opts({ temperature: 0 }), rng)).toBe(1);
  });

  it("breaks exact ties by the lower id", () => {
    const tied = Float32Array.from([0, 3, 1, 3]);
    expect(sampleFromLogits(tied, opts({ temperature: 0 }), createRng(1))).toBe(1);
    expect(sampleFromLogits(tied, opts({ temperature: 0 }), createRng(1), (id) => id !== 1)).toBe(3);
  });

  it("gives the same draws for the same seed", () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 30 }, () =>
        sampleFromLogits(logits, opts({ temperature: 1.3, topP: 0.97 }), rng),
      );
    };
    expect(draw(11)).toEqual(draw(11));
    expect(draw(11)).not.toEqual(draw(12));
  });

  it("follows the softmax distribution at temperature 1", () => {
    const small = Float32Array.from([0, Math.log(2), Math.log(7)]); // probabilities 0.1, 0.2, 0.7
    const rng = createRng(9);
    const counts = histogram(() => sampleFromLogits(small, opts(), rng), 20_000, 3);
    expect(counts[0]! / 20_000).toBeCloseTo(0.1, 1);
    expect(counts[1]! / 20_000).toBeCloseTo(0.2, 1);
    expect(counts[2]! / 20_000).toBeCloseTo(0.7, 1);
  });

  it("top-p keeps the minimal nucleus", () => {
    const probs = [0.5, 0.3, 0.15, 0.05];
    const l = Float32Array.from(probs.map(Math.log));
    const seen = (topP: number) => {
      const rng = createRng(2);
      return new Set(Array.from({ length: 2000 }, () => sampleFromLogits(l, opts({ topP }), rng)));
    };
    expect(seen(0.5)).toEqual(new Set([0])); // 0.5 alone reaches 0.5
    expect(seen(0.6)).toEqual(new Set([0, 1]));
    expect(seen(0.8)).toEqual(new Set([0, 1])); // 0.5 + 0.3 reaches 0.8
    expect(seen(0.81)).toEqual(new Set([0, 1, 2]));
    expect(seen(1)).toEqual(new Set([0, 1, 2, 3]));
  });

  it("top-k keeps the k most likely", () => {
    const rng = createRng(4);
    const seen = new Set(
      Array.from({ length: 2000 }, () => sampleFromLogits(logits, opts({ topK: 3, temperature: 5 }), rng)),
    );
    expect(seen).toEqual(new Set([1, 5, 3]));
  });

  it("never draws a masked token, nor a -Infinity one", () => {
    const rng = createRng(8);
    const masked = Float32Array.from([5, -Infinity, 0, 0]);
    for (let i = 0; i < 500; i++) {
      const id = sampleFromLogits(masked, opts({ temperature: 2 }), rng, (id) => id !== 0);
      expect([2, 3]).toContain(id);
    }
  });

  it("throws clearly on NaN, +Infinity, nothing allowed and bad options", () => {
    const rng = createRng(1);
    expect(() => sampleFromLogits(Float32Array.from([0, NaN]), opts(), rng)).toThrow(/NaN at id 1/);
    expect(() => sampleFromLogits(Float32Array.from([Infinity, 0]), opts(), rng)).toThrow(
      /\+Infinity at id 0/,
    );
    expect(() => sampleFromLogits(logits, opts(), rng, () => false)).toThrow(/no token can be sampled/);
    expect(() => sampleFromLogits(logits, opts({ topK: 0 }), rng)).toThrow(/topK must be a positive integer/);
    expect(() => sampleFromLogits(logits, opts({ topP: 1.5 }), rng)).toThrow(/topP must be in \(0, 1\]/);
    expect(() => sampleFromLogits(logits, opts({ temperature: -1 }), rng)).toThrow(/temperature/);
  });
});
