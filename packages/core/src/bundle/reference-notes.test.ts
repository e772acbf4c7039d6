import { parseMidi, pianoNotes, type QuarterNote } from "@motif/midi";
import { describe, expect, it } from "vitest";
import { findCorpusDir, readCorpus } from "../tokenizer/test-support/corpus.js";
import {
  decodeReferenceNotes,
  encodeReferenceNotes,
  packReferenceNotes,
  passageNotes,
  REFERENCE_TICKS_PER_QUARTER,
  unpackReferenceNotes,
} from "./reference-notes.js";

const note = (pitch: number, startQuarter: number, endQuarter: number, velocity = 80): QuarterNote => ({
  pitch,
  velocity,
  startQuarter,
  endQuarter,
});

describe("reference notes", () => {
  it("round-trips notes on the 1/96-beat grid, sorted by onset and pitch", () => {
    const songs = [
      { name: "a/é.mid", notes: [note(64, 1, 1.5), note(60, 0, 1, 100), note(67, 0, 4, 1)] },
      { name: "empty.mid", notes: [] },
      { name: "long gaps", notes: [note(0, 0, 1 / 96), note(127, 5000, 5000.25, 127)] },
    ];
    expect(decodeReferenceNotes(encodeReferenceNotes(songs))).toEqual([
      { name: "a/é.mid", notes: [note(60, 0, 1, 100), note(67, 0, 4, 1), note(64, 1, 1.5)] },
      { name: "empty.mid", notes: [] },
      { name: "long gaps", notes: [note(0, 0, 1 / 96), note(127, 5000, 5000.25, 127)] },
    ]);
  });

  it("rounds off-grid times and keeps a zero-length note one tick long", () => {
    const [song] = decodeReferenceNotes(
      encodeReferenceNotes([{ name: "x", notes: [note(60, 0.3333, 0.3334)] }]),
    );
    expect(song!.notes[0]!.startQuarter).toBeCloseTo(32 / REFERENCE_TICKS_PER_QUARTER, 12);
    expect(song!.notes[0]!.endQuarter).toBeCloseTo(33 / REFERENCE_TICKS_PER_QUARTER, 12);
  });

  it("refuses damaged bytes with the reason", async () => {
    const bytes = encodeReferenceNotes([{ name: "x", notes: [note(60, 0, 1), note(62, 1, 2)] }]);
    expect(() => decodeReferenceNotes(bytes.subarray(0, bytes.length - 3))).toThrow(/end early/);
    expect(() => decodeReferenceNotes(new Uint8Array([1, 2, 3, 4, 5]))).toThrow(/no MREF header/);
    expect(() => decodeReferenceNotes(new Uint8Array([...bytes, 0]))).toThrow(/1 bytes after the last song/);
    expect(() => encodeReferenceNotes([{ name: "bad", notes: [note(128, 0, 1)] }])).toThrow(/bad: pitch 128/);
    await expect(unpackReferenceNotes(bytes)).rejects.toThrow(/not valid gzip/);
  });

  it("gzips and reads back", async () => {
    const songs = [
      { name: "s", notes: Array.from({ length: 500 }, (_, i) => note(60 + (i % 12), i / 2, i / 2 + 0.5)) },
    ];
    const packed = await packReferenceNotes(songs);
    expect(packed[0]).toBe(0x1f); // gzip magic
    expect(packed.length).toBeLessThan(encodeReferenceNotes(songs).length);
    expect(await unpackReferenceNotes(packed)).toEqual(songs);
  });

  it("picks the copied passage's notes from its onset", () => {
    const notes = [note(62, 1, 2), note(60, 0, 1), note(64, 2, 3), note(65, 3, 4)];
    expect(passageNotes(notes, 1, 2).map((n) => n.pitch)).toEqual([62, 64]);
    expect(passageNotes(notes, 10, 2)).toEqual([]);
  });

  const corpus = findCorpusDir();
  it.skipIf(corpus === null)(
    "keeps every note of the seed corpus to the tick, in about 4 bytes a note (skipped: ../shared/datasets/final-fantasy absent)",
    async () => {
      const songs = readCorpus(corpus!)
        .slice(0, 20)
        .map((file) => ({ name: file.name, notes: pianoNotes(parseMidi(file.bytes)) }));
      const raw = encodeReferenceNotes(songs);
      const back = decodeReferenceNotes(raw);
      const noteCount = songs.reduce((sum, s) => sum + s.notes.length, 0);
      expect(raw.length / noteCount).toBeLessThan(5);
      back.forEach((song, i) => {
        expect(song.name).toBe(songs[i]!.name);
        expect(song.notes.length).toBe(songs[i]!.notes.length);
        const tick = 1 / REFERENCE_TICKS_PER_QUARTER;
        const onGrid = (n: QuarterNote) => Math.round(n.startQuarter * REFERENCE_TICKS_PER_QUARTER);
        const original = [...songs[i]!.notes].sort((a, b) => onGrid(a) - onGrid(b) || a.pitch - b.pitch);
        song.notes.forEach((n, j) => {
          expect(n.pitch).toBe(original[j]!.pitch);
          expect(Math.abs(n.startQuarter - original[j]!.startQuarter)).toBeLessThanOrEqual(tick / 2 + 1e-9);
        });
      });
      expect((await packReferenceNotes(songs)).length).toBeLessThan(raw.length);
    },
  );
});
