// The model's key memory (sampling/key-memory.ts) as the Composer applies it: read from the
// bundle's model config, fed by the primer and never by the piece's own draws, the same piece for
// the same recipe, and audible: a continuation keeps to its primer's pitch classes more closely.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelConfigSchema, type KeyMemoryConfig } from "../model/config.js";
import { Composer, type ComposerBundle } from "./composer.js";
import { createRecipe, type Recipe } from "./recipe.js";
import { corpusSongs, loadFixtureBundle } from "./test-support/fixtures.js";

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

const corpus = (): Recipe["primer"] => ({ kind: "corpus", songs: corpusSongs() });

function composeAll(bundle: ComposerBundle, seeds: readonly number[], length: number, primed = true) {
  const composer = new Composer(bundle);
  try {
    return seeds.map((seed) =>
      composer.compose(createRecipe({ seed, length, ...(primed ? { primer: corpus() } : {}) })),
    );
  } finally {
    composer.dispose();
  }
}

/** Share of the sampled notes whose pitch class the primer sounds (in the model's key, as sampled). */
function primerClassShare(bundle: ComposerBundle, pieces: ReturnType<typeof composeAll>): number {
  const classes = (tokens: readonly string[]) =>
    tokens.flatMap((token) => [...(bundle.tokenizer.pitchClassesOf(token) ?? [])]);
  let inside = 0;
  let total = 0;
  for (const piece of pieces) {
    const heard = new Set(classes(piece.primer.tokens));
    for (const pc of classes(piece.tokens)) {
      total++;
      if (heard.has(pc)) inside++;
    }
  }
  return inside / total;
}

describe("the Composer's key memory", () => {
  const seeds = [1, 2, 3, 4, 5, 6];

  it("is off for a bundle made before it, and at strength 0", () => {
    expect(timed.manifest.model.keyMemory).toBeUndefined();
    const before = composeAll(timed, seeds.slice(0, 2), 200).map((piece) => piece.tokens);
    const off = composeAll(withKeyMemory({ strength: 0, halfLife: null }), seeds.slice(0, 2), 200);
    expect(off.map((piece) => piece.tokens)).toEqual(before);
  });

  it("hears the primer, not the piece's own draws: without a primer the piece is the network's alone", () => {
    const memory = withKeyMemory({ strength: 0.5, halfLife: 16 });
    const unprimed = (bundle: ComposerBundle) =>
      composeAll(bundle, seeds, 200, false).map((piece) => piece.tokens);
    expect(unprimed(memory)).toEqual(unprimed(timed));
    const first = composeAll(memory, seeds, 200).map((piece) => piece.tokens);
    expect(composeAll(memory, seeds, 200).map((piece) => piece.tokens)).toEqual(first);
    expect(first).not.toEqual(composeAll(timed, seeds, 200).map((piece) => piece.tokens));
  });

  it("keeps a continuation to its primer's pitch classes, more so the stronger it is", () => {
    const share = (keyMemory: KeyMemoryConfig | undefined) =>
      primerClassShare(timed, composeAll(withKeyMemory(keyMemory), seeds, 300));
    const alone = share(undefined);
    const mild = share({ strength: 0.5, halfLife: null });
    const strong = share({ strength: 2, halfLife: null });
    expect(mild).toBeGreaterThan(alone);
    expect(strong).toBeGreaterThan(mild);
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
