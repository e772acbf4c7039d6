// Recovery must never change a clean file: every file of the clean corpora parses to exactly the
// sequence recorded with the strict reader before recovery existed (fingerprints in
// test-support/corpus-fingerprints.json), with no warnings. MOTIF_RECORD_FINGERPRINTS=1 re-records.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseMidiWithWarnings } from "./parse-midi.js";
import { REGRESSION_CORPORA, readMidiTree } from "./test-support/corpus.js";
import type { NoteSequence } from "./types.js";

const FINGERPRINTS = new URL("./test-support/corpus-fingerprints.json", import.meta.url);
const recording = process.env.MOTIF_RECORD_FINGERPRINTS === "1";

interface Fingerprint {
  notes: number;
  sha256: string;
}

function fingerprint(sequence: NoteSequence): Fingerprint {
  return {
    notes: sequence.notes.length,
    sha256: createHash("sha256").update(JSON.stringify(sequence)).digest("hex"),
  };
}

const recorded: Record<string, Fingerprint> = existsSync(FINGERPRINTS)
  ? JSON.parse(readFileSync(FINGERPRINTS, "utf8"))
  : {};

for (const corpus of REGRESSION_CORPORA) {
  const present = existsSync(corpus.dir);
  describe.skipIf(!present)(
    `clean corpus ${corpus.relative} ${present ? "" : `(skipped: ${corpus.dir} not found)`}`,
    () => {
      it("parses every file to exactly the recorded sequence, with no warnings", () => {
        const files = readMidiTree(corpus.dir);
        expect(files.length).toBeGreaterThan(0);
        const changed: string[] = [];
        const warned: string[] = [];
        for (const file of files) {
          const key = `${corpus.relative}/${file.name}`;
          const { sequence, warnings } = parseMidiWithWarnings(file.bytes);
          warned.push(...warnings.map((warning) => `${key}: ${warning.message}`));
          const now = fingerprint(sequence);
          if (recording) recorded[key] = now;
          else if (JSON.stringify(recorded[key]) !== JSON.stringify(now))
            changed.push(`${key}: ${JSON.stringify(recorded[key])} → ${JSON.stringify(now)}`);
        }
        if (recording) writeFileSync(FINGERPRINTS, formatFingerprints(recorded));
        expect(changed).toEqual([]);
        expect(warned).toEqual([]);
      });
    },
  );
}

/** One file a line, sorted, so a re-recording diffs file by file. */
function formatFingerprints(all: Record<string, Fingerprint>): string {
  const lines = Object.keys(all)
    .sort()
    .map((key) => `  ${JSON.stringify(key)}: ${JSON.stringify(all[key])}`);
  return `{\n${lines.join(",\n")}\n}\n`;
}
