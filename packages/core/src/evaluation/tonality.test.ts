import { describe, expect, it } from "vitest";
import { timedTokenizer } from "../tokenizer/timed.js";
import { notesChordsTokenizer } from "../tokenizer/notes-chords.js";
import { inKeyWeights, pitchClassMasks, scaleMask, TonalityMeter } from "./tonality.js";
import { NoteNgram, noteIds, scoreNgram } from "./note-ngram.js";

const C_MAJOR = scaleMask({ tonic: 0, mode: "major" });

describe("pitch-class masks and in-key weights", () => {
  it("marks timed note tokens by pitch class and leaves waits, durations and velocities out", () => {
    const tokens = ["W3", "N60", "D12", "N61", "V4", "N72"];
    const masks = pitchClassMasks(tokens, timedTokenizer);
    expect([...masks]).toEqual([0, 1 << 0, 0, 1 << 1, 0, 1 << 0]);
    expect([...inKeyWeights(masks, C_MAJOR)]).toEqual([0, 1, 0, 0, 0, 1]);
  });

  it("weighs a notes-chords chord by the share of its pitch classes in the scale", () => {
    const masks = pitchClassMasks(["C4", "0.4.7", "1.5.8", "0.1"], notesChordsTokenizer);
    expect([...inKeyWeights(masks, C_MAJOR)]).toEqual([1, 1, Math.fround(1 / 3), 0.5]);
  });
});

describe("TonalityMeter", () => {
  const tokens = ["W1", "N60", "N61", "N62", "N63"];
  const masks = pitchClassMasks(tokens, timedTokenizer);
  const weights = inKeyWeights(masks, C_MAJOR);

  it("gives 0.5 in-key mass for equal logits over two in-key and two out-of-key notes, ignoring the wait", () => {
    const meter = new TonalityMeter(masks);
    meter.add(Float32Array.from([50, 0, 0, 0, 0]), 1, weights); // equal note logits: the arg-max is the lowest id, N60
    expect(meter.summary()).toEqual({ notes: 1, inKeyMass: 0.5, noteAccuracy: 1, targetsInKey: 1 });
  });

  it("skips positions whose target is not a note and counts the arg-max note", () => {
    const meter = new TonalityMeter(masks);
    meter.add(Float32Array.from([0, 0, 0, 0, 0]), 0, weights);
    meter.add(Float32Array.from([0, Math.log(3), 0, 0, 0]), 2, weights);
    const summary = meter.summary();
    expect(summary.notes).toBe(1);
    expect(summary.inKeyMass).toBeCloseTo(4 / 6, 6);
    expect(summary.noteAccuracy).toBe(0);
    expect(summary.targetsInKey).toBe(0);
  });
});

describe("NoteNgram", () => {
  const tokens = ["W1", "N60", "N62", "N64", "N65", "N67"];
  const masks = pitchClassMasks(tokens, timedTokenizer);
  const weights = inKeyWeights(masks, C_MAJOR);

  it("keeps only note ids of a token stream", () => {
    expect(noteIds([0, 1, 0, 2, 3], masks)).toEqual([1, 2, 3]);
  });

  it("predicts a memorised continuation exactly and backs off for an unseen context", () => {
    const ngram = new NoteNgram(2);
    ngram.addSong([1, 2, 3, 1, 2, 4]);
    expect(ngram.predict([1, 2])).toEqual(
      new Map([
        [3, 1],
        [4, 1],
      ]),
    );
    expect(ngram.predict([4, 2])).toEqual(
      new Map([
        [3, 1],
        [4, 1],
      ]),
    ); // order-1 context "2"
    expect(ngram.predict([5])?.get(1)).toBe(2); // unseen: note frequencies
    const score = scoreNgram(ngram, [{ notes: [1, 2, 3], weights }]);
    expect(score.notes).toBe(2);
    expect(score.noteAccuracy).toBe(1); // 1 → 2 always; after 1 2, ties go to the lower id 3
    expect(score.inKeyMass).toBe(1);
  });

  it("refuses order 0", () => {
    expect(() => new NoteNgram(0)).toThrow(/positive integer/);
  });
});
