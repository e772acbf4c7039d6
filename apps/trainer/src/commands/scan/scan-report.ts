// `scan`: what is in a MIDI folder, file by file, in the shape `scan --json` prints
// (apps/trainer/README.md, "Commands"), plus what the reader repaired in each file (@motif/midi's
// warnings).
import { TOKENIZER_KINDS, Vocabulary, getTokenizer, type TokenizerKind } from "@motif/core";
import { pianoNotes, tryParseMidi, type MidiWarning } from "@motif/midi";
import { findMidiFiles, readMidiFile } from "../../data/midi-files.js";

export type TokenCounts = Record<TokenizerKind, number>;

export interface ScannedFile {
  path: string;
  ok: boolean;
  error: string | null;
  format: number | null;
  tracks: number | null;
  /** Every note-on with velocity > 0, all tracks, drums included. */
  notes: number | null;
  drumNotes: number | null;
  durationSeconds: number | null;
  tokens: TokenCounts | null;
  /** What the reader repaired to read the file (empty for a clean or a failed file). */
  warnings: MidiWarning[];
}

export interface ScanReport {
  files: ScannedFile[];
  summary: {
    files: number;
    ok: number;
    failed: number;
    /** Files read with at least one warning (counted in `ok`). */
    repaired: number;
    notes: number;
    drumNotes: number;
    durationSeconds: number;
    tokens: TokenCounts;
    vocab: TokenCounts;
  };
}

function zeroCounts(): TokenCounts {
  return Object.fromEntries(TOKENIZER_KINDS.map((kind) => [kind, 0])) as TokenCounts;
}

export async function scanFolder(dir: string): Promise<ScanReport> {
  const midiFiles = await findMidiFiles(dir);
  const tokenizers = TOKENIZER_KINDS.map((kind) => getTokenizer(kind));
  const streams = new Map<TokenizerKind, string[][]>(TOKENIZER_KINDS.map((kind) => [kind, []]));
  const files: ScannedFile[] = [];
  for (const file of midiFiles) {
    const parsed = tryParseMidi(await readMidiFile(file));
    if (!parsed.ok) {
      files.push({
        path: file.relativePath,
        ok: false,
        error: parsed.error.message,
        format: null,
        tracks: null,
        notes: null,
        drumNotes: null,
        durationSeconds: null,
        tokens: null,
        warnings: [],
      });
      continue;
    }
    const sequence = parsed.sequence;
    const piano = pianoNotes(sequence);
    const tokens = zeroCounts();
    for (const tokenizer of tokenizers) {
      const stream = tokenizer.encode(piano);
      tokens[tokenizer.kind] = stream.length;
      streams.get(tokenizer.kind)!.push(stream);
    }
    files.push({
      path: file.relativePath,
      ok: true,
      error: null,
      format: sequence.format,
      tracks: sequence.tracks.length,
      notes: sequence.noteOnCount,
      drumNotes: sequence.notes.filter((note) => note.isDrum).length,
      durationSeconds: round(sequence.totalTime, 3),
      tokens,
      warnings: parsed.warnings,
    });
  }
  const okFiles = files.filter((file) => file.ok);
  const tokens = zeroCounts();
  const vocab = zeroCounts();
  for (const kind of TOKENIZER_KINDS) {
    tokens[kind] = okFiles.reduce((sum, file) => sum + (file.tokens?.[kind] ?? 0), 0);
    vocab[kind] = Vocabulary.build(streams.get(kind)!).size;
  }
  return {
    files,
    summary: {
      files: files.length,
      ok: okFiles.length,
      failed: files.length - okFiles.length,
      repaired: okFiles.filter((file) => file.warnings.length > 0).length,
      notes: okFiles.reduce((sum, file) => sum + (file.notes ?? 0), 0),
      drumNotes: okFiles.reduce((sum, file) => sum + (file.drumNotes ?? 0), 0),
      durationSeconds: round(
        okFiles.reduce((sum, file) => sum + (file.durationSeconds ?? 0), 0),
        3,
      ),
      tokens,
      vocab,
    },
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
