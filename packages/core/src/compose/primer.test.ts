import { describe, expect, it } from "vitest";
import { getTokenizer } from "../tokenizer/index.js";
import { keepGrammatical } from "./primer.js";

describe("keepGrammatical", () => {
  const timed = getTokenizer("timed");
  it("drops what a fresh grammar refuses and keeps a valid stream intact", () => {
    const stream = timed.encode([
      { pitch: 60, velocity: 80, startQuarter: 0, endQuarter: 1 },
      { pitch: 64, velocity: 80, startQuarter: 1, endQuarter: 2 },
    ]);
    expect(keepGrammatical(stream, timed)).toEqual({ kept: stream, dropped: 0 });
    // A window cut right after a note starts with that note's duration: not a valid start.
    const cut = stream.slice(stream.findIndex((t) => t.startsWith("N")) + 1);
    const result = keepGrammatical(cut, timed);
    expect(result.dropped).toBeGreaterThan(0);
    expect(result.kept[0]).not.toMatch(/^D/);
    const grammar = timed.createGrammar();
    for (const token of result.kept) {
      expect(grammar.allows(token)).toBe(true);
      grammar.push(token);
    }
  });
});
