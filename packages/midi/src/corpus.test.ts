import pkg from "@tonejs/midi";
import { describe, expect, it } from "vitest";
import { parseMidi } from "./parse-midi.js";
import { pianoNotes } from "./piano-notes.js";
import { corpusDir, corpusSkipReason, isDefaultCorpus, readCorpus } from "./test-support/corpus.js";
import { writeMidi } from "./write-midi.js";

const { Midi } = pkg;

const FORMAT_0_FILES = [
  "AT.mid",
  "Cids.mid",
  "Eternal_Harvest.mid",
  "FF3_Battle_(Piano).mid",
  "Ff7-Cinco.mid",
  "ahead_on_our_way_piano.mid",
  "ff11_awakening_piano.mid",
  "thenightmarebegins.mid",
  "tpirtsd-piano.mid",
  "ultimafro.mid",
];

describe.skipIf(!corpusDir)(
  `parseMidi on the real corpus ${corpusDir ? `(${corpusDir})` : corpusSkipReason}`,
  () => {
    const files = readCorpus();
    const parsed = files.map((file) => ({ ...file, seq: parseMidi(file.bytes, { title: file.name }) }));

    it("parses every file", () => {
      expect(files.length).toBeGreaterThan(0);
      if (isDefaultCorpus) expect(files).toHaveLength(92);
      for (const { name, seq } of parsed) {
        expect(seq.notes.length, name).toBeGreaterThan(0);
        expect(
          seq.notes.every((n) => n.endTick > n.startTick && n.endTime > n.startTime),
          name,
        ).toBe(true);
      }
    });

    it.skipIf(!isDefaultCorpus)("finds the corpus facts the seed notes state", () => {
      const noteOns = parsed.reduce((sum, { seq }) => sum + seq.noteOnCount, 0);
      expect(noteOns).toBeGreaterThan(83_000);
      expect(noteOns).toBeLessThan(85_000);
      const at = parsed.find((file) => file.name === "AT.mid")!.seq;
      expect(at.notes.filter((n) => n.isDrum).length).toBeGreaterThan(100);
      expect(new Set(at.notes.map((n) => n.program)).size).toBeGreaterThanOrEqual(5);
      expect(parsed.filter(({ seq }) => seq.format === 0).map((file) => file.name)).toEqual(
        [...FORMAT_0_FILES].sort(),
      );
      // 36 files hold more than one tempo event; in three of them both sit at tick 0 (the last wins),
      // and 0fithos.mid's single tempo at tick 768 follows the 120 bpm default: 36 - 3 + 1.
      expect(parsed.filter(({ seq }) => seq.tempos.length > 1).length).toBe(34);
      expect(
        parsed.filter(({ seq }) => seq.tempos.length === 1 && seq.tempos[0]!.bpm === 120).length,
      ).toBeGreaterThanOrEqual(5);
      // Ff4-BattleLust.mid: 896 tempo events on 894 distinct ticks.
      expect(parsed.find((file) => file.name === "Ff4-BattleLust.mid")!.seq.tempos).toHaveLength(894);
    });

    it("agrees with @tonejs/midi on notes (count, pitches, onsets)", () => {
      let identical = 0;
      for (const { name, bytes, seq } of parsed) {
        const toneNotes = new Midi(bytes).tracks.flatMap((track) => track.notes);
        // Every note-on becomes exactly one note here; @tonejs/midi drops notes never switched off.
        expect(seq.notes.length, name).toBe(seq.noteOnCount);
        const ours = seq.notes.map((n) => `${n.pitch}@${n.startTick}`).sort();
        const theirs = toneNotes.map((n) => `${n.midi}@${n.ticks}`).sort();
        if (toneNotes.length === seq.noteOnCount) {
          identical++;
          expect(ours, name).toEqual(theirs);
          expect(seq.notes.map((n) => n.pitch).sort(), name).toEqual(toneNotes.map((n) => n.midi).sort());
        } else {
          expect(toneNotes.length, name).toBeLessThan(seq.notes.length);
          expect(isSubMultiset(theirs, ours), `${name}: every @tonejs/midi note is also found here`).toBe(
            true,
          );
        }
      }
      // Files whose notes all pair up (no unterminated notes): the large majority.
      expect(identical).toBeGreaterThanOrEqual(Math.ceil(parsed.length * 0.8));
    });

    it("parse → write → parse keeps every piano note (pitch and velocity exact, times within 1 tick)", () => {
      for (const { name, seq } of parsed) {
        const notes = pianoNotes(seq);
        const tpq = seq.ticksPerQuarter;
        const bytes = writeMidi({
          notes,
          tempos: seq.tempos.map(({ quarter, bpm }) => ({ quarter, bpm })),
          ticksPerQuarter: tpq,
          title: name,
        });
        const again = parseMidi(bytes);
        const back = pianoNotes(again);
        expect(back.length, name).toBe(notes.length);
        // Plain comparisons, one expect per file: 84k notes of expect() calls would take seconds.
        const problems = back.flatMap((note, i) => {
          const want = notes[i]!;
          const offTicks =
            Math.max(
              Math.abs(note.startQuarter - want.startQuarter),
              Math.abs(note.endQuarter - want.endQuarter),
            ) * tpq;
          return note.pitch !== want.pitch || note.velocity !== want.velocity || offTicks > 1
            ? [`note ${i}: ${JSON.stringify(note)} vs ${JSON.stringify(want)}`]
            : [];
        });
        expect(problems.slice(0, 5), name).toEqual([]);
        expect(again.totalTime, name).toBeGreaterThan(0);
      }
    });
  },
);

/** Both sorted. */
function isSubMultiset(small: string[], large: string[]): boolean {
  let j = 0;
  for (const item of small) {
    while (j < large.length && large[j]! < item) j++;
    if (large[j] !== item) return false;
    j++;
  }
  return true;
}
