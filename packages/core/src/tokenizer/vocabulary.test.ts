import { describe, expect, it } from "vitest";
import { TIMED_VERSION } from "./timed.js";
import { Vocabulary, VocabularyError } from "./vocabulary.js";

describe("Vocabulary", () => {
  const streams = [
    ["E4", "0.4.7", "C4", "E4"],
    ["B-3", "C4", "11.2.5.7"],
  ];

  it("sorts distinct tokens by code point like Python's sorted(set(...)), reserved first", () => {
    const plain = Vocabulary.build(streams);
    expect(plain.tokens).toEqual(["0.4.7", "11.2.5.7", "B-3", "C4", "E4"]);
    expect(plain.tokenizer).toBe("notes-chords");
    const withReserved = Vocabulary.build(streams, { reserved: ["<pad>", "C4"] });
    expect(withReserved.tokens).toEqual(["<pad>", "C4", "0.4.7", "11.2.5.7", "B-3", "E4"]);
    expect(withReserved.size).toBe(6);
    expect(withReserved.id("<pad>")).toBe(0);
    expect(withReserved.id("E4")).toBe(5);
    expect(withReserved.id("F4")).toBeUndefined();
  });

  it("infers the tokenizer, or takes it from the options, and refuses foreign tokens", () => {
    const timed = Vocabulary.build([["W4", "N60", "D6"]]);
    expect(timed.toJSON()).toEqual({
      version: 1,
      tokenizer: "timed",
      tokenizerVersion: TIMED_VERSION,
      tokens: ["D6", "N60", "W4"],
    });
    expect(() => Vocabulary.build([["W4", "C4"]])).toThrow(/mixes tokens/);
    expect(() => Vocabulary.build([["W4", "hello"]])).toThrow(/"hello" belongs to no tokenizer/);
    expect(() => Vocabulary.build([["W4", "C4"]], { tokenizer: "timed" })).toThrow(
      /"C4" does not belong to the timed/,
    );
    expect(() => Vocabulary.build([])).toThrow(VocabularyError);
    expect(Vocabulary.build([], { tokenizer: "timed", reserved: ["<pad>"] }).tokens).toEqual(["<pad>"]);
    expect(() => Vocabulary.build(streams, { reserved: ["x", "x"] })).toThrow(/"x" is listed twice/);
  });

  it("counts and drops unknown tokens instead of mapping them", () => {
    const vocabulary = Vocabulary.build(streams);
    const { ids, unknown } = vocabulary.encode(["C4", "D4", "E4", "D4", "0.4.7", "9.0.4"]);
    expect(Array.from(ids)).toEqual([3, 4, 0]);
    expect(ids).toBeInstanceOf(Int32Array);
    expect(unknown).toEqual({ D4: 2, "9.0.4": 1 });
    expect(vocabulary.decode(ids)).toEqual(["C4", "E4", "0.4.7"]);
  });

  it("throws RangeError for ids outside the vocabulary", () => {
    const vocabulary = Vocabulary.build(streams);
    expect(vocabulary.token(4)).toBe("E4");
    expect(() => vocabulary.token(5)).toThrow(RangeError);
    expect(() => vocabulary.token(-1)).toThrow(RangeError);
    expect(() => vocabulary.token(1.5)).toThrow(RangeError);
    expect(() => vocabulary.decode([0, 9])).toThrow(/token id 9 is outside the vocabulary \(size 5\)/);
  });

  it("round-trips through JSON", () => {
    const vocabulary = Vocabulary.build(streams, { reserved: ["<pad>"] });
    const copy = Vocabulary.fromJSON(JSON.parse(JSON.stringify(vocabulary)));
    expect(copy.tokens).toEqual(vocabulary.tokens);
    expect(copy.toJSON()).toEqual(vocabulary.toJSON());
    expect(copy.id("E4")).toBe(vocabulary.id("E4"));
  });

  it("fromJSON names what is wrong", () => {
    const good = { version: 1, tokenizer: "timed", tokenizerVersion: 1, tokens: ["W1", "N60"] };
    const cases: [unknown, RegExp][] = [
      [null, /must be an object, got null/],
      [[], /must be an object, got an array/],
      [{ ...good, version: 2 }, /version must be 1, got 2/],
      [{ ...good, tokenizer: "midi-like" }, /tokenizer must be one of notes-chords, timed, got "midi-like"/],
      [{ ...good, tokenizerVersion: 0 }, /tokenizerVersion must be a positive integer, got 0/],
      [{ ...good, tokens: "W1" }, /tokens must be an array/],
      [{ ...good, tokens: ["W1", 3] }, /tokens\[1\] must be a non-empty string, got 3/],
      [{ ...good, tokens: ["W1", ""] }, /tokens\[1\] must be a non-empty string/],
      [{ ...good, tokens: ["W1", "N60", "W1"] }, /lists token "W1" twice/],
    ];
    for (const [json, message] of cases) {
      expect(() => Vocabulary.fromJSON(json)).toThrow(VocabularyError);
      expect(() => Vocabulary.fromJSON(json)).toThrow(message);
    }
    expect(Vocabulary.fromJSON(good).size).toBe(2);
  });
});
