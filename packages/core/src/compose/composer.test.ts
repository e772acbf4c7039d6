import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMidi, writeMidi, type QuarterNote } from "@motif/midi";
import { loadBundle } from "../bundle/load-bundle.js";
import { packTestBundle } from "../bundle/test-support/pack-test-bundle.js";
import { transposeNotes } from "../evaluation/key.js";
import { presetConfigs } from "../model/config.js";
import { createModel } from "../model/create-model.js";
import { Vocabulary } from "../tokenizer/vocabulary.js";
import { Composer, pieceToMidi, type ComposerBundle, type NotesUpdate, type Piece } from "./composer.js";
import { ComposeError, type ComposeErrorCode } from "./errors.js";
import { createRecipe, type Recipe } from "./recipe.js";
import { quartersToSeconds, secondsToQuarters } from "./tempo.js";
import { corpusSongs, loadFixtureBundle, primerFile } from "./test-support/fixtures.js";

let timed: ComposerBundle;
let chords: ComposerBundle;
let timedComposer: Composer;
let chordsComposer: Composer;

beforeAll(async () => {
  await tf.setBackend("cpu");
  timed = await loadFixtureBundle("timed-tiny");
  chords = await loadFixtureBundle("chords-tiny");
  timedComposer = new Composer(timed);
  chordsComposer = new Composer(chords);
});
afterAll(() => {
  timedComposer.dispose();
  chordsComposer.dispose();
  timed.model.dispose();
  chords.model.dispose();
});

const corpus = (): Recipe["primer"] => ({ kind: "corpus", songs: corpusSongs() });
const midiFile = (): Recipe["primer"] => ({ kind: "midi", ...primerFile() });

/** Composes while recording every streamed update. */
function composeStreaming(composer: Composer, recipe: Recipe): { piece: Piece; updates: NotesUpdate[] } {
  const updates: NotesUpdate[] = [];
  const piece = composer.compose(recipe, {
    onNotes: (update) => updates.push({ ...update, notes: [...update.notes] }),
  });
  return { piece, updates };
}

const applyUpdates = (updates: readonly NotesUpdate[]): QuarterNote[] =>
  updates.reduce<QuarterNote[]>((notes, update) => [...notes.slice(0, update.from), ...update.notes], []);

function composeError(run: () => unknown): ComposeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ComposeError);
    return error as ComposeError;
  }
  throw new Error("no error was thrown");
}

const expectCode = (run: () => unknown, code: ComposeErrorCode, message: RegExp) => {
  const error = composeError(run);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
};

describe("Composer", () => {
  it("gives identical tokens and bytes for the same recipe, on a fresh Composer too, and frees what it made", () => {
    const before = tf.memory().numTensors;
    const recipe = createRecipe({
      seed: 21,
      length: 150,
      temperature: 0.9,
      topK: 12,
      primer: corpus(),
      key: "F major",
    });
    const first = new Composer(timed);
    const a = first.compose(recipe);
    const b = first.compose(recipe);
    first.dispose();
    const second = new Composer(timed);
    const c = second.compose(recipe);
    second.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(b.tokens).toEqual(a.tokens);
    expect(c.tokens).toEqual(a.tokens);
    expect(pieceToMidi(b)).toEqual(pieceToMidi(a));
    expect(pieceToMidi(c)).toEqual(pieceToMidi(a));
    expect(timedComposer.compose({ ...recipe, seed: 22 }).tokens).not.toEqual(a.tokens);
    expect(() => first.compose(recipe)).toThrow(/disposed/);
  });

  it("writes the recipe into the MIDI file as text events, at the recipe's tempo", () => {
    const piece = timedComposer.compose(createRecipe({ seed: 5, length: 80, bpm: 96 }));
    const sequence = parseMidi(pieceToMidi(piece));
    expect(sequence.texts).toEqual(piece.recipeLines);
    expect(piece.recipeLines).toContain("bpm 96");
    expect(sequence.tempos.map((tempo) => Math.round(tempo.bpm))).toEqual([96]);
    expect(sequence.notes.length).toBe(piece.notes.length);
    const end = Math.max(...piece.notes.map((note) => note.endQuarter));
    expect(piece.durationSeconds).toBeCloseTo((end * 60) / 96, 12);
    expect(secondsToQuarters(quartersToSeconds(end, 96), 96)).toBeCloseTo(end, 12);
  });

  describe("streaming", () => {
    const cases: [string, () => Composer, Recipe][] = [
      ["timed, no primer", () => timedComposer, createRecipe({ seed: 1, length: 200 })],
      [
        "timed, corpus primer kept, moved to D minor",
        () => timedComposer,
        createRecipe({ seed: 2, length: 150, primer: corpus(), keepPrimer: true, key: "D minor" }),
      ],
      [
        "timed, file primer dropped",
        () => timedComposer,
        createRecipe({ seed: 3, length: 150, primer: midiFile() }),
      ],
      [
        "notes-chords, motif style, primer kept",
        () => chordsComposer,
        createRecipe({ seed: 4, length: 120, primer: midiFile(), keepPrimer: true }),
      ],
      [
        "notes-chords, seed style, corpus primer dropped",
        () => chordsComposer,
        createRecipe({ seed: 5, length: 120, primer: corpus(), style: "seed" }),
      ],
    ];
    for (const [name, composer, recipe] of cases) {
      it(`sends the final piece's notes while composing, appending: ${name}`, () => {
        const { piece, updates } = composeStreaming(composer(), recipe);
        expect(piece.notes.length).toBeGreaterThan(10);
        expect(applyUpdates(updates)).toEqual(piece.notes);
        let sent = 0;
        for (const update of updates) {
          expect(update.from).toBe(sent);
          sent += update.notes.length;
        }
        // Notes went out long before the last token.
        expect(updates[0]!.tokenCount).toBeLessThan(piece.primer.tokens.length + recipe.length / 2);
        expect(updates.at(-1)!.tokenCount).toBeLessThanOrEqual(
          piece.primer.tokens.length + piece.tokens.length,
        );
      });
    }

    it("replaces every note once at the end when the key shift needs the finished piece (named key, keys as written)", () => {
      const recipe = createRecipe({ seed: 6, length: 120, key: "Db major" });
      const { piece, updates } = composeStreaming(chordsComposer, recipe);
      expect(piece.keyShift).not.toBe(0);
      const last = updates.at(-1)!;
      expect(last.from).toBe(0);
      expect(last.notes).toEqual(piece.notes);
      expect(applyUpdates(updates)).toEqual(piece.notes);
      // Before the replacement the stream was the piece unmoved.
      expect(applyUpdates(updates.slice(0, -1))).toEqual(transposeNotes(piece.notes, -piece.keyShift));
    });
  });

  describe("incremental decoding", () => {
    it("never decodes the whole sequence, and equals decoding it whole", () => {
      for (const [bundle, style] of [
        [timed, "motif"],
        [chords, "motif"],
        [chords, "seed"],
      ] as const) {
        const noWholeDecode = new Composer({
          ...bundle,
          tokenizer: {
            ...bundle.tokenizer,
            decode: () => expect.unreachable("decode of the whole sequence"),
          },
        });
        try {
          const piece = noWholeDecode.compose(
            createRecipe({ seed: 8, length: 200, primer: midiFile(), keepPrimer: true, style }),
          );
          const whole = bundle.tokenizer.decode([...piece.primer.tokens, ...piece.tokens], { style });
          expect(piece.notes).toEqual(transposeNotes(whole, piece.keyShift));
        } finally {
          noWholeDecode.dispose();
        }
      }
    });

    it("drops the primer's notes and starts the continuation at 0 unless the primer is kept", () => {
      const recipe = createRecipe({ seed: 9, length: 150, primer: corpus(), key: "as-trained" });
      const kept = timedComposer.compose({ ...recipe, keepPrimer: true });
      const dropped = timedComposer.compose(recipe);
      expect(dropped.tokens).toEqual(kept.tokens);
      const primerNotes = timed.tokenizer.decode(kept.primer.tokens).length;
      expect(primerNotes).toBeGreaterThan(0);
      const rest = kept.notes.slice(primerNotes);
      const offset = rest[0]!.startQuarter;
      expect(offset).toBeGreaterThan(0);
      expect(dropped.notes).toEqual(
        rest.map((note) => ({
          ...note,
          startQuarter: note.startQuarter - offset,
          endQuarter: note.endQuarter - offset,
        })),
      );
    });
  });

  it("moves the piece to the key asked for: same tokens, every note by the same interval", () => {
    const recipe = createRecipe({ seed: 10, length: 150 });
    const asTrained = timedComposer.compose(recipe);
    const inD = timedComposer.compose({ ...recipe, key: "D major" });
    expect(inD.tokens).toEqual(asTrained.tokens);
    expect(inD.keyShift).toBe(2);
    expect(inD.notes.map((note) => note.pitch - 2)).toEqual(asTrained.notes.map((note) => note.pitch));
    expect(inD.recipeLines).toContain("key D major");
    expect(asTrained.recipeLines).toContain("key as-trained");
  });

  describe("primers", () => {
    it("none: nothing fed, the model's own key", () => {
      const piece = timedComposer.compose(createRecipe({ seed: 11, length: 40 }));
      expect(piece.primer).toEqual({ tokens: [], description: "none", warnings: [], keyShift: 0 });
      expect(piece.key).toEqual({ kind: "as-trained" });
    });

    it("corpus: a window of a training song chosen by the seed, never a validation song, moved back to its key", () => {
      const validation = new Set(
        timed.manifest.dataset.files.filter((file) => file.split === "validation").map((file) => file.name),
      );
      const chosen = new Set<string>();
      for (let seed = 1; seed <= 12; seed++) {
        const primer = timedComposer.primer(corpus(), { seed, length: 24 });
        expect(primer.description).toMatch(/^corpus:[a-z-]+\.mid@\d+\+24 key=[A-G][b#]?-(major|minor)$/);
        expect(timedComposer.primer(corpus(), { seed, length: 24 })).toEqual(primer);
        const song = /^corpus:(\S+)@/.exec(primer.description)![1]!;
        expect(validation.has(song)).toBe(false);
        chosen.add(song);
      }
      expect(chosen.size).toBeGreaterThan(1);
      const piece = timedComposer.compose(createRecipe({ seed: 3, length: 40, primer: corpus() }));
      expect(piece.key).toEqual({ kind: "primer" });
      expect(piece.keyShift).toBe(-piece.primer.keyShift);
    });

    it("midi: the start of the file, named with its hash, token count and key", () => {
      const primer = timedComposer.primer(midiFile(), { seed: 1, length: 20 });
      expect(primer.tokens).toHaveLength(20);
      expect(primer.description).toMatch(/^file:ode-to-joy\.mid sha256=[0-9a-f]{16} tokens=20 key=G-major$/);
      expect(primer.keyShift).toBe(5);
      // Keys as written: the notes are not moved and no key is named.
      expect(chordsComposer.primer(midiFile(), { seed: 1, length: 20 }).description).toMatch(
        /^file:ode-to-joy\.mid sha256=[0-9a-f]{16} tokens=20$/,
      );
    });

    it("tokens: a primer resolved before (a stored piece) gives the same piece", () => {
      const recipe = createRecipe({ seed: 12, length: 100, primer: corpus() });
      const primer = timedComposer.primer(recipe.primer, { seed: recipe.seed, length: recipe.primerLength });
      const fromSource = timedComposer.compose(recipe);
      const fromTokens = timedComposer.compose({
        ...recipe,
        primer: {
          kind: "tokens",
          tokens: primer.tokens,
          description: primer.description,
          keyShift: primer.keyShift,
        },
      });
      expect(pieceToMidi(fromTokens)).toEqual(pieceToMidi(fromSource));
    });
  });

  describe("errors are typed and say what is wrong", () => {
    it("a primer file that is not MIDI", () => {
      expectCode(
        () =>
          timedComposer.compose(
            createRecipe({
              seed: 1,
              length: 10,
              primer: { kind: "midi", name: "notes.txt", bytes: new TextEncoder().encode("not a midi file") },
            }),
          ),
        "bad-primer-file",
        /^notes\.txt is not a MIDI file Motif can read: /,
      );
    });

    it("a MIDI primer without notes", () => {
      const silent = writeMidi({ notes: [], title: "silence" });
      expectCode(
        () =>
          timedComposer.primer({ kind: "midi", name: "silence.mid", bytes: silent }, { seed: 1, length: 32 }),
        "empty-primer",
        /silence\.mid has no piano notes the model knows/,
      );
    });

    it("an unknown key", () => {
      expectCode(
        () => timedComposer.compose(createRecipe({ seed: 1, length: 10, key: "H major" })),
        "unknown-key",
        /unknown key "H major"/,
      );
    });

    it("a corpus without the model's training songs", () => {
      const validationOnly = corpusSongs().filter(
        (song) => song.name === "scale-c-major.mid" || song.name === "alberti-g-major.mid",
      );
      expectCode(
        () => timedComposer.primer({ kind: "corpus", songs: validationOnly }, { seed: 1, length: 32 }),
        "corpus-not-found",
        /none of the model's 5 training songs are among the 2 corpus songs given/,
      );
    });

    it("primer tokens the model cannot take", () => {
      const tokens = (list: string[]): Recipe["primer"] => ({
        kind: "tokens",
        tokens: list,
        description: "stored",
        keyShift: 0,
      });
      expectCode(
        () => timedComposer.compose(createRecipe({ seed: 1, length: 10, primer: tokens(["N60", "X1"]) })),
        "bad-primer-tokens",
        /primer token 1 "X1" is not in the model's vocabulary/,
      );
      const known = timed.vocabulary.tokens.find((token) => token.startsWith("D"))!;
      expectCode(
        () => timedComposer.compose(createRecipe({ seed: 1, length: 10, primer: tokens([known]) })),
        "bad-primer-tokens",
        /primer token 0 "D\d+" does not follow/,
      );
    });

    it("a recipe field out of range", () => {
      expectCode(
        () => timedComposer.compose(createRecipe({ seed: -1, length: 10 })),
        "invalid-recipe",
        /seed must be an integer/,
      );
      expectCode(
        () => timedComposer.compose(createRecipe({ seed: 1, length: 10, topP: 1.5 })),
        "invalid-recipe",
        /topP must be in \(0, 1\]/,
      );
      expectCode(
        () => timedComposer.compose(createRecipe({ seed: 1, length: 10, bpm: 0 })),
        "invalid-recipe",
        /bpm must be a positive number/,
      );
    });

    it("a primer longer than a windowed model's context", async () => {
      const vocabulary = chords.vocabulary;
      const { model: config, training } = presetConfigs("notebook", vocabulary.size, {
        units: [8, 8],
        seqLen: 8,
        denseUnits: 8,
      });
      const model = createModel(config, 1);
      const bundle = await loadBundle(
        await packTestBundle({
          model,
          config,
          training,
          vocabulary: Vocabulary.fromJSON(vocabulary.toJSON()),
        }),
      );
      model.dispose();
      const windowed = new Composer(bundle);
      try {
        expect(windowed.context).toBe(8);
        expect(
          windowed.compose(createRecipe({ seed: 1, length: 5, primer: midiFile(), primerLength: 8 })).tokens,
        ).toHaveLength(5);
        expectCode(
          () => windowed.compose(createRecipe({ seed: 1, length: 5, primer: midiFile(), primerLength: 9 })),
          "primer-too-long",
          /the primer has 9 tokens but this notebook model predicts from the last 8/,
        );
      } finally {
        windowed.dispose();
        bundle.model.dispose();
      }
      expect(timedComposer.context).toBeNull();
    });
  });
});
