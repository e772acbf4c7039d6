// The kernel's float64 sums are the JS step's sums, bit for bit, for any shape.
import { describe, expect, it } from "vitest";
import { createRng } from "../../primitives/rng.js";
import { accumulate } from "../step-weights.js";
import { createKernelMatrices } from "./kernel.js";

/** Values over many magnitudes, so a different summation order would change low bits. */
function spread(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 7 - 3));
}

function bitsDiffer(a: Float64Array, b: Float64Array): number {
  return a.reduce((count, v, j) => count + (Object.is(v, b[j]) ? 0 : 1), 0);
}

describe("createKernelMatrices", () => {
  const shapes: [number, number, number][] = [
    // [rows of part 1, rows of part 2, columns]: block edges (16), padding, one column, no second part
    [1, 0, 1],
    [3, 2, 15],
    [64, 256, 16],
    [7, 9, 17],
    [300, 700, 40],
    [64, 256, 1024],
  ];
  it("sums = bias + x·W in float64, identical bits to the JS accumulate, for shapes around the 16-column blocks", () => {
    const matrices = shapes.map(([top, bottom, columns], i) => ({
      columns,
      parts: [
        Float32Array.from(spread(top * columns, i)),
        Float32Array.from(spread(bottom * columns, 50 + i)),
      ].filter((p) => p.length > 0),
    }));
    const kernels = createKernelMatrices(matrices);
    shapes.forEach(([top, bottom, columns], i) => {
      const kernel = kernels[i]!;
      const x = spread(top + bottom, 100 + i);
      const bias = spread(columns, 200 + i);
      kernel.input.set(x);
      kernel.sums.set(bias);
      kernel.run();
      const expected = Float64Array.from(bias);
      const weights = new Float64Array((top + bottom) * columns);
      let at = 0;
      for (const part of matrices[i]!.parts) {
        weights.set(part, at);
        at += part.length;
      }
      accumulate(expected, x, weights);
      expect(kernel.sums).toHaveLength(columns);
      expect(bitsDiffer(kernel.sums, expected)).toBe(0);
      if (top + bottom >= 300) {
        // The check has teeth: summing the same terms in another order changes bits.
        const reversed = Float64Array.from(bias);
        for (let j = 0; j < columns; j++)
          for (let r = top + bottom - 1; r >= 0; r--) reversed[j]! += x[r]! * weights[r * columns + j]!;
        expect(bitsDiffer(reversed, expected)).toBeGreaterThan(0);
      }
    });
  });

  it("refuses a part whose length is not a whole number of rows", () => {
    expect(() => createKernelMatrices([{ columns: 4, parts: [new Float32Array(10)] }])).toThrow(
      /10 values does not have 4 columns/,
    );
  });
});
