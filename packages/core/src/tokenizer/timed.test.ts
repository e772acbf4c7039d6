import type { QuarterNote } from "@motif/midi";
import { describe, expect, it } from "vitest";
import {
  allTimedTokens,
  binVelocity,
  DURATION_BINS,
  durationBin,
  foldPitch,
  TimedGrammar,
  timedTokenizer,
  velocityBin,
} from "./timed.js";

function note(pitch: number, startQuarter: number, endQuarter: number, velocity = 85): QuarterNote {
  return { pitch, velocity, startQuarter, endQuarter };
}

describe("timed encode (golden)", () => {
  it("a C-major chord held for a half note, a quarter rest, then a louder D", () => {
    const notes = [note(67, 0, 2), note(60, 0, 2), note(64, 0, 2), note(62, 3, 3.5, 100)];
    expect(timedTokenizer.encode(notes)).toEqual([
      "N60",
      "D24",
      "N64",
      "D24",
      "N67",
      "D24",
      "W36",
      "V6",
      "N62",
      "D6",
    ]);
  });

  it("leading silence, triplets, long rests, long notes, folding and doublings", () => {
    const notes = [
      note(62, 1 / 3, 2 / 3, 20), // an eighth-triplet after a leading silence of 4 steps, soft
      note(62, 1 / 3, 0.5, 127), // the same key at the same time: merged, the longest wins
      note(10, 1, 8), // below A0: folded up an octave to 22; 7 quarters = 84 steps
      note(120, 1, 21), // above C8: folded down to 108; 20 quarters clamped to 192 steps
      note(64, 6, 6 + 49.2 / 12), // 49.2 steps: nearest bin is 50
      note(65, 6.01, 6.26), // 0.01 quarter late rounds onto the grid: same onset
    ];
    expect(timedTokenizer.encode(notes)).toEqual([
      "W4",
      "V1",
      "N62",
      "D4",
      "W8",
      "V5",
      "N22",
      "D84",
      "N108",
      "D192",
      "W48",
      "W12",
      "N64",
      "D50",
      "N65",
      "D3",
    ]);
  });

  it("encodes nothing as nothing and rejects impossible notes", () => {
    expect(timedTokenizer.encode([])).toEqual([]);
    expect(() => timedTokenizer.encode([note(60, 0, -1)])).toThrow(/note 0: endQuarter/);
    expect(() => timedTokenizer.encode([note(60.5, 0, 1)])).toThrow(/note 0: pitch/);
    expect(() => timedTokenizer.encode([note(60, 0, 1, Number.NaN)])).toThrow(/note 0: velocity/);
    expect(() => timedTokenizer.encode([note(60, 1e9, 1e9 + 1)])).toThrow(
      /note 0: startQuarter must be a number from 0 to 1000000/,
    );
    expect(() => timedTokenizer.encode([note(60, -0.5, 1)])).toThrow(/note 0: startQuarter/);
  });
});

describe("timed decode (golden)", () => {
  it("turns waits, velocities, notes and durations back into notes", () => {
    const tokens = ["W6", "N60", "D6", "V7", "N64", "D12", "N67", "D12", "W48", "W2", "N48", "D3"];
    expect(timedTokenizer.decode(tokens)).toEqual([
      { pitch: 60, velocity: 88, startQuarter: 0.5, endQuarter: 1 },
      { pitch: 64, velocity: 120, startQuarter: 0.5, endQuarter: 1.5 },
      { pitch: 67, velocity: 120, startQuarter: 0.5, endQuarter: 1.5 },
      { pitch: 48, velocity: 120, startQuarter: 56 / 12, endQuarter: 59 / 12 },
    ]);
  });

  it("skips tokens the grammar rejects at their position", () => {
    const at0 = (pitch: number): QuarterNote => ({ pitch, velocity: 88, startQuarter: 0, endQuarter: 0.5 });
    expect(timedTokenizer.decode(["N60", "W3", "D6"])).toEqual([at0(60)]);
    expect(timedTokenizer.decode(["D6", "N60", "N59", "D6", "N61"])).toEqual([at0(60)]);
    expect(timedTokenizer.decode(["N64", "D6", "N60", "D6"])).toEqual([at0(64)]);
    expect(timedTokenizer.decode(["X", "W0", "W49", "N20", "D49", "V8", "N60", "D6"])).toEqual([at0(60)]);
  });
});

describe("timed grammar", () => {
  it("after N only D; D only after N; after V only a higher N", () => {
    const grammar = new TimedGrammar();
    expect(grammar.allows("D6")).toBe(false);
    expect(grammar.allows("V5")).toBe(false); // bin 5 is already in force
    grammar.push("N60");
    expect(["D6", "D192"].every((t) => grammar.allows(t))).toBe(true);
    expect(["N61", "W1", "V3", "D49"].some((t) => grammar.allows(t))).toBe(false);
    grammar.push("D6");
    expect(grammar.allows("N60")).toBe(false); // pitches ascend within an onset
    expect(grammar.allows("N61")).toBe(true);
    grammar.push("V3");
    expect(["W1", "V4", "D6", "N59"].some((t) => grammar.allows(t))).toBe(false);
    expect(grammar.allows("N61")).toBe(true);
    expect(() => grammar.push("N59")).toThrow(/cannot follow/);
  });

  it("only W48 may be followed by another wait, and no V after the top key", () => {
    const grammar = new TimedGrammar();
    grammar.push("W12");
    expect(grammar.allows("W12")).toBe(false);
    expect(grammar.allows("N21")).toBe(true);
    const long = new TimedGrammar();
    long.push("W48");
    expect(long.allows("W1")).toBe(true);
    long.push("N108");
    long.push("D1");
    expect(long.allows("V2")).toBe(false);
    expect(long.allows("W1")).toBe(true);
  });

  it("clones are independent", () => {
    const grammar = new TimedGrammar();
    grammar.push("N60");
    const copy = grammar.clone();
    copy.push("D6");
    expect(grammar.allows("D6")).toBe(true);
    expect(copy.allows("D6")).toBe(false);
  });

  it("random sequences drawn only from allowed tokens decode, and re-encode to themselves", () => {
    const vocabulary = allTimedTokens();
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let run = 0; run < 40; run++) {
      const grammar = new TimedGrammar();
      const tokens: string[] = [];
      for (let i = 0; i < 300; i++) {
        const allowed = vocabulary.filter((token) => grammar.allows(token));
        expect(allowed.length).toBeGreaterThan(0); // every prefix can be continued
        const token = allowed[Math.floor(random() * allowed.length)] as string;
        grammar.push(token);
        tokens.push(token);
      }
      const notes = timedTokenizer.decode(tokens);
      expect(notes.length).toBe(tokens.filter((t) => t.startsWith("D")).length);
      // Grammatical streams are exactly the canonical ones: encode gives them back (up to the last D).
      const lastDuration = tokens.map((t) => t[0]).lastIndexOf("D");
      expect(timedTokenizer.encode(notes)).toEqual(tokens.slice(0, lastDuration + 1));
    }
  });
});

describe("timed quantities", () => {
  it("has 224 tokens: 48 waits, 8 velocities, 88 pitches, 80 durations", () => {
    expect(allTimedTokens()).toHaveLength(224);
    expect(new Set(allTimedTokens()).size).toBe(224);
    expect(DURATION_BINS).toHaveLength(80);
  });

  it("rounds durations to the nearest bin, within one step up to 8 quarters", () => {
    expect(durationBin(0.2)).toBe(1);
    expect(durationBin(47.6)).toBe(48);
    expect(durationBin(49)).toBe(48);
    expect(durationBin(49.2)).toBe(50);
    expect(durationBin(95)).toBe(94);
    expect(durationBin(100)).toBe(96);
    expect(durationBin(103)).toBe(108);
    expect(durationBin(5000)).toBe(192);
    for (let steps = 0.5; steps <= 96.5; steps += 0.25) {
      expect(Math.abs(durationBin(steps) - steps)).toBeLessThanOrEqual(1);
    }
  });

  it("bins velocity by 16 and folds pitch by octaves", () => {
    expect([1, 15, 16, 64, 127].map(velocityBin)).toEqual([0, 0, 1, 4, 7]);
    expect([0, 5, 7].map(binVelocity)).toEqual([8, 88, 120]);
    expect([0, 20, 21, 108, 109, 127].map(foldPitch)).toEqual([24, 32, 21, 108, 97, 103]);
  });
});
