// Parse time of the whole corpus: `pnpm --filter @motif/midi bench`.
// One iteration = every file of ../shared/datasets/final-fantasy (or $MOTIF_CORPUS_DIR) parsed once.
import pkg from "@tonejs/midi";
import { bench, describe } from "vitest";
import { parseMidi, pianoNotes, writeMidi } from "../src/index.js";
import { corpusDir, corpusSkipReason, readCorpus } from "../src/test-support/corpus.js";

const { Midi } = pkg;
const files = readCorpus();
const sequences = files.map((file) => parseMidi(file.bytes));
const notes = sequences.reduce((sum, seq) => sum + seq.notes.length, 0);
const bytes = files.reduce((sum, file) => sum + file.bytes.length, 0);

describe.skipIf(!corpusDir)(
  `corpus: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB, ${notes} notes ${corpusDir ? "" : corpusSkipReason}`,
  () => {
    bench("parseMidi, all files", () => {
      for (const file of files) parseMidi(file.bytes);
    });
    bench("@tonejs/midi new Midi(bytes), all files (reference)", () => {
      for (const file of files) new Midi(file.bytes);
    });
    bench("pianoNotes + writeMidi, all files", () => {
      for (const seq of sequences)
        writeMidi({ notes: pianoNotes(seq), ticksPerQuarter: seq.ticksPerQuarter });
    });
  },
);
