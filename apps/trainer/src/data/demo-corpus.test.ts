import { describe, expect, it } from "vitest";
import { parseMidi } from "@motif/midi";
import { demoCorpusFiles, demoPieces } from "./demo-corpus.js";
import { key, leftHandTriad, parseMelody, pitchFromName, scalePitch } from "./demo-music.js";

describe("demo music helpers", () => {
  it("spells pitches and builds diatonic triads", () => {
    expect(pitchFromName("C4")).toBe(60);
    expect(pitchFromName("F#3")).toBe(54);
    expect(pitchFromName("Bb2")).toBe(46);
    expect(parseMelody("E4 D4:0.5 r:2")).toEqual([
      { pitch: 64, quarters: 1 },
      { pitch: 62, quarters: 0.5 },
      { pitch: null, quarters: 2 },
    ]);
    expect(scalePitch(key("G"), 6, 4)).toBe(pitchFromName("F#5")); // leading tone of G major
    expect(scalePitch(key("Am"), 6, 4)).toBe(pitchFromName("G#5")); // harmonic minor
    expect(leftHandTriad(key("C"), "V")).toEqual([
      pitchFromName("G2"),
      pitchFromName("B2"),
      pitchFromName("D3"),
    ]);
    expect(leftHandTriad(key("C"), "II")).toEqual([
      pitchFromName("D3"),
      pitchFromName("F3"),
      pitchFromName("A3"),
    ]);
  });
});

describe("demo corpus", () => {
  const pieces = demoPieces();
  const files = demoCorpusFiles();

  it("has 20-40 distinct pieces, each with a melody above a left hand", () => {
    expect(pieces.length).toBeGreaterThanOrEqual(20);
    expect(pieces.length).toBeLessThanOrEqual(40);
    expect(new Set(pieces.map((p) => p.name)).size).toBe(pieces.length);
    for (const piece of pieces) {
      const pitches = piece.spec.notes.map((n) => n.pitch);
      expect(Math.min(...pitches), piece.name).toBeLessThan(55); // a left hand below G3
      expect(Math.max(...pitches), piece.name).toBeGreaterThanOrEqual(60); // a melody from C4 up
    }
  });

  it("writes MIDI files that parse back to the same notes", () => {
    files.forEach((file, index) => {
      const sequence = parseMidi(file.bytes);
      const spec = pieces[index]!.spec;
      expect(sequence.notes.length, file.name).toBe(spec.notes.length);
      expect(sequence.title).toBe(spec.title);
      expect(sequence.notes.map((n) => n.pitch).sort()).toEqual(spec.notes.map((n) => n.pitch).sort());
    });
  });

  it("is deterministic", () => {
    expect(demoCorpusFiles().map((f) => [...f.bytes])).toEqual(files.map((f) => [...f.bytes]));
  });

  it("keeps the Ode to Joy melody as typed", () => {
    const ode = pieces.find((p) => p.name === "ode-to-joy.mid")!;
    const melody = ode.spec.notes
      .filter((n) => n.velocity >= 78) // the melody is played louder than the left hand
      .slice(0, 8)
      .map((n) => n.pitch);
    expect(melody).toEqual(["E4", "E4", "F4", "G4", "G4", "F4", "E4", "D4"].map(pitchFromName));
  });
});
