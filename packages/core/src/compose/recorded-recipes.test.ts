// Recipes made before the Composer existed (recorded from the CLI's generate and evaluate --pieces
// at the commit in recorded.json) still give the same tokens, recipe lines and MIDI bytes.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256HexSync } from "../primitives/sha256.js";
import { Composer, pieceToMidi } from "./composer.js";
import { createRecipe } from "./recipe.js";
import { loadFixtureBundle, recipeOf, recorded, type FixtureBundle } from "./test-support/fixtures.js";

const composers = new Map<FixtureBundle, { composer: Composer; dispose(): void }>();

beforeAll(async () => {
  await tf.setBackend("cpu");
  for (const name of ["timed-tiny", "chords-tiny"] as const) {
    const bundle = await loadFixtureBundle(name);
    const composer = new Composer(bundle);
    composers.set(name, { composer, dispose: () => (composer.dispose(), bundle.model.dispose()) });
  }
});
afterAll(() => {
  for (const entry of composers.values()) entry.dispose();
});

const composerFor = (name: FixtureBundle): Composer => composers.get(name)!.composer;

describe("recipes recorded from the CLI before the Composer", () => {
  it("cover every primer kind, both tokenizers, keys, sampling limits, style, bpm and keep-primer", () => {
    const inputs = recorded.generate.map((piece) => piece.input);
    expect(new Set(inputs.map((input) => input.primer ?? "none"))).toEqual(
      new Set(["none", "corpus", "file"]),
    );
    expect(new Set(inputs.map((input) => input.bundle))).toEqual(new Set(["timed-tiny", "chords-tiny"]));
    expect(
      inputs.some((input) => input.key !== undefined && !["primer", "as-trained"].includes(input.key)),
    ).toBe(true);
    expect(inputs.some((input) => input.keepPrimer === true)).toBe(true);
    expect(inputs.some((input) => input.style === "seed")).toBe(true);
    expect(recorded.generate.some((piece) => piece.primerKeyShift !== 0)).toBe(true);
  });

  for (const expected of recorded.generate) {
    it(`gives the same tokens, recipe and bytes: ${expected.input.name}`, () => {
      const piece = composerFor(expected.input.bundle).compose(recipeOf(expected.input));
      expect(piece.primer.tokens).toEqual(expected.primerTokens);
      expect(piece.primer.keyShift).toBe(expected.primerKeyShift);
      expect(piece.tokens).toEqual(expected.tokens);
      expect(piece.recipeLines).toEqual(expected.recipeLines);
      const bytes = pieceToMidi(piece);
      expect(bytes.length).toBe(expected.midiBytes);
      expect(sha256HexSync(bytes)).toBe(expected.midiSha256);
    });
  }

  for (const expected of recorded.evaluate) {
    it(`writes evaluate --pieces' files byte for byte: ${expected.bundle} ${expected.args.join(" ")}`, () => {
      // evaluate --pieces N: seeds 1..N at the default recipe with its --length / --temperature.
      const flag = (name: string) => Number(expected.args[expected.args.indexOf(name) + 1]);
      const hashes = expected.pieces.map((_, i) => {
        const piece = composerFor(expected.bundle).compose(
          createRecipe({ seed: i + 1, length: flag("--length"), temperature: flag("--temperature") }),
        );
        return { file: `piece-${i + 1}.mid`, midiSha256: sha256HexSync(pieceToMidi(piece)) };
      });
      expect(hashes).toEqual(expected.pieces);
    });
  }
});
