// The radio's stream on real bundles (core's committed fixtures): it composes until far enough
// ahead of the playhead and waits there, and a kept piece's device recipe replays to the same
// tokens, notes and MIDI bytes through the device's own recipe path (what sharing would verify).
import { join } from "node:path";
import { readFile } from "node:fs/promises";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_FILES, Composer, loadBundle, pieceToMidi, type ComposerBundle } from "@motif/core/compose";
import {
  coreFixturesDir,
  FIXTURE_BUNDLES,
  type FixtureBundleName,
} from "../../test-support/compose-fixtures";
import type { DeviceRecipe } from "./device-protocol";
import { deviceGalleryRecipe } from "./device-recipe";
import { RadioStream } from "./radio-stream";

const bundles = new Map<FixtureBundleName, ComposerBundle>();

beforeAll(async () => {
  await tf.setBackend("cpu");
  for (const name of FIXTURE_BUNDLES) {
    const files = Object.fromEntries(
      await Promise.all(
        Object.values(BUNDLE_FILES).map(async (file) => [
          file,
          new Uint8Array(await readFile(join(coreFixturesDir, name, file))),
        ]),
      ),
    );
    bundles.set(name, await loadBundle(files));
  }
});
afterAll(() => {
  for (const bundle of bundles.values()) bundle.model.dispose();
});

const recipe: DeviceRecipe = {
  modelId: "m1",
  seed: 99,
  length: 0,
  temperature: 1,
  topK: null,
  topP: 0.95,
  key: "as-trained",
};

/** Steps until the stream waits; returns how far it composed (seconds). */
function fill(stream: RadioStream): number {
  let composed = 0;
  for (let chunk = stream.step(); chunk; chunk = stream.step()) composed = chunk.composedSeconds;
  return composed;
}

describe.each(FIXTURE_BUNDLES)("the radio's stream on %s", (name) => {
  it("composes until it is the look-ahead past the playhead, waits there, and goes on when the playhead moves", () => {
    const composer = new Composer(bundles.get(name)!);
    try {
      const stream = new RadioStream(composer, recipe, 8);
      const first = fill(stream);
      expect(first).toBeGreaterThanOrEqual(8);
      expect(stream.ahead).toBe(true);
      expect(stream.step()).toBeNull();
      stream.setPlayhead(5);
      expect(stream.ahead).toBe(false);
      expect(fill(stream)).toBeGreaterThanOrEqual(13);
    } finally {
      composer.dispose();
    }
  });

  it("keeps a cut whose device recipe replays to the same tokens, notes and bytes", () => {
    const composer = new Composer(bundles.get(name)!);
    try {
      const stream = new RadioStream(composer, recipe, 60);
      fill(stream);
      const kept = stream.keep(40, 20);
      expect(kept.recipe).toMatchObject({ seed: 99, modelId: "m1" });
      expect(kept.recipe.offset).toBeGreaterThan(0);
      expect(kept.recipe.length).toBeGreaterThanOrEqual(16);
      expect(kept.recipe.length).toBeLessThanOrEqual(2000);
      expect(kept.piece.notes.length).toBeGreaterThan(5);
      // About 20 s of music, cut at chunk boundaries.
      expect(kept.piece.durationSeconds).toBeGreaterThan(15);
      expect(kept.piece.durationSeconds).toBeLessThan(30);
      // A fresh Composer, from the recipe alone.
      const replayer = new Composer(bundles.get(name)!);
      try {
        const replay = replayer.compose(deviceGalleryRecipe(kept.recipe));
        expect(replay.tokens).toEqual(kept.piece.tokens);
        expect(replay.notes).toEqual(kept.piece.notes);
        expect(pieceToMidi(replay)).toEqual(pieceToMidi(kept.piece));
        expect(replay.recipeLines).toContain(`offset ${kept.recipe.offset}`);
        expect(replayer.compose(deviceGalleryRecipe({ ...kept.recipe, seed: 98 })).tokens).not.toEqual(
          kept.piece.tokens,
        );
      } finally {
        replayer.dispose();
      }
      expect(() => new RadioStream(composer, recipe, 1).keep(0, 30)).toThrow(/too little of this stream/);
    } finally {
      composer.dispose();
    }
  });
});
