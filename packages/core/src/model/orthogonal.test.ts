import { describe, expect, it } from "vitest";
import { orthogonalMatrix } from "./orthogonal.js";

function gram(m: Float32Array, rows: number, cols: number, byRows: boolean): number[][] {
  const n = byRows ? rows : cols;
  const at = (v: number, i: number) => (byRows ? (m[v * cols + i] as number) : (m[i * cols + v] as number));
  const len = byRows ? cols : rows;
  return Array.from({ length: n }, (_, a) =>
    Array.from({ length: n }, (_, b) =>
      Array.from({ length: len }, (_, i) => at(a, i) * at(b, i)).reduce((s, x) => s + x, 0),
    ),
  );
}

describe("orthogonalMatrix", () => {
  it("has orthonormal rows for a wide [u, 4u] recurrent kernel", () => {
    const m = orthogonalMatrix(8, 32, 1);
    gram(m, 8, 32, true).forEach((row, a) =>
      row.forEach((v, b) => expect(v).toBeCloseTo(a === b ? 1 : 0, 5)),
    );
  });

  it("has orthonormal columns for a tall matrix", () => {
    const m = orthogonalMatrix(12, 5, 2);
    gram(m, 12, 5, false).forEach((row, a) =>
      row.forEach((v, b) => expect(v).toBeCloseTo(a === b ? 1 : 0, 5)),
    );
  });

  it("is deterministic from the seed", () => {
    expect(orthogonalMatrix(4, 16, 3)).toEqual(orthogonalMatrix(4, 16, 3));
    expect(orthogonalMatrix(4, 16, 3)).not.toEqual(orthogonalMatrix(4, 16, 4));
  });
});
