// Speed of the MIDI → tokens front end on the real corpus. Prints one JSON line.
// Run: pnpm --filter trainer exec tsx --conditions=@motif/source ../../packages/core/src/tokenizer/test-support/bench-tokenize.ts
import { parseMidi, pianoNotes, type QuarterNote } from "@motif/midi";
import { getTokenizer } from "../registry.js";
import { findCorpusDir, readCorpus } from "./corpus.js";

const dir = findCorpusDir();
if (dir === null) {
  console.error("corpus not found: set MOTIF_CORPUS_DIR or provide ../shared/datasets/final-fantasy");
  process.exit(1);
}
const files = readCorpus(dir);
const notesChords = getTokenizer("notes-chords");
const timed = getTokenizer("timed");

function runOnce(): { parseMs: number; notesChordsMs: number; timedMs: number; tokens: number } {
  const t0 = performance.now();
  const pieces: QuarterNote[][] = files.map((file) => pianoNotes(parseMidi(file.bytes)));
  const t1 = performance.now();
  let tokens = pieces.reduce((sum, notes) => sum + notesChords.encode(notes).length, 0);
  const t2 = performance.now();
  tokens += pieces.reduce((sum, notes) => sum + timed.encode(notes).length, 0);
  const t3 = performance.now();
  return { parseMs: t1 - t0, notesChordsMs: t2 - t1, timedMs: t3 - t2, tokens };
}

const cold = runOnce();
const warm = Array.from({ length: 5 }, runOnce).sort(
  (a, b) => a.parseMs + a.notesChordsMs + a.timedMs - (b.parseMs + b.notesChordsMs + b.timedMs),
)[2];
const total = (run: typeof cold): number => Math.round(run.parseMs + run.notesChordsMs + run.timedMs);
console.log(
  JSON.stringify({
    files: files.length,
    tokens: cold.tokens,
    coldTotalMs: total(cold),
    cold: {
      parseMs: Math.round(cold.parseMs),
      notesChordsMs: Math.round(cold.notesChordsMs),
      timedMs: Math.round(cold.timedMs),
    },
    warmMedianTotalMs: warm === undefined ? null : total(warm),
  }),
);
