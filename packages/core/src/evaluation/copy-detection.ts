// Copy detection against a training corpus: how much of a piece occurs verbatim in the corpus, and
// the longest copied passage with its source. A piece is read as the moves between consecutive
// notes (pitch interval, inter-onset class), so a copy is found at any transposition. Times are in
// beats (QuarterNote already is), so a copy is also found at any tempo or ticks-per-quarter.
import type { QuarterNote } from "@motif/midi";
import { sortNotes } from "../tokenizer/validate-notes.js";

/** The n-gram lengths, in symbols (note-to-note moves), of `CopyIndex`. */
export const COPY_NGRAM_SIZES = [8, 16, 32] as const;

/** Intervals beyond two octaves are the same move: a leap. */
export const COPY_MAX_INTERVAL = 24;
/** Onsets closer than this (in beats) are simultaneous: a chord. */
export const COPY_SIMULTANEOUS_BEATS = 1 / 48;
// Onset classes are round(4·log2 Δ): quarter-octave steps of Δ, so 1/4, 1/2, 1 and 2 beats fall
// 4 classes apart and jitter under ~9% stays in its class. The clamp spans 1/48 to 32 beats.
const CLASS_STEPS_PER_OCTAVE = 4;
const MIN_ONSET_LOG_CLASS = Math.round(Math.log2(COPY_SIMULTANEOUS_BEATS) * CLASS_STEPS_PER_OCTAVE);
const MAX_ONSET_LOG_CLASS = 5 * CLASS_STEPS_PER_OCTAVE;
const ONSET_CLASSES = MAX_ONSET_LOG_CLASS - MIN_ONSET_LOG_CLASS + 2;
// Between corpus files, and never produced by `copySymbols`: extensions stop there by themselves.
const SENTINEL = 0xffff;
const SEED = COPY_NGRAM_SIZES[0];

/** One training piece: a name to report and its notes (any order). */
export interface CorpusPiece {
  name: string;
  notes: readonly QuarterNote[];
}

/** The longest passage of a piece found verbatim in one corpus file. */
export interface CopyMatch {
  /** Consecutive piece notes whose moves all occur, contiguously and in order, in the source. */
  notes: number;
  /** Name of the corpus file. */
  source: string;
  /** Onset in beats of the first copied note in the source. */
  sourceStartQuarter: number;
  /** Bar of `sourceStartQuarter` in 4/4, from 1: floor(q / 4) + 1. */
  sourceBar: number;
  /** Beat of `sourceStartQuarter` within its bar, from 1: q mod 4 + 1. */
  sourceBeat: number;
  /** Onset in beats of the first copied note in the piece. */
  pieceStartQuarter: number;
}

/** Result of `CopyIndex.check`. */
export interface CopyReport {
  /** Share of the piece's 8-grams found in the corpus, 0..1; 0 for fewer than 9 notes. */
  copyAt8: number;
  /** Share of the piece's 16-grams found in the corpus, 0..1; 0 for fewer than 17 notes. */
  copyAt16: number;
  /** Share of the piece's 32-grams found in the corpus, 0..1; 0 for fewer than 33 notes. */
  copyAt32: number;
  /** Longest copied passage; null when no 8-gram (9 notes) of the piece is in the corpus. */
  longest: CopyMatch | null;
}

/**
 * Class of an inter-onset interval `delta` in beats: 0 when simultaneous (|Δ| < 1/48), else
 * round(4·log2 Δ) clamped to 1/48..32 beats and shifted to start at 1, so that a one-beat step
 * (log class 0) never reads as a chord.
 */
export function onsetClass(delta: number): number {
  if (Math.abs(delta) < COPY_SIMULTANEOUS_BEATS) return 0;
  const logClass = Math.round(Math.log2(delta) * CLASS_STEPS_PER_OCTAVE);
  return 1 + Math.min(MAX_ONSET_LOG_CLASS, Math.max(MIN_ONSET_LOG_CLASS, logClass)) - MIN_ONSET_LOG_CLASS;
}

/**
 * The move symbols of notes sorted by (startQuarter, pitch): entry i encodes note i → i + 1 as
 * (interval clamped to ±24, `onsetClass` of the onset gap). Transposing the notes or shifting them
 * in time leaves it unchanged; durations do not enter it.
 */
export function copySymbols(sorted: readonly QuarterNote[]): Uint16Array {
  const symbols = new Uint16Array(Math.max(0, sorted.length - 1));
  for (let i = 1; i < sorted.length; i++) {
    const from = sorted[i - 1] as QuarterNote;
    const to = sorted[i] as QuarterNote;
    const interval = Math.min(COPY_MAX_INTERVAL, Math.max(-COPY_MAX_INTERVAL, to.pitch - from.pitch));
    symbols[i - 1] =
      (interval + COPY_MAX_INTERVAL) * ONSET_CLASSES + onsetClass(to.startQuarter - from.startQuarter);
  }
  return symbols;
}

/**
 * Transposition- and tempo-invariant n-gram index of a corpus (n in `COPY_NGRAM_SIZES`). N-grams
 * are keyed by strings of their symbols (one UTF-16 unit each), so a lookup is exact, never a hash
 * collision; the longest copy is found by extending the 8-gram hits symbol by symbol.
 *
 * Tempo: everything is in beats, so a copy rendered at another tempo or ticks-per-quarter (same
 * beats) is found, while one whose note values are all doubled in beats is a different rhythm.
 */
export class CopyIndex {
  // Every file's symbols back to back, each followed by SENTINEL.
  private readonly symbols: Uint16Array;
  // Per position: the file it belongs to, and the onset of the note the move starts from.
  private readonly fileOf: Int32Array;
  private readonly startOf: Float64Array;
  private readonly names: string[];
  // n-gram → first position; for 8-grams also the next position with the same 8-gram (−1: none).
  private readonly firstAt: Map<string, number>[];
  private readonly nextSeed: Int32Array;

  constructor(corpus: readonly CorpusPiece[]) {
    this.names = corpus.map((piece) => piece.name);
    const files = corpus.map((piece) => {
      const sorted = sortNotes(piece.notes);
      return { sorted, symbols: copySymbols(sorted) };
    });
    const total = files.reduce((sum, f) => sum + f.symbols.length + 1, 0);
    this.symbols = new Uint16Array(total);
    this.fileOf = new Int32Array(total);
    this.startOf = new Float64Array(total).fill(Number.NaN);
    let at = 0;
    files.forEach((file, f) => {
      this.symbols.set(file.symbols, at);
      for (let k = 0; k < file.symbols.length; k++)
        this.startOf[at + k] = (file.sorted[k] as QuarterNote).startQuarter;
      this.fileOf.fill(f, at, at + file.symbols.length + 1);
      at += file.symbols.length;
      this.symbols[at++] = SENTINEL;
    });
    this.nextSeed = new Int32Array(total).fill(-1);
    const text = symbolText(this.symbols);
    this.firstAt = COPY_NGRAM_SIZES.map((n) => this.indexGrams(n, text));
  }

  /** Copy shares at each n and the longest copied passage of a piece (notes in any order). */
  check(notes: readonly QuarterNote[]): CopyReport {
    const sorted = sortNotes(notes);
    const symbols = copySymbols(sorted);
    const text = symbolText(symbols);
    const [copyAt8, copyAt16, copyAt32] = COPY_NGRAM_SIZES.map((n, i) => {
      const grams = symbols.length - n + 1;
      if (grams <= 0) return 0;
      const table = this.firstAt[i] as Map<string, number>;
      let found = 0;
      for (let j = 0; j < grams; j++) if (table.has(text.substring(j, j + n))) found++;
      return found / grams;
    }) as [number, number, number];
    return { copyAt8, copyAt16, copyAt32, longest: this.longestCopy(sorted, symbols, text) };
  }

  /** Positions of every n-gram inside one file; the map keeps the first, `nextSeed` chains 8-grams. */
  private indexGrams(n: number, text: string): Map<string, number> {
    const table = new Map<string, number>();
    // Backwards, so the last write of a key is its first position and each chain runs forwards.
    for (let p = this.symbols.length - n; p >= 0; p--) {
      // Inside one file: a file's sentinel is its last position, so this also keeps it out.
      if (this.fileOf[p] !== this.fileOf[p + n - 1] || this.symbols[p + n - 1] === SENTINEL) continue;
      const key = text.substring(p, p + n);
      if (n === SEED) this.nextSeed[p] = table.get(key) ?? -1;
      table.set(key, p);
    }
    return table;
  }

  // Walks every corpus occurrence of each piece 8-gram, so the cost grows with how often its
  // 8-grams recur in the corpus: ~1 ms on varied music, ~100 ms for 500 repeated notes against a
  // corpus made only of repeated notes. The checks below skip most occurrences in O(1).
  private longestCopy(sorted: readonly QuarterNote[], symbols: Uint16Array, text: string): CopyMatch | null {
    const seeds = this.firstAt[0] as Map<string, number>;
    let bestLength = 0;
    let bestPiece = -1;
    let bestSource = -1;
    for (let j = 0; j + SEED <= symbols.length; j++) {
      // No run starting here can be longer than what is left of the piece.
      if (symbols.length - j <= bestLength) break;
      for (let p = seeds.get(text.substring(j, j + SEED)) ?? -1; p >= 0; p = this.nextSeed[p] as number) {
        // Not left-maximal: the run from (j − 1, p − 1) already covered this one, and was longer.
        if (j > 0 && p > 0 && symbols[j - 1] === this.symbols[p - 1]) continue;
        // A run that beats the best must match at offset bestLength; one compare rules most out.
        if (symbols[j + bestLength] !== this.symbols[p + bestLength]) continue;
        let length = SEED;
        while (j + length < symbols.length && symbols[j + length] === this.symbols[p + length]) length++;
        if (length > bestLength) [bestLength, bestPiece, bestSource] = [length, j, p];
      }
    }
    if (bestPiece < 0) return null;
    const sourceStartQuarter = this.startOf[bestSource] as number;
    return {
      notes: bestLength + 1,
      source: this.names[this.fileOf[bestSource] as number] as string,
      sourceStartQuarter,
      sourceBar: Math.floor(sourceStartQuarter / 4) + 1,
      sourceBeat: (((sourceStartQuarter % 4) + 4) % 4) + 1,
      pieceStartQuarter: (sorted[bestPiece] as QuarterNote).startQuarter,
    };
  }
}

/** Symbols as a string of one UTF-16 unit each (all below 0xD800 but SENTINEL), for exact map keys. */
function symbolText(symbols: Uint16Array): string {
  let text = "";
  // Chunked: String.fromCharCode over a whole corpus would overflow the argument limit.
  for (let i = 0; i < symbols.length; i += 8192)
    text += String.fromCharCode(...symbols.subarray(i, i + 8192));
  return text;
}
