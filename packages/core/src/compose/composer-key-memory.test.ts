// The model's key memory (sampling/key-memory.ts) as the Composer applies it: read from the
// bundle's model config, the same piece for the same recipe, and audible: pieces keep to fewer
// pitch classes than the same network's without it.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pieceFeatures } from "../evaluation/piece-features.js";
import { modelConfigSchema, type KeyMemoryConfig } from "../model/config.js";
import { Composer, type ComposerBundle } from "./composer.js";
import { createRecipe } from "./recipe.js";
import { loadFixtureBundle } from "./test-support/fixtures.js";

let timed: ComposerBundle;

beforeAll(async () => {
  await tf.setBackend("cpu");
  timed = await loadFixtureBundle("timed-tiny");
});
afterAll(() => timed.model.dispose());

/** The fixture bundle with another key memory in its model config. */
function withKeyMemory(keyMemory: KeyMemoryConfig | undefined): ComposerBundle {
  return { ...timed, manifest: { ...timed.manifest, model: { ...timed.manifest.model, keyMemory } } };
}

function composeAll(bundle: ComposerBundle, seeds: readonly number[], length: number) {
  const composer = new Composer(bundle);
  try {
    return seeds.map((seed) => composer.compose(createRecipe({ seed, length })));
  } finally {
    composer.dispose();
  }
}

const meanEntropy = (pieces: ReturnType<typeof composeAll>): number =>
  pieces.reduce((sum, piece) => sum + pieceFeatures(piece.notes).pitchClassEntropy, 0) / pieces.length;

describe("the Composer's key memory", () => {
  const seeds = [1, 2, 3, 4, 5, 6];

  it("is off for a bundle made before it, and at strength 0", () => {
    expect(timed.manifest.model.keyMemory).toBeUndefined();
    const before = composeAll(timed, seeds.slice(0, 2), 200).map((piece) => piece.tokens);
    const off = composeAll(withKeyMemory({ strength: 0, halfLife: null }), seeds.slice(0, 2), 200);
    expect(off.map((piece) => piece.tokens)).toEqual(before);
  });

  it("gives the same piece for the same recipe, another than the network alone", () => {
    const memory = withKeyMemory({ strength: 0.5, halfLife: 16 });
    const first = composeAll(memory, seeds, 200).map((piece) => piece.tokens);
    const again = composeAll(memory, seeds, 200).map((piece) => piece.tokens);
    expect(again).toEqual(first);
    const alone = composeAll(timed, seeds, 200).map((piece) => piece.tokens);
    expect(first).not.toEqual(alone);
  });

  it("keeps pieces to fewer pitch classes, more so the stronger it is", () => {
    const alone = meanEntropy(composeAll(timed, seeds, 400));
    const mild = meanEntropy(composeAll(withKeyMemory({ strength: 0.5, halfLife: null }), seeds, 400));
    const strong = meanEntropy(composeAll(withKeyMemory({ strength: 2, halfLife: null }), seeds, 400));
    expect(mild).toBeLessThan(alone);
    expect(strong).toBeLessThan(mild);
  });

  it("is refused in a bundle with settings it cannot have", () => {
    const config = { ...timed.manifest.model };
    expect(
      modelConfigSchema.safeParse({ ...config, keyMemory: { strength: 0.5, halfLife: 16 } }).success,
    ).toBe(true);
    for (const keyMemory of [
      { strength: 5, halfLife: 16 },
      { strength: 0.5, halfLife: 0 },
      { strength: 0.5 },
    ])
      expect(modelConfigSchema.safeParse({ ...config, keyMemory }).success).toBe(false);
  });
});
