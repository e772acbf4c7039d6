// Corpus ingest: parse every MIDI file and tokenize its piano notes with each tokenizer.
import { getTokenizer, TOKENIZER_KINDS, Vocabulary, type TokenizerKind } from "@motif/core";
import { parseMidi, pianoNotes } from "@motif/midi";
import { findMidiFiles, readMidiFile } from "../data/midi-files.js";
import type { FigureLog } from "./figures.js";

interface IngestResult {
  /** Token ids of every song (notes-chords tokenizer), for the training benchmark. */
  songs: Int32Array[];
  vocabularySize: number;
}

export async function benchIngest(corpusDir: string, log: FigureLog, repeats: number): Promise<IngestResult> {
  const files = await findMidiFiles(corpusDir);
  const bytes = await Promise.all(files.map((file) => readMidiFile(file)));
  let result: IngestResult = { songs: [], vocabularySize: 0 };
  for (const kind of TOKENIZER_KINDS) {
    let best = Infinity;
    let streams: string[][] = [];
    let skipped = 0;
    for (let r = 0; r < repeats; r++) {
      const start = performance.now();
      const run = tokenizeAll(bytes, kind);
      best = Math.min(best, (performance.now() - start) / 1000);
      streams = run.streams;
      skipped = run.skipped;
    }
    const tokens = streams.reduce((sum, s) => sum + s.length, 0);
    const config = `${files.length} files (${skipped} skipped), ${kind}, ${tokens} tokens, parseMidi+pianoNotes+encode, best of ${repeats}`;
    log.record({ name: `ingest seconds (${kind})`, value: best, unit: "s", config, backend: "js" });
    log.record({
      name: `ingest files/s (${kind})`,
      value: files.length / best,
      unit: "files/s",
      config,
      backend: "js",
    });
    if (kind === "notes-chords") {
      const vocabulary = Vocabulary.build(streams);
      result = { songs: streams.map((s) => vocabulary.encode(s).ids), vocabularySize: vocabulary.size };
    }
  }
  return result;
}

function tokenizeAll(bytes: Uint8Array[], kind: TokenizerKind): { streams: string[][]; skipped: number } {
  const tokenizer = getTokenizer(kind);
  const streams: string[][] = [];
  let skipped = 0;
  for (const file of bytes) {
    try {
      streams.push(tokenizer.encode(pianoNotes(parseMidi(file))));
    } catch {
      // Unreadable or untokenizable files are skipped, as the trainer does; the count is reported.
      skipped++;
    }
  }
  return { streams, skipped };
}
