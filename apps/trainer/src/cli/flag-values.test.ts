import { describe, expect, it } from "vitest";
import { integerFlag, numberFlag, parseTranspositions } from "./flag-values.js";

describe("parseTranspositions", () => {
  it("expands a range without the untransposed original", () => {
    expect(parseTranspositions("-2..3")).toEqual([-2, -1, 1, 2, 3]);
  });
  it("reads lists, de-duplicated and sorted", () => {
    expect(parseTranspositions("5,-2,5,0")).toEqual([-2, 5]);
  });
  it("turns none/off into no augmentation", () => {
    expect(parseTranspositions("none")).toEqual([]);
    expect(parseTranspositions("off")).toEqual([]);
  });
  it("explains bad input", () => {
    expect(parseTranspositions("3..-3")).toMatch(/runs backwards/);
    expect(parseTranspositions("up")).toMatch(/expected a range/);
    expect(parseTranspositions("-13..0")).toMatch(/more than an octave/);
  });
});

describe("numeric flags", () => {
  it("accepts whole numbers in range and rejects the rest with a reason", () => {
    const epochs = integerFlag(1, 100);
    expect(epochs.parse("12")).toBe(12);
    expect(epochs.safeParse("1.5").error?.issues[0]?.message).toBe("expected a whole number");
    expect(epochs.safeParse("0").error?.issues[0]?.message).toBe("must be at least 1");
    expect(epochs.safeParse("abc").success).toBe(false);
  });
  it("reads decimals and exponents, honouring an exclusive minimum", () => {
    const lr = numberFlag(0, 1, { exclusiveMin: true });
    expect(lr.parse("2e-3")).toBeCloseTo(0.002);
    expect(lr.parse(".5")).toBe(0.5);
    expect(lr.safeParse("0").error?.issues[0]?.message).toBe("must be greater than 0");
    expect(lr.safeParse("fast").error?.issues[0]?.message).toBe("expected a number");
  });
});
