import { describe, expect, it } from "vitest";
import type { QuarterNote } from "@motif/midi";
import { createRng, randomInt, type Rng } from "../primitives/rng.js";
import { getTokenizer, type Tokenizer } from "../tokenizer/index.js";
import { allTimedTokens } from "../tokenizer/timed.js";
import { createNoteStream } from "./note-stream.js";

const timed = getTokenizer("timed");
const chords = getTokenizer("notes-chords");

/** A random token sequence the grammar accepts, with a few tokens it rejects mixed in (decode skips those). */
function randomSequence(
  tokenizer: Tokenizer,
  language: readonly string[],
  rng: Rng,
  length: number,
): string[] {
  const grammar = tokenizer.createGrammar();
  const tokens: string[] = [];
  while (tokens.length < length) {
    if (randomInt(rng, 10) === 0) {
      tokens.push(randomInt(rng, 2) === 0 ? "junk" : (language[randomInt(rng, language.length)] as string));
      continue;
    }
    const allowed = language.filter((token) => grammar.allows(token));
    const token = allowed[randomInt(rng, allowed.length)] as string;
    grammar.push(token);
    tokens.push(token);
  }
  return tokens;
}

/** Everything the stream gave, token by token, then at the end. */
function streamed(tokenizer: Tokenizer, tokens: readonly string[], style: "seed" | "motif"): QuarterNote[] {
  const stream = createNoteStream(tokenizer, style);
  return [...tokens.flatMap((token) => stream.push(token)), ...stream.finish()];
}

// A few note names and chords of the closed notes-chords language (every token may follow any other).
const CHORD_LANGUAGE = [
  "C4",
  "E-4",
  "G#3",
  "A0",
  "C8",
  "0",
  "7.0",
  "0.4.7",
  "11.2.5.7",
  "4.7.11",
  "2.5.9",
  "5.6.11.0",
];

describe("createNoteStream", () => {
  it("gives exactly the whole-sequence decode for timed tokens, prefix after prefix", () => {
    const language = allTimedTokens();
    for (let seed = 1; seed <= 20; seed++) {
      const tokens = randomSequence(timed, language, createRng(seed), 300);
      expect(streamed(timed, tokens, "motif")).toEqual(timed.decode(tokens));
      // Each note is out as soon as its duration token is in: nothing is pending.
      const stream = createNoteStream(timed);
      let out = 0;
      tokens.forEach((token, i) => {
        out += stream.push(token).length;
        expect(stream.pending()).toEqual([]);
        if (i % 50 === 0) expect(out).toBe(timed.decode(tokens.slice(0, i + 1)).length);
      });
    }
  });

  for (const style of ["motif", "seed"] as const) {
    it(`gives exactly the whole-sequence decode for notes-chords tokens, ${style} style`, () => {
      for (let seed = 1; seed <= 20; seed++) {
        const tokens = randomSequence(chords, CHORD_LANGUAGE, createRng(seed), 200);
        expect(streamed(chords, tokens, style)).toEqual(chords.decode(tokens, { style }));
      }
    });
  }

  it("holds the latest notes-chords event back while its length can change (motif style)", () => {
    const stream = createNoteStream(chords, "motif");
    expect(stream.push("C4")).toEqual([]);
    expect(stream.pending()).toEqual([{ pitch: 60, velocity: 80, startQuarter: 0, endQuarter: 1 }]);
    // Another event arrives: C4 now lasts only until it.
    expect(stream.push("0.4.7")).toEqual([{ pitch: 60, velocity: 80, startQuarter: 0, endQuarter: 0.5 }]);
    expect(stream.push("not-a-token")).toEqual([]);
    expect(stream.finish().map((note) => [note.pitch, note.startQuarter, note.endQuarter])).toEqual([
      [60, 0.5, 1.5],
      [64, 0.5, 1.5],
      [67, 0.5, 1.5],
    ]);
  });
});
