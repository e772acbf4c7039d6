import { parseMidi, pianoNotes, writeMidi, type QuarterNote } from "@motif/midi";
import { describe, expect, it } from "vitest";
import { createRng } from "../primitives/rng.js";
import { sortNotes } from "../tokenizer/validate-notes.js";
import { CopyIndex, copySymbols, onsetClass, type CorpusPiece } from "./copy-detection.js";

/** Seeded uniform [0, 1) (core's own PRNG), so every synthetic corpus is the same on every run. */
function rng(seed: number): () => number {
  const random = createRng(seed);
  return () => random.next();
}

const pick = <T>(random: () => number, xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;

// Corpus gaps: 0 (a chord), 1/4, 1/2, 1, 2 beats. Never 5 beats, which the tests use as a seam.
const GAPS = [0, 0.25, 0.5, 0.5, 1, 1, 2];

/** A random walk of `count` notes from `start`; chord notes step upwards so input order is sorted order. */
function randomWalk(random: () => number, count: number, start = 0): QuarterNote[] {
  const notes: QuarterNote[] = [];
  let pitch = 60 + Math.floor(random() * 12);
  let time = start;
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      const gap = pick(random, GAPS);
      time += gap;
      pitch += gap === 0 ? 3 + Math.floor(random() * 5) : Math.floor(random() * 15) - 7;
      if (pitch > 96 || pitch < 30) pitch = 60;
    }
    notes.push({ pitch, velocity: 80, startQuarter: time, endQuarter: time + 0.5 });
  }
  return notes;
}

const transpose = (notes: readonly QuarterNote[], semitones: number): QuarterNote[] =>
  notes.map((n) => ({ ...n, pitch: n.pitch + semitones }));
/** Moves the notes so the first starts at `start`; gaps in beats unchanged. */
const moveTo = (notes: readonly QuarterNote[], start: number): QuarterNote[] => {
  const shift = start - (notes[0] as QuarterNote).startQuarter;
  return notes.map((n) => ({ ...n, startQuarter: n.startQuarter + shift, endQuarter: n.endQuarter + shift }));
};
const stretch = (notes: readonly QuarterNote[], factor: number): QuarterNote[] =>
  notes.map((n) => ({ ...n, startQuarter: n.startQuarter * factor, endQuarter: n.endQuarter * factor }));
const excerpt = (piece: CorpusPiece, from: number, count: number): QuarterNote[] =>
  sortNotes(piece.notes).slice(from, from + count);
const lastStart = (notes: readonly QuarterNote[]): number =>
  (notes[notes.length - 1] as QuarterNote).startQuarter;

// 30 filler quarter notes on beats 0..29, then a 40-note motif from beat 37.5 (bar 10, beat 2.5).
const motif = randomWalk(rng(7), 40, 37.5);
const handMade: CorpusPiece = {
  name: "hand-made",
  notes: [
    ...Array.from({ length: 30 }, (_, i) => ({
      pitch: 50 + ((i * 5) % 13),
      velocity: 80,
      startQuarter: i,
      endQuarter: i + 1,
    })),
    ...motif,
  ],
};
const corpus: CorpusPiece[] = [
  ...Array.from({ length: 10 }, (_, f) => ({ name: `file-${f}`, notes: randomWalk(rng(100 + f), 300) })),
  handMade,
];
const index = new CopyIndex(corpus);
const file = (name: string): CorpusPiece => corpus.find((c) => c.name === name) as CorpusPiece;

describe("onsetClass", () => {
  it("gives 1/4, 1/2, 1 and 2 beats distinct classes, and chords their own", () => {
    const classes = [0, 0.25, 0.5, 1, 2].map(onsetClass);
    expect(new Set(classes).size).toBe(5);
    expect(onsetClass(0)).toBe(0);
    expect(onsetClass(1 / 60)).toBe(0);
  });

  it("ignores small timing jitter", () => {
    expect(onsetClass(1.03)).toBe(onsetClass(1));
    expect(onsetClass(0.49)).toBe(onsetClass(0.5));
  });

  it("clamps very long gaps", () => {
    expect(onsetClass(1000)).toBe(onsetClass(64));
  });
});

describe("copySymbols", () => {
  it("is unchanged by transposition and by a shift in time", () => {
    const notes = randomWalk(rng(1), 50);
    expect(copySymbols(transpose(moveTo(notes, 13.5), -7))).toEqual(copySymbols(notes));
  });

  it("reads leaps beyond two octaves as two octaves", () => {
    const leap = (interval: number): Uint16Array =>
      copySymbols([
        { pitch: 40, velocity: 80, startQuarter: 0, endQuarter: 1 },
        { pitch: 40 + interval, velocity: 80, startQuarter: 1, endQuarter: 2 },
      ]);
    expect(leap(30)).toEqual(leap(24));
    expect(leap(-30)).toEqual(leap(-24));
    expect(leap(23)).not.toEqual(leap(24));
  });
});

describe("CopyIndex.check", () => {
  it("finds a transposed, moved excerpt with its source and bar", () => {
    const piece = moveTo(transpose(motif, 5), 100);
    const report = index.check(piece);
    expect(report).toMatchObject({ copyAt8: 1, copyAt16: 1, copyAt32: 1 });
    expect(report.longest).toEqual({
      notes: 40,
      source: "hand-made",
      sourceStartQuarter: 37.5,
      sourceBar: 10,
      sourceBeat: 2.5,
      pieceStartQuarter: 100,
    });
  });

  it("finds the excerpt in real MIDI bytes written at another tempo and resolution", () => {
    // The corpus file at 480 ticks per quarter and 120 bpm; the piece at 96 ticks, 73 bpm turning
    // to 141 bpm halfway through the copy, transposed down a fourth: the same notes in beats.
    const read = (bytes: Uint8Array): QuarterNote[] => pianoNotes(parseMidi(bytes));
    const source = read(writeMidi({ notes: [...handMade.notes], ticksPerQuarter: 480 }));
    const piece = read(
      writeMidi({
        notes: moveTo(transpose(motif, -5), 16),
        ticksPerQuarter: 96,
        tempos: [
          { quarter: 0, bpm: 73 },
          { quarter: 40, bpm: 141 },
        ],
      }),
    );
    const report = new CopyIndex([{ name: "hand-made.mid", notes: source }, ...corpus.slice(0, 3)]).check(
      piece,
    );
    expect(report).toMatchObject({ copyAt8: 1, copyAt16: 1, copyAt32: 1 });
    expect(report.longest).toMatchObject({
      notes: 40,
      source: "hand-made.mid",
      sourceBar: 10,
      sourceBeat: 2.5,
      pieceStartQuarter: 16,
    });
  });

  it("finds nothing long in a random walk that is not in the corpus", () => {
    const report = index.check(randomWalk(rng(999), 200, 3));
    expect(report.copyAt16).toBe(0);
    expect(report.copyAt32).toBe(0);
    expect(report.longest === null || report.longest.notes < 16).toBe(true);
  });

  it("names the longer of two excerpts from two files", () => {
    const first = transpose(excerpt(file("file-1"), 50, 25), -3);
    const second = moveTo(excerpt(file("file-2"), 120, 60), lastStart(first) + 5);
    const report = index.check([...first, ...second]);
    expect(report.longest).toMatchObject({
      notes: 60,
      source: "file-2",
      sourceStartQuarter: (sortNotes(file("file-2").notes)[120] as QuarterNote).startQuarter,
      pieceStartQuarter: lastStart(first) + 5,
    });
    // 24 + 59 of the 84 moves are copied; the seam and the n-grams across it are not.
    expect(report.copyAt8).toBeCloseTo((24 - 7 + (59 - 7)) / (84 - 7), 12);
  });

  it("does not take a piece at double note values for the same rhythm", () => {
    const report = index.check(stretch(excerpt(file("file-4"), 30, 40), 2));
    expect(report.copyAt8).toBe(0);
    expect(report.longest).toBeNull();
  });

  it("still finds an excerpt moved by 3.5 beats", () => {
    const original = excerpt(file("file-4"), 30, 40);
    const report = index.check(moveTo(original, (original[0] as QuarterNote).startQuarter + 3.5));
    expect(report.copyAt8).toBe(1);
    expect(report.longest).toMatchObject({
      notes: 40,
      source: "file-4",
      pieceStartQuarter: (original[0] as QuarterNote).startQuarter + 3.5,
    });
  });

  it("follows a common opening past its first occurrence to the file that holds the long copy", () => {
    const tune = randomWalk(rng(42), 50);
    // The first 12 notes are also in the file indexed first, so the seed's first hit is there.
    const small = new CopyIndex([
      { name: "opening-only", notes: [...randomWalk(rng(43), 20), ...moveTo(tune.slice(0, 12), 200)] },
      { name: "whole-tune", notes: [...randomWalk(rng(44), 20), ...moveTo(tune, 300)] },
    ]);
    expect(small.check(tune).longest).toMatchObject({
      notes: 50,
      source: "whole-tune",
      sourceStartQuarter: 300,
    });
  });

  it("scores n only for pieces of at least n + 1 notes", () => {
    const report = index.check(motif.slice(0, 9));
    expect(report).toMatchObject({ copyAt8: 1, copyAt16: 0, copyAt32: 0, longest: { notes: 9 } });
    expect(index.check([])).toEqual({ copyAt8: 0, copyAt16: 0, copyAt32: 0, longest: null });
    expect(index.check(motif.slice(0, 8)).longest).toBeNull();
  });

  it("reads notes in any order", () => {
    const shuffled = [...motif].reverse();
    expect(index.check(shuffled).longest?.notes).toBe(40);
  });
});

describe("CopyIndex at corpus scale", () => {
  it("builds over 90 files of 900 notes and checks a 500-note piece", () => {
    const files = Array.from({ length: 90 }, (_, f) => ({
      name: `big-${f}`,
      notes: randomWalk(rng(1000 + f), 900),
    }));
    const t0 = performance.now();
    const big = new CopyIndex(files);
    const t1 = performance.now();
    const copied = excerpt(files[17] as CorpusPiece, 300, 120);
    const piece = [...randomWalk(rng(5), 380), ...moveTo(copied, 2000)];
    const t2 = performance.now();
    const report = big.check(piece);
    const t3 = performance.now();
    console.log(
      `CopyIndex: build ${(t1 - t0).toFixed(1)} ms (90 × 900 notes), check ${(t3 - t2).toFixed(1)} ms (500 notes)`,
    );
    expect(report.longest).toMatchObject({ notes: 120, source: "big-17" });
  });
});
