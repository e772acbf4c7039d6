import { parseMidi, pianoNotes, writeMidi, type QuarterNote } from "@motif/midi";
import { beforeAll, describe, expect, it } from "vitest";
import { getTokenizer } from "./registry.js";
import { countKeptNotes, findCorpusDir, readCorpus } from "./test-support/corpus.js";
import { TOKENIZER_KINDS, type TokenizerKind } from "./types.js";
import { Vocabulary } from "./vocabulary.js";

const corpusDir = findCorpusDir();

interface Piece {
  name: string;
  notes: QuarterNote[];
  tokens: Record<TokenizerKind, string[]>;
}

describe.skipIf(corpusDir === null)(
  `tokenizers on the real corpus${corpusDir === null ? " (skipped: ../shared/datasets/final-fantasy not found)" : ""}`,
  () => {
    let pieces: Piece[] = [];

    beforeAll(() => {
      pieces = readCorpus(corpusDir as string).map(({ name, bytes }) => {
        const notes = pianoNotes(parseMidi(bytes));
        return {
          name,
          notes,
          tokens: {
            "notes-chords": getTokenizer("notes-chords").encode(notes),
            timed: getTokenizer("timed").encode(notes),
          },
        };
      });
    });

    it("reads all 92 files", () => {
      expect(pieces).toHaveLength(92);
      expect(pieces.every((piece) => piece.notes.length > 0)).toBe(true);
    });

    it.each(TOKENIZER_KINDS)("every %s stream is accepted by its grammar token by token", (kind) => {
      for (const piece of pieces) {
        const grammar = getTokenizer(kind).createGrammar();
        for (const [index, token] of piece.tokens[kind].entries()) {
          if (!grammar.allows(token)) throw new Error(`${piece.name}: token ${index} "${token}" rejected`);
          grammar.push(token);
        }
      }
    });

    it("timed: MIDI → tokens → MIDI keeps ≥ 99% of the sounding notes within one grid step", () => {
      let total = 0;
      let sounding = 0;
      let oneToOne = 0;
      for (const piece of pieces) {
        const decoded = getTokenizer("timed").decode(piece.tokens.timed);
        const reread = pianoNotes(parseMidi(writeMidi({ notes: decoded, title: piece.name })));
        total += piece.notes.length;
        sounding += countKeptNotes(piece.notes, reread);
        oneToOne += countKeptNotes(piece.notes, reread, "one-to-one");
      }
      console.log(
        `timed round trip over ${total} notes: ${((100 * sounding) / total).toFixed(2)}% sounding, ` +
          `${((100 * oneToOne) / total).toFixed(2)}% one-to-one (unison doublings merged)`,
      );
      expect(sounding / total).toBeGreaterThanOrEqual(0.99);
      // Only unison doublings (same key, same onset) separate the two measures on this corpus.
      expect(oneToOne / total).toBeGreaterThanOrEqual(0.96);
    });

    it("notes-chords: seed-style decoding gives one event per token, every 0.5 quarter", () => {
      for (const piece of pieces.slice(0, 10)) {
        const tokens = piece.tokens["notes-chords"];
        const onsets = new Set(
          getTokenizer("notes-chords")
            .decode(tokens, { style: "seed" })
            .map((n) => n.startQuarter),
        );
        expect(onsets.size).toBe(tokens.length);
        expect(Math.max(...onsets)).toBe((tokens.length - 1) * 0.5);
      }
    });

    it("vocabulary sizes over all files (seed: 358 notes-chords tokens, first part only)", () => {
      const sizes = Object.fromEntries(
        TOKENIZER_KINDS.map((kind) => [
          kind,
          Vocabulary.build(pieces.map((piece) => piece.tokens[kind])).size,
        ]),
      );
      const counts = Object.fromEntries(
        TOKENIZER_KINDS.map((kind) => [
          kind,
          pieces.reduce((sum, piece) => sum + piece.tokens[kind].length, 0),
        ]),
      );
      console.log(`vocabulary sizes ${JSON.stringify(sizes)}, token counts ${JSON.stringify(counts)}`);
      // Merging every piano track yields more distinct chords than the seed's first part alone.
      expect(sizes["notes-chords"]).toBeGreaterThan(358);
      expect(sizes.timed).toBeLessThanOrEqual(224);
      expect(sizes.timed).toBeGreaterThan(150);
    });

    it.each(TOKENIZER_KINDS)("%s: a held-out song's unseen tokens are counted and dropped", (kind) => {
      let unseenTotal = 0;
      // Every 8th song held out in turn keeps the test fast while covering the whole corpus spread.
      for (const [index, heldOut] of pieces.entries()) {
        if (index % 8 !== 0) continue;
        const vocabulary = Vocabulary.build(
          pieces.filter((_, i) => i !== index).map((piece) => piece.tokens[kind]),
          {
            tokenizer: kind,
          },
        );
        const tokens = heldOut.tokens[kind];
        const { ids, unknown } = vocabulary.encode(tokens);
        const unseen = tokens.filter((token) => vocabulary.id(token) === undefined);
        expect(ids.length + unseen.length).toBe(tokens.length);
        expect(Object.values(unknown).reduce((a, b) => a + b, 0)).toBe(unseen.length);
        unseenTotal += unseen.length;
      }
      // Some songs use chords nobody else uses; timed tokens are shared far more widely.
      if (kind === "notes-chords") expect(unseenTotal).toBeGreaterThan(0);
    });
  },
);
