import pkg from "@tonejs/midi";
import { describe, expect, it } from "vitest";
import { parseMidi } from "./parse-midi.js";
import { randomInt, seededRandom } from "./test-support/random.js";
import type { PieceSpec, QuarterNote } from "./types.js";
import { writeMidi } from "./write-midi.js";

const { Midi } = pkg;

function randomPiece(seed: number): PieceSpec {
  const random = seededRandom(seed);
  const ticksPerQuarter = [24, 96, 120, 384, 480, 960][randomInt(random, 0, 5)]!;
  const notes: QuarterNote[] = [];
  const noteCount = randomInt(random, 0, 120);
  for (let i = 0; i < noteCount; i++) {
    // Off-grid floats on purpose: the writer rounds to ticks. At least 1/8 quarter long (3 ticks at 24).
    const startQuarter = random() * 32;
    notes.push({
      pitch: randomInt(random, 21, 108),
      velocity: randomInt(random, 1, 127),
      startQuarter,
      endQuarter: startQuarter + 0.125 + random() * 4,
    });
  }
  const piece: PieceSpec = { notes, ticksPerQuarter, program: randomInt(random, 0, 127) };
  if (random() < 0.8) {
    const tempoCount = randomInt(random, 1, 30);
    const quarters = new Set<number>();
    while (quarters.size < tempoCount)
      quarters.add(random() < 0.3 && quarters.size === 0 ? 0 : randomInt(random, 0, 60));
    piece.tempos = [...quarters].map((quarter) => ({ quarter, bpm: 30 + random() * 200 }));
  }
  if (random() < 0.7)
    piece.title = `Motif ${seed} – ${["Étude", "夜想曲", "fugue 🎹", "x"][randomInt(random, 0, 3)]}`;
  if (random() < 0.7) {
    piece.texts = Array.from({ length: randomInt(random, 1, 4) }, (_, i) =>
      JSON.stringify({ seed, i, temperature: random(), note: "ß→♪" }),
    );
  }
  return piece;
}

/** Notes as [pitch, velocity, start, end], sorted by the ticks they land on at `ticksPerQuarter`. */
function sortedTuples(notes: QuarterNote[], ticksPerQuarter = 480) {
  const tick = (quarter: number) => Math.round(quarter * ticksPerQuarter);
  return notes
    .map((n) => [n.pitch, n.velocity, n.startQuarter, n.endQuarter] as const)
    .sort((a, b) => tick(a[2]) - tick(b[2]) || a[0] - b[0] || tick(a[3]) - tick(b[3]) || a[1] - b[1]);
}

describe("writeMidi", () => {
  it("round-trips random seeded pieces through parseMidi", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const piece = randomPiece(seed);
      const tpq = piece.ticksPerQuarter!;
      const seq = parseMidi(writeMidi(piece));
      expect(seq.ticksPerQuarter).toBe(tpq);
      expect(seq.title).toBe(piece.title ?? null);
      expect(seq.texts).toEqual(piece.texts ?? []);

      const expected = sortedTuples(piece.notes, tpq);
      const actual = sortedTuples(seq.notes, tpq);
      expect(actual.length, `seed ${seed}`).toBe(expected.length);
      const problems = actual.flatMap((note, i) => {
        const want = expected[i]!;
        const offTicks = Math.max(Math.abs(note[2] - want[2]), Math.abs(note[3] - want[3])) * tpq;
        return note[0] !== want[0] || note[1] !== want[1] || offTicks > 1
          ? [`seed ${seed} note ${i}: ${note.join()} vs ${want.join()}`]
          : [];
      });
      expect(problems.slice(0, 5)).toEqual([]);
      expect(seq.notes.every((n) => n.program === (piece.program ?? 0) && !n.isDrum)).toBe(true);

      const wantTempos = [...(piece.tempos ?? [])].sort((a, b) => a.quarter - b.quarter);
      if (wantTempos[0]?.quarter !== 0) wantTempos.unshift({ quarter: 0, bpm: 120 });
      expect(seq.tempos.map((t) => t.quarter)).toEqual(wantTempos.map((t) => t.quarter));
      seq.tempos.forEach((tempo, i) =>
        expect(Math.abs(tempo.bpm / wantTempos[i]!.bpm - 1)).toBeLessThan(1e-5),
      );
    }
  });

  it("is deterministic: same input, identical bytes, whatever the note order", () => {
    const piece = randomPiece(42);
    const shuffled = { ...piece, notes: [...piece.notes].reverse() };
    expect(writeMidi(shuffled)).toEqual(writeMidi(piece));
    expect(writeMidi(randomPiece(42))).toEqual(writeMidi(piece));
  });

  it("keeps re-struck, overlapping and nested notes of one pitch apart", () => {
    const note = (startQuarter: number, endQuarter: number, velocity: number) => ({
      pitch: 60,
      velocity,
      startQuarter,
      endQuarter,
    });
    const back = (notes: QuarterNote[]) => sortedTuples(parseMidi(writeMidi({ notes })).notes);
    expect(back([note(0, 1, 10), note(1, 2, 20)])).toEqual([
      [60, 10, 0, 1],
      [60, 20, 1, 2],
    ]);
    expect(back([note(0, 2, 10), note(1, 3, 20)])).toEqual([
      [60, 10, 0, 2],
      [60, 20, 1, 3],
    ]);
    expect(back([note(0, 1, 10), note(0, 2, 20)])).toEqual([
      [60, 10, 0, 1],
      [60, 20, 0, 2],
    ]);
    // Nested: on one channel the ends would swap; the writer puts the inner note on channel 2.
    expect(back([note(0, 4, 10), note(1, 2, 20)])).toEqual([
      [60, 10, 0, 4],
      [60, 20, 1, 2],
    ]);
    const channels = parseMidi(
      writeMidi({ notes: [note(0, 4, 10), note(1, 2, 20), note(2, 3, 30)] }),
    ).notes.map((n) => n.channel);
    expect(channels).toEqual([0, 1, 1]);
  });

  it("writes a file @tonejs/midi reads with the same notes, tempo, title and texts", () => {
    const piece = randomPiece(7);
    piece.title = "Plain title";
    piece.texts = ["recipe one", "recipe two"];
    const midi = new Midi(writeMidi(piece));
    const tpq = piece.ticksPerQuarter!;
    const toneNotes = midi.tracks.flatMap((track) => track.notes);
    expect(
      sortedTuples(
        toneNotes.map((n) => ({
          pitch: n.midi,
          velocity: Math.round(n.velocity * 127),
          startQuarter: n.ticks / tpq,
          endQuarter: (n.ticks + n.durationTicks) / tpq,
        })),
      ),
    ).toEqual(sortedTuples(parseMidi(writeMidi(piece)).notes));
    expect(midi.name).toBe("Plain title");
    expect(midi.header.meta.map((m) => m.text)).toEqual(["recipe one", "recipe two"]);
    expect(midi.tracks[midi.tracks.length - 1]!.instrument.number).toBe(piece.program);
  });

  it("refuses input it cannot write, naming the field", () => {
    const ok = { pitch: 60, velocity: 80, startQuarter: 0, endQuarter: 1 };
    expect(() => writeMidi({ notes: [ok, { ...ok, pitch: 128 }] })).toThrow(
      "writeMidi: notes[1].pitch 128 must be an integer 0..127",
    );
    expect(() => writeMidi({ notes: [{ ...ok, velocity: 0 }] })).toThrow(
      "notes[0].velocity 0 must be an integer 1..127",
    );
    expect(() => writeMidi({ notes: [{ ...ok, endQuarter: 0 }] })).toThrow(
      "notes[0] ends at 0, not after its start 0",
    );
    expect(() => writeMidi({ notes: [{ ...ok, startQuarter: Number.NaN }] })).toThrow(
      "notes[0].startQuarter NaN must be a finite quarter position",
    );
    expect(() => writeMidi({ notes: [ok], tempos: [{ quarter: 0, bpm: 0 }] })).toThrow(
      "tempos[0].bpm 0 must be a positive number",
    );
    expect(() => writeMidi({ notes: [ok], program: 300 })).toThrow("program 300 must be an integer 0..127");
    expect(() => writeMidi({ notes: [ok], ticksPerQuarter: 0 })).toThrow(
      "ticksPerQuarter 0 must be an integer 1..32767",
    );
  });
});
