// zod schemas for flag values (flags arrive as strings; these turn them into checked numbers).
import { z } from "zod";

export function integerFlag(min: number, max: number) {
  return z
    .string()
    .regex(/^-?\d+$/, "expected a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

export function numberFlag(min: number, max: number, options: { exclusiveMin?: boolean } = {}) {
  const base = z.number().max(max, `must be at most ${max}`);
  const bounded = options.exclusiveMin
    ? base.gt(min, `must be greater than ${min}`)
    : base.min(min, `must be at least ${min}`);
  return z
    .string()
    .regex(/^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i, "expected a number")
    .transform(Number)
    .pipe(bounded);
}

/** A seed: any 32-bit unsigned integer. */
export const seedFlag = integerFlag(0, 2 ** 32 - 1);

/** "-3..3" or "-2,0,5" or "none" → semitone shifts. */
export const transpositionFlag = z.string().transform((text, ctx) => {
  const shifts = parseTranspositions(text);
  if (typeof shifts === "string") {
    ctx.addIssue({ code: "custom", message: shifts });
    return z.NEVER;
  }
  return shifts;
});

export function parseTranspositions(text: string): number[] | string {
  const trimmed = text.trim();
  if (trimmed === "none" || trimmed === "off" || trimmed === "0") return [];
  const range = /^(-?\d+)\.\.(-?\d+)$/.exec(trimmed);
  let shifts: number[];
  if (range) {
    const low = Number(range[1]);
    const high = Number(range[2]);
    if (low > high) return `range ${trimmed} runs backwards; write it low..high`;
    shifts = [];
    for (let s = low; s <= high; s++) if (s !== 0) shifts.push(s);
  } else if (/^-?\d+(,-?\d+)*$/.test(trimmed)) {
    shifts = [...new Set(trimmed.split(",").map(Number))].filter((s) => s !== 0).sort((a, b) => a - b);
  } else {
    return `expected a range like -3..3, a list like -2,2,5 or "none"; got "${text}"`;
  }
  const outside = shifts.find((s) => Math.abs(s) > 12);
  if (outside !== undefined) return `transposition ${outside} is more than an octave`;
  return shifts;
}
