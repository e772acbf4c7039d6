// Copy detection speed: building the transposition-invariant index over a corpus, and checking one
// 500-note piece against it (targets, as in BENCHMARKS.md's "Music quality you can see": < 1 s for
// the 92-file seed corpus, ≤ 50 ms a piece).
import { CopyIndex } from "@motif/core";
import { parseMidi, pianoNotes, type QuarterNote } from "@motif/midi";
import { findMidiFiles, readMidiFile } from "../data/midi-files.js";
import type { FigureLog } from "./figures.js";

/** A 500-note piece made of pieces of corpus songs and random moves, so checks find both hits and misses. */
function probePiece(songs: readonly QuarterNote[][]): QuarterNote[] {
  const notes: QuarterNote[] = [];
  let time = 0;
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  while (notes.length < 500) {
    const song = songs[Math.floor(random() * songs.length)]!;
    const start = Math.floor(random() * Math.max(1, song.length - 40));
    const excerpt = song.slice(start, start + 40);
    const offset = time - (excerpt[0]?.startQuarter ?? 0);
    for (const n of excerpt)
      notes.push({ ...n, startQuarter: n.startQuarter + offset, endQuarter: n.endQuarter + offset });
    time = (notes[notes.length - 1]?.endQuarter ?? time) + 1;
    for (let i = 0; i < 20; i++, time += 0.5)
      notes.push({
        pitch: 48 + Math.floor(random() * 36),
        velocity: 80,
        startQuarter: time,
        endQuarter: time + 0.5,
      });
  }
  return notes.slice(0, 500);
}

export async function benchCopyDetection(corpusDir: string, log: FigureLog, repeats: number): Promise<void> {
  const files = await findMidiFiles(corpusDir);
  const corpus: { name: string; notes: QuarterNote[] }[] = [];
  for (const file of files) {
    try {
      corpus.push({ name: file.relativePath, notes: pianoNotes(parseMidi(await readMidiFile(file))) });
    } catch {
      // Unreadable files are the ingest benchmark's business; the index is built from the rest.
    }
  }
  const notes = corpus.reduce((sum, song) => sum + song.notes.length, 0);
  let index: CopyIndex | null = null;
  let bestIndex = Infinity;
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    index = new CopyIndex(corpus);
    bestIndex = Math.min(bestIndex, (performance.now() - start) / 1000);
  }
  log.record({
    name: "copy index build",
    value: bestIndex,
    unit: "s",
    config: `${corpus.length} files, ${notes} notes, best of ${repeats}`,
    backend: "js",
    target: "< 1",
  });
  const piece = probePiece(corpus.map((song) => song.notes).filter((n) => n.length > 40));
  let bestCheck = Infinity;
  let longest = 0;
  for (let r = 0; r < Math.max(5, repeats * 5); r++) {
    const start = performance.now();
    longest = index!.check(piece).longest?.notes ?? 0;
    bestCheck = Math.min(bestCheck, performance.now() - start);
  }
  log.record({
    name: "copy check, one 500-note piece",
    value: bestCheck,
    unit: "ms",
    config: `against ${corpus.length} files; longest copy found ${longest} notes`,
    backend: "js",
    target: "≤ 50",
  });
}
