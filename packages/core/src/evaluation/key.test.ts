import { describe, expect, it } from "vitest";
import type { QuarterNote } from "@motif/midi";
import {
  estimateKey,
  inKeyShare,
  keyChoiceText,
  keyName,
  keyShiftForPiece,
  normalizeKey,
  notesForModel,
  parseKey,
  parseKeyChoice,
  scalePitchClasses,
  sectionKeys,
  shiftBetweenKeys,
  shiftToReference,
} from "./key.js";

/** Consecutive quarter notes, one per pitch, starting at `start`. */
function line(pitches: readonly number[], start = 0, length = 1): QuarterNote[] {
  return pitches.map((pitch, i) => ({
    pitch,
    velocity: 80,
    startQuarter: start + i * length,
    endQuarter: start + (i + 1) * length,
  }));
}

const C_MAJOR_SCALE = [60, 62, 64, 65, 67, 69, 71, 72];
const A_HARMONIC_MINOR = [57, 59, 60, 62, 64, 65, 68, 69];
// A cadence-heavy melody: tonic and dominant notes held longer, as real music weights them.
const tonal = (tonic: number, minor: boolean, start = 0): QuarterNote[] => {
  const third = minor ? 3 : 4;
  const sixth = minor ? 8 : 9;
  const degrees = [0, 2, third, 5, 7, sixth, minor ? 11 : 11, 12, 7, third, 0, 7, 0];
  return degrees.map((degree, i) => ({
    pitch: 60 + tonic + degree,
    velocity: 80,
    startQuarter: start + i * 2,
    endQuarter: start + i * 2 + (degree % 12 === 0 || degree === 7 ? 2 : 1),
  }));
};

describe("estimateKey (Krumhansl–Schmuckler)", () => {
  it("names C major for the C major scale", () => {
    expect(estimateKey(line(C_MAJOR_SCALE))).toMatchObject({ tonic: 0, mode: "major" });
  });

  it("names A minor for the A harmonic minor scale with its tonic held", () => {
    const notes = [
      ...line(A_HARMONIC_MINOR),
      { pitch: 57, velocity: 80, startQuarter: 8, endQuarter: 12 },
      { pitch: 64, velocity: 80, startQuarter: 12, endQuarter: 14 },
    ];
    expect(estimateKey(notes)).toMatchObject({ tonic: 9, mode: "minor" });
  });

  it("follows every transposition of a tonal melody, in both modes", () => {
    for (let tonic = 0; tonic < 12; tonic++) {
      expect(estimateKey(tonal(tonic, false))).toMatchObject({ tonic, mode: "major" });
      expect(estimateKey(tonal(tonic, true))).toMatchObject({ tonic, mode: "minor" });
    }
  });

  it("finds both keys of a modulating piece, section by section", () => {
    const first = [...tonal(0, false, 0), ...tonal(0, false, 26)];
    const second = [...tonal(7, false, 64), ...tonal(7, false, 90)];
    const sections = sectionKeys([...first, ...second], 64);
    expect(sections.map((s) => keyName(s))).toEqual(["C major", "G major"]);
    expect(sections[1]?.startQuarter).toBe(64);
  });

  it("returns C major with correlation 0 for no notes", () => {
    expect(estimateKey([])).toEqual({ tonic: 0, mode: "major", correlation: 0 });
  });
});

describe("key names and choices", () => {
  it("parses the spellings people type", () => {
    expect(parseKey("D minor")).toEqual({ tonic: 2, mode: "minor" });
    expect(parseKey("Bb major")).toEqual({ tonic: 10, mode: "major" });
    expect(parseKey("f# minor")).toEqual({ tonic: 6, mode: "minor" });
    expect(parseKey("Am")).toEqual({ tonic: 9, mode: "minor" });
    expect(parseKey("Eb")).toEqual({ tonic: 3, mode: "major" });
    expect(parseKey("H major")).toBeNull();
    expect(parseKey("D dorian")).toBeNull();
  });

  it("round-trips every key through its name", () => {
    for (let tonic = 0; tonic < 12; tonic++) {
      for (const mode of ["major", "minor"] as const)
        expect(parseKey(keyName({ tonic, mode }))).toEqual({ tonic, mode });
    }
  });

  it("reads as-trained, primer and keys as choices, with canonical text", () => {
    expect(parseKeyChoice("as-trained")).toEqual({ kind: "as-trained" });
    expect(parseKeyChoice("primer")).toEqual({ kind: "primer" });
    expect(keyChoiceText(parseKeyChoice("d minor")!)).toBe("D minor");
    expect(parseKeyChoice("somewhere")).toBeNull();
  });

  it("lists a scale from its tonic", () => {
    expect(scalePitchClasses({ tonic: 2, mode: "minor" })).toEqual([2, 4, 5, 7, 9, 10, 0]);
  });
});

describe("normalisation and moving between keys", () => {
  it("moves each key to C major or A minor by at most a tritone", () => {
    for (let tonic = 0; tonic < 12; tonic++) {
      const major = shiftToReference({ tonic, mode: "major" });
      const minor = shiftToReference({ tonic, mode: "minor" });
      expect((tonic + major + 12) % 12).toBe(0);
      expect((tonic + minor + 12) % 12).toBe(9);
      expect(Math.abs(major)).toBeLessThanOrEqual(6);
      expect(Math.abs(minor)).toBeLessThanOrEqual(6);
    }
  });

  it("normalises a melody in E major to C major with every note in the C major scale", () => {
    const normalized = normalizeKey(tonal(4, false));
    expect(normalized.shift).toBe(-4);
    expect(keyName(normalized.key)).toBe("E major");
    expect(inKeyShare(normalized.notes, { tonic: 0, mode: "major" })).toBe(1);
  });

  it("gives a model's view of the notes: moved for key-normalised models, as written otherwise", () => {
    const inE = tonal(4, false);
    expect(notesForModel(inE, "song")).toMatchObject({ shift: -4, key: { tonic: 4, mode: "major" } });
    expect(notesForModel(inE, "song").notes).toEqual(normalizeKey(inE).notes);
    expect(notesForModel(inE, "none")).toEqual({ notes: inE, shift: 0, key: null });
    expect(notesForModel(inE, undefined).shift).toBe(0);
  });

  it("carries a scale onto another key's scale", () => {
    expect(shiftBetweenKeys({ tonic: 9, mode: "minor" }, { tonic: 2, mode: "minor" })).toBe(5);
    expect(shiftBetweenKeys({ tonic: 0, mode: "major" }, { tonic: 2, mode: "minor" })).toBe(5); // to F major, D minor's signature
    expect(shiftBetweenKeys({ tonic: 0, mode: "major" }, { tonic: 11, mode: "major" })).toBe(-1);
  });

  it("puts a normalised model's piece into the key asked for, and a primer's piece back into the primer's key", () => {
    const piece = tonal(0, false);
    const dMajor = keyShiftForPiece({
      normalized: true,
      choice: { kind: "key", key: { tonic: 2, mode: "major" } },
      primerShift: 0,
      notes: piece,
    });
    expect(estimateKey(piece.map((n) => ({ ...n, pitch: n.pitch + dMajor })))).toMatchObject({
      tonic: 2,
      mode: "major",
    });
    expect(
      keyShiftForPiece({ normalized: true, choice: { kind: "primer" }, primerShift: -4, notes: piece }),
    ).toBe(4);
    expect(
      keyShiftForPiece({ normalized: false, choice: { kind: "primer" }, primerShift: 0, notes: piece }),
    ).toBe(0);
    expect(
      keyShiftForPiece({ normalized: true, choice: { kind: "as-trained" }, primerShift: -4, notes: piece }),
    ).toBe(0);
  });

  it("moves a model's piece written in its own key by the estimated key", () => {
    const inA = tonal(9, false);
    expect(
      keyShiftForPiece({
        normalized: false,
        choice: { kind: "key", key: { tonic: 0, mode: "major" } },
        primerShift: 0,
        notes: inA,
      }),
    ).toBe(3);
  });
});
