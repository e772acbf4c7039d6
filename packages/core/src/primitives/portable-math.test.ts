// portableExp/portableExpm1/portableTanh: fdlibm's bits on every engine (pure IEEE float64 arithmetic).
import { describe, expect, it } from "vitest";
import { createRng } from "./rng.js";
import { portableExp, portableExpm1, portableLog, portableTanh } from "./portable-math.js";

/** Arguments over the ranges the gates see and the edges of every branch. */
function sampleArguments(count: number): number[] {
  const rng = createRng(2026);
  const edges = [
    0,
    -0,
    1,
    -1,
    0.5,
    -0.25,
    22,
    -22,
    21.999999,
    709.78,
    709.79,
    -745.13,
    -745.14,
    38.8,
    -38.9,
    1e-300,
    -1e-300,
    2 ** -28,
    -(2 ** -29),
    2 ** -55,
    5e-324,
  ];
  const spread = Array.from({ length: count }, () => (rng.next() - 0.5) * 2 ** (rng.next() * 14 - 6)); // |x| up to 256
  const wide = Array.from({ length: count / 10 }, () => (rng.next() - 0.5) * 1500);
  return [...edges, ...edges.map((e) => e * Math.LN2), ...spread, ...wide];
}

const functions = [
  ["exp", portableExp, Math.exp],
  ["expm1", portableExpm1, Math.expm1],
  ["tanh", portableTanh, Math.tanh],
] as const;

/** FNV-1a over the 64 bits of every value: one number that changes if any bit does. */
function bitsChecksum(values: number[]): string {
  const view = new DataView(new ArrayBuffer(8));
  let hash = 0x811c9dc5;
  for (const v of values) {
    view.setFloat64(0, v);
    for (let b = 0; b < 8; b++) hash = Math.imul(hash ^ view.getUint8(b), 0x01000193) >>> 0;
  }
  return hash.toString(16);
}

describe("portable math", () => {
  const args = sampleArguments(100_000);

  for (const [name, portable, builtin] of functions) {
    it(`${name} is within one ulp of Math.${name} and exact at the special values`, () => {
      let worst = 0;
      for (const x of args) {
        const expected = builtin(x);
        const actual = portable(x);
        if (expected === 0 || !Number.isFinite(expected)) expect(actual).toBe(expected);
        else worst = Math.max(worst, Math.abs(actual - expected) / Math.abs(expected));
      }
      expect(worst).toBeLessThanOrEqual(2.3e-16);
      for (const [x, y] of [
        [NaN, NaN],
        [Infinity, builtin(Infinity)],
        [-Infinity, builtin(-Infinity)],
        [0, builtin(0)],
        [-0, builtin(-0)],
      ]) {
        expect(Object.is(portable(x as number), y)).toBe(true);
      }
    });
  }

  // The bits on every engine: a checksum of 110,042 results, recorded once (V8, x86-64). Pure
  // float64 +, −, ×, ÷ cannot round differently elsewhere, so this holds in any browser.
  it("gives the recorded bits (checksums of exp, expm1 and tanh over the sample)", () => {
    expect(args).toHaveLength(110_042);
    expect(functions.map(([, portable]) => bitsChecksum(args.map(portable)))).toEqual([
      "4a6c6142",
      "a4698093",
      "bfee298e",
    ]);
  });

  // V8 11.x (Node 20) computes Math.exp/expm1/tanh with fdlibm in C++ without fused multiply-add
  // on x86-64: there the port must agree bit for bit, so today's tokens do not change.
  const v8Fdlibm =
    typeof process !== "undefined" && process.arch === "x64" && /^11\./.test(process.versions.v8 ?? "");
  describe.skipIf(!v8Fdlibm)(
    `bit for bit equal to Math on V8 11 x86-64${v8Fdlibm ? "" : " (skipped: not Node 20 on x86-64)"}`,
    () => {
      for (const [name, portable, builtin] of functions) {
        it(`${name}`, () => {
          const differing = args.filter((x) => !Object.is(portable(x), builtin(x)));
          expect(differing).toEqual([]);
        });
      }
    },
  );
});

describe("portableLog", () => {
  it("is within 1e-15 of Math.log from 5e-324 to 1e300, exact at 1 and the special values", () => {
    const rng = createRng(7);
    const xs = [5e-324, 1e-300, 0.5, Math.SQRT1_2, Math.SQRT2, 2, 3, 1e300];
    for (let i = 0; i < 20_000; i++) xs.push(2 ** (rng.next() * 40 - 20), rng.next() * 1000);
    let worst = 0;
    for (const x of xs) {
      const expected = Math.log(x);
      worst = Math.max(worst, Math.abs(portableLog(x) - expected) / Math.max(1e-300, Math.abs(expected)));
    }
    expect(worst).toBeLessThan(1e-15);
    expect(portableLog(1)).toBe(0);
    expect(portableLog(0)).toBe(-Infinity);
    expect(portableLog(Infinity)).toBe(Infinity);
    expect(portableLog(-1)).toBeNaN();
    expect(portableLog(NaN)).toBeNaN();
  });

  it("inverts portableExp to within 1e-15", () => {
    for (const y of [-700, -20, -1, -1e-9, 1e-9, 0.3, 1, 20, 700])
      expect(Math.abs(portableLog(portableExp(y)) - y)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(y)));
  });
});
