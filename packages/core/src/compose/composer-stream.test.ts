// The open-ended stream (the radio) and its cuts: a kept piece's recipe (seed, offset, length)
// replays to the stream's own tokens, notes and bytes, on a fresh Composer too.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QuarterNote } from "@motif/midi";
import { Composer, pieceToMidi, type ComposerBundle } from "./composer.js";
import { ComposeError } from "./errors.js";
import { createRecipe, type Recipe } from "./recipe.js";
import { loadFixtureBundle } from "./test-support/fixtures.js";

let timed: ComposerBundle;
let chords: ComposerBundle;

beforeAll(async () => {
  await tf.setBackend("cpu");
  timed = await loadFixtureBundle("timed-tiny");
  chords = await loadFixtureBundle("chords-tiny");
});
afterAll(() => {
  timed.model.dispose();
  chords.model.dispose();
});

/** Runs `work` with a fresh Composer on `bundle`, disposed after. */
function withComposer<T>(bundle: ComposerBundle, work: (composer: Composer) => T): T {
  const composer = new Composer(bundle);
  try {
    return work(composer);
  } finally {
    composer.dispose();
  }
}

/** The stream's notes after `tokens` tokens, asked for in chunks of `chunk`. */
function streamNotes(bundle: ComposerBundle, recipe: Recipe, tokens: number, chunk: number): QuarterNote[] {
  return withComposer(bundle, (composer) => {
    const stream = composer.stream(recipe);
    const notes: QuarterNote[] = [];
    while (stream.tokenCount < tokens)
      notes.push(...stream.next(Math.min(chunk, tokens - stream.tokenCount)));
    return notes;
  });
}

const rebase = (notes: readonly QuarterNote[]): QuarterNote[] => {
  const start = notes[0]?.startQuarter ?? 0;
  return notes.map((note) => ({
    ...note,
    startQuarter: note.startQuarter - start,
    endQuarter: note.endQuarter - start,
  }));
};

const cases: [string, () => ComposerBundle, Recipe][] = [
  // keepPrimer as the gallery's recipe has it: a cut from later in the stream still drops what came before.
  [
    "timed, primer kept",
    () => timed,
    createRecipe({ seed: 11, length: 0, temperature: 0.9, topP: 0.95, keepPrimer: true }),
  ],
  ["notes-chords, motif style", () => chords, createRecipe({ seed: 12, length: 0, topK: 20 })],
  [
    "notes-chords, seed style",
    () => chords,
    createRecipe({ seed: 13, length: 0, style: "seed", topP: null }),
  ],
];

describe("Composer.stream", () => {
  for (const [name, bundle, recipe] of cases) {
    it(`goes on token after token, the same however it is asked for: ${name}`, () => {
      const whole = streamNotes(bundle(), recipe, 600, 600);
      expect(whole.length).toBeGreaterThan(40);
      expect(streamNotes(bundle(), recipe, 600, 7)).toEqual(whole);
      // Notes come in time order, so the last settled start is how far the stream has composed.
      for (let i = 1; i < whole.length; i++)
        expect(whole[i]!.startQuarter).toBeGreaterThanOrEqual(whole[i - 1]!.startQuarter);
      expect(streamNotes(bundle(), { ...recipe, seed: recipe.seed + 1 }, 600, 600)).not.toEqual(whole);
    });

    it(`cuts pieces whose recipe (seed, offset, length) replays to the same tokens, notes and bytes: ${name}`, () => {
      const cuts: [number, number][] = [
        [0, 120],
        [137, 200],
        [400, 199],
      ];
      const fromStream = withComposer(bundle(), (composer) => {
        const stream = composer.stream(recipe);
        stream.next(600);
        return { all: stream.cut(0, 600), cuts: cuts.map(([offset, length]) => stream.cut(offset, length)) };
      });
      withComposer(bundle(), (composer) => {
        for (const [i, [offset, length]] of cuts.entries()) {
          const cut = fromStream.cuts[i]!;
          const replay = composer.compose({ ...recipe, offset, length });
          expect(cut.tokens).toEqual(fromStream.all.tokens.slice(offset, offset + length));
          expect(replay.tokens).toEqual(cut.tokens);
          expect(replay.notes).toEqual(cut.notes);
          expect(replay.recipeLines).toEqual(cut.recipeLines);
          expect(replay.recipeLines).toContain(`offset ${offset}`);
          expect(pieceToMidi(replay)).toEqual(pieceToMidi(cut));
          expect(cut.notes.length).toBeGreaterThan(5);
          if (offset > 0) expect(cut.notes[0]!.startQuarter).toBe(0);
        }
      });
    });
  }

  it("a cut's notes are the stream's notes from its offset on, started at 0 (timed: every note settles at its own token)", () => {
    const recipe = cases[0]![2];
    const notes = streamNotes(timed, recipe, 337, 337);
    const before = streamNotes(timed, recipe, 137, 137).length;
    const cut = withComposer(timed, (composer) => composer.compose({ ...recipe, offset: 137, length: 200 }));
    expect(cut.notes).toEqual(rebase(notes.slice(before)));
  });

  it("continues what a piece on its own composes: the same tokens but the last (drawn as a last token there)", () => {
    const recipe = createRecipe({ seed: 21, length: 300 });
    for (const bundle of [timed, chords]) {
      withComposer(bundle, (composer) => {
        const piece = composer.compose(recipe);
        const stream = composer.stream(recipe);
        stream.next(300);
        expect(stream.cut(0, 299).tokens).toEqual(piece.tokens.slice(0, 299));
      });
    }
  });

  it("leaves every recipe without an offset as it was: no offset line, and offset 0 differs only as a cut", () => {
    withComposer(timed, (composer) => {
      const piece = composer.compose(createRecipe({ seed: 5, length: 50 }));
      expect(piece.recipeLines.some((line) => line.startsWith("offset"))).toBe(false);
      expect(composer.compose(createRecipe({ seed: 5, length: 50, offset: 0 })).recipeLines).toEqual([
        ...piece.recipeLines.slice(0, 6),
        "offset 0",
        ...piece.recipeLines.slice(6),
      ]);
    });
  });

  it("is ended by composing or by another stream, holds no tensors, and refuses what it cannot do", () => {
    const before = tf.memory().numTensors;
    withComposer(chords, (composer) => {
      const first = composer.stream(createRecipe({ seed: 1, length: 0 }));
      first.next(10);
      composer.compose(createRecipe({ seed: 2, length: 20 }));
      expect(() => first.next(1)).toThrow(/this stream was ended/);
      // What it sampled can still be cut.
      expect(first.cut(2, 8).tokens).toHaveLength(8);
      const second = composer.stream(createRecipe({ seed: 1, length: 0 }));
      composer.stream(createRecipe({ seed: 3, length: 0 }));
      expect(() => second.next(1)).toThrow(/this stream was ended/);

      const error = (() => {
        try {
          composer.stream(createRecipe({ seed: 1, length: 0, key: "D minor" }));
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(ComposeError);
      expect((error as ComposeError).code).toBe("key-needs-piece");
      expect(() => first.cut(5, 6)).toThrow(/fewer than offset 5 \+ length 6/);
      expect(() => composer.compose(createRecipe({ seed: 1, length: 10, offset: -1 }))).toThrow(
        /offset must be a non-negative integer/,
      );
    });
    // A model trained on keys moved to C (timed-tiny) can stream in a named key: its shift is known up front.
    withComposer(timed, (composer) =>
      expect(
        composer.stream(createRecipe({ seed: 1, length: 0, key: "D minor" })).next(50).length,
      ).toBeGreaterThan(0),
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
