import type { QuarterNote } from "@motif/midi";
import { describe, expect, it } from "vitest";
import { chordPitchClasses, notesChordsTokenizer, onsetToken, voiceChord } from "./notes-chords.js";
import { pitchFromName, pitchName } from "./pitch-names.js";
import { TokenizerError } from "./types.js";

function note(
  pitch: number,
  startQuarter: number,
  endQuarter = startQuarter + 1,
  velocity = 80,
): QuarterNote {
  return { pitch, velocity, startQuarter, endQuarter };
}

describe("music21 pitch names", () => {
  it("spells MIDI pitches the way music21 does", () => {
    expect([61, 63, 66, 68, 70].map(pitchName)).toEqual(["C#4", "E-4", "F#4", "G#4", "B-4"]);
    expect(pitchName(21)).toBe("A0");
    expect(pitchName(108)).toBe("C8");
    expect(pitchName(0)).toBe("C-1");
    expect(pitchName(127)).toBe("G9");
  });

  it("reads music21's two ambiguous names as music21 does, as the flats", () => {
    expect(pitchName(4)).toBe("E-1");
    expect(pitchName(27)).toBe("E-1");
    expect(pitchFromName("E-1")).toBe(27);
    expect(pitchFromName("B-1")).toBe(34);
    expect(pitchFromName("C-1")).toBe(0);
    expect(pitchFromName("Db4")).toBeUndefined();
  });
});

describe("notes-chords encode", () => {
  it("turns each onset into a note name or a normal-order chord (golden)", () => {
    const notes = [
      note(60, 0), // C4 alone
      note(72, 1),
      note(64, 1),
      note(67, 1), // C major, doubled C: 0.4.7
      note(48, 2),
      note(60, 2, 2.5), // one pitch class in two octaves: 0
      note(66, 3), // F#4
      note(58, 4),
      note(58, 4, 6), // the same key twice is still one note
      note(55, 5),
      note(59, 5.02),
      note(62, 5.0625),
      note(65, 5.05), // G7 within 1/16 quarter: 11.2.5.7
      note(63, 6),
      note(68, 6.1), // 0.1 quarter apart: two events
      note(60, 7),
      note(67, 7), // a fifth: 7.0
    ];
    expect(notesChordsTokenizer.encode(notes)).toEqual([
      "C4",
      "0.4.7",
      "0",
      "F#4",
      "B-3",
      "11.2.5.7",
      "E-4",
      "G#4",
      "7.0",
    ]);
  });

  it("does not care about the input order, durations or velocities", () => {
    const a = [note(64, 0, 0.5, 30), note(60, 0, 4, 100), note(67, 1)];
    const b = [note(67, 1, 9, 1), note(60, 0, 1), note(64, 0, 2)];
    expect(notesChordsTokenizer.encode(a)).toEqual(["0.4", "G4"]);
    expect(notesChordsTokenizer.encode(b)).toEqual(["0.4", "G4"]);
  });

  it("encodes nothing as nothing and rejects impossible notes with the note's index", () => {
    expect(notesChordsTokenizer.encode([])).toEqual([]);
    expect(() => notesChordsTokenizer.encode([note(60, 0), note(128, 1)])).toThrow(TokenizerError);
    expect(() => notesChordsTokenizer.encode([note(60, 0), note(128, 1)])).toThrow(/note 1: pitch/);
    expect(() => notesChordsTokenizer.encode([note(60, Number.NaN)])).toThrow(/note 0: startQuarter/);
    expect(() => notesChordsTokenizer.encode([note(60, 2, 2)])).toThrow(/note 0: endQuarter/);
  });

  it("a single pitch class is its digit, several are dotted", () => {
    expect(onsetToken([59, 71])).toBe("11");
    expect(onsetToken([59])).toBe("B3");
    expect(onsetToken([61, 65, 68])).toBe("1.5.8");
  });
});

describe("notes-chords decode", () => {
  const tokens = ["C4", "0.4.7", "E-4", "7.0"];

  it("style seed: 0.5-quarter steps, quarter-note durations, chords at octave 4, velocity 90", () => {
    const v = 90;
    expect(notesChordsTokenizer.decode(tokens, { style: "seed" })).toEqual([
      { pitch: 60, velocity: v, startQuarter: 0, endQuarter: 1 },
      { pitch: 60, velocity: v, startQuarter: 0.5, endQuarter: 1.5 },
      { pitch: 64, velocity: v, startQuarter: 0.5, endQuarter: 1.5 },
      { pitch: 67, velocity: v, startQuarter: 0.5, endQuarter: 1.5 },
      { pitch: 63, velocity: v, startQuarter: 1, endQuarter: 2 },
      { pitch: 60, velocity: v, startQuarter: 1.5, endQuarter: 2.5 },
      { pitch: 67, velocity: v, startQuarter: 1.5, endQuarter: 2.5 },
    ]);
  });

  it("style motif (default): close voicing from the first pitch class, held to the next event", () => {
    expect(notesChordsTokenizer.decode(tokens)).toEqual([
      { pitch: 60, velocity: 80, startQuarter: 0, endQuarter: 0.5 },
      { pitch: 60, velocity: 64, startQuarter: 0.5, endQuarter: 1 },
      { pitch: 64, velocity: 64, startQuarter: 0.5, endQuarter: 1 },
      { pitch: 67, velocity: 64, startQuarter: 0.5, endQuarter: 1 },
      { pitch: 63, velocity: 80, startQuarter: 1, endQuarter: 1.5 },
      { pitch: 55, velocity: 64, startQuarter: 1.5, endQuarter: 2.5 },
      { pitch: 60, velocity: 64, startQuarter: 1.5, endQuarter: 2.5 },
    ]);
  });

  it("voices chords ascending from a bass note between G3 and F#4", () => {
    expect(voiceChord([0, 4, 7])).toEqual([60, 64, 67]);
    expect(voiceChord([7, 11, 2])).toEqual([55, 59, 62]);
    expect(voiceChord([6, 9, 1])).toEqual([66, 69, 73]);
    expect(voiceChord([11, 2, 5, 7])).toEqual([59, 62, 65, 67]);
  });

  it("rejects an unknown style by name", () => {
    const style = "jazz" as unknown as "seed";
    expect(() => notesChordsTokenizer.decode(["C4"], { style })).toThrow(
      /style must be "seed" or "motif", got "jazz"/,
    );
  });

  it("skips tokens outside the language without advancing time", () => {
    expect(notesChordsTokenizer.decode(["C4", "H9", "4.0.7", "", "D4"], { style: "seed" })).toEqual([
      { pitch: 60, velocity: 90, startQuarter: 0, endQuarter: 1 },
      { pitch: 62, velocity: 90, startQuarter: 0.5, endQuarter: 1.5 },
    ]);
  });
});

describe("notes-chords token language", () => {
  it("accepts note names and canonical chords only", () => {
    const grammar = notesChordsTokenizer.createGrammar();
    for (const token of ["C4", "B-2", "C-1", "0", "11", "4.7.11", "7.0", "5.6.11.0"]) {
      expect(grammar.allows(token)).toBe(true);
    }
    for (const token of ["c4", "Db4", "C#", "12", "0.4.7.", "7.4.0", "0.0", "01", "4.7.11.4", "W4"]) {
      expect(grammar.allows(token)).toBe(false);
    }
    expect(() => grammar.push("Db4")).toThrow(/not a notes-chords token/);
    expect(chordPitchClasses("11.2.5.7")).toEqual([11, 2, 5, 7]);
  });
});

describe("notes-chords language is closed: 126 note names and 4095 chord tokens", () => {
  const chordTokens = Array.from({ length: 4095 }, (_, i) => {
    const mask = i + 1;
    return onsetToken(
      Array.from({ length: 12 }, (_, pc) => pc)
        .filter((pc) => (mask >> pc) & 1)
        .flatMap((pc) => [48 + pc, 60 + pc]),
    );
  });
  const noteTokens = Array.from({ length: 128 }, (_, pitch) => pitchName(pitch));

  it("accepts every token and decodes each chord to its own pitch classes", () => {
    expect(new Set([...chordTokens, ...noteTokens]).size).toBe(4221);
    for (const token of chordTokens) {
      expect(notesChordsTokenizer.isToken(token)).toBe(true);
      const pcs = token.split(".").map(Number);
      for (const style of ["seed", "motif"] as const) {
        const pitches = notesChordsTokenizer.decode([token], { style }).map((n) => n.pitch);
        expect(pitches.map((p) => p % 12).sort((a, b) => a - b)).toEqual([...pcs].sort((a, b) => a - b));
      }
    }
  });

  it("random sequences drawn only from allowed tokens decode, one event per token", () => {
    const language = [...noteTokens, ...chordTokens];
    const grammar = notesChordsTokenizer.createGrammar();
    let seed = 7;
    const tokens: string[] = [];
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const token = language[seed % language.length] as string;
      expect(grammar.allows(token)).toBe(true);
      grammar.push(token);
      tokens.push(token);
    }
    const onsets = new Set(notesChordsTokenizer.decode(tokens).map((n) => n.startQuarter));
    expect(onsets.size).toBe(tokens.length);
  });
});
