// The same recipe gives the same tokens on cpu and wasm, and the default preset trains on wasm.
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { useBackend } from "../model/fast-lstm/test-support/backends.js";
import { createModel } from "../model/create-model.js";
import { splitSongs } from "../training/data.js";
import { trainModel } from "../training/train.js";
import { learnableSongs, tinyConfigs, TINY_VOCAB } from "../training/test-support/tiny.js";
import { Vocabulary, getTokenizer } from "../tokenizer/index.js";
import { packTestBundle } from "./test-support/pack-test-bundle.js";
import { loadBundle } from "./load-bundle.js";
import { createStepModel } from "../inference/step-model.js";
import { generateTokens } from "../inference/generate.js";

afterAll(async () => {
  await useBackend("cpu");
});

const tokenizer = getTokenizer("notes-chords");
const names = ["C", "C#", "D", "E-", "E", "F", "F#", "G", "G#", "A"];
const vocabulary = Vocabulary.build([[...names.map((n) => `${n}4`), ...names.map((n) => `${n}5`)]], {
  tokenizer: "notes-chords",
});

describe("across backends", () => {
  it("the default preset (MotifEmbedding + MotifLSTM) trains on wasm", async () => {
    await useBackend("wasm");
    const { model: config, training } = tinyConfigs({ epochs: 2 });
    const { train, validation } = splitSongs(learnableSongs(4), training);
    const model = createModel(config, 1);
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const result = await trainModel({ model, modelConfig: config, training, train, validation });
    expect(result.history.every((m) => Number.isFinite(m.loss) && Number.isFinite(m.valLoss))).toBe(true);
    const after = model.getWeights().map((w) => Array.from(w.dataSync()));
    after.forEach((w, i) => expect(w).not.toEqual(before[i])); // every weight, the embedding included, was trained
    model.dispose();
  });

  it("a bundle packed on cpu generates the same tokens on wasm", async () => {
    expect(vocabulary.size).toBe(TINY_VOCAB);
    await useBackend("cpu");
    const { model: config, training } = tinyConfigs();
    const model = createModel(config, 5);
    const files = await packTestBundle({ model, config, training, vocabulary });
    const options = {
      length: 80,
      seed: 9,
      primer: ["C4", "E4"],
      temperature: 1.2,
      topK: 12,
      topP: 0.95,
      repetitionGuard: true,
    };
    const onCpu = generateTokens({ step: createStepModel(model, config), vocabulary, tokenizer, options });
    model.dispose();
    await useBackend("wasm");
    const loaded = await loadBundle(files);
    const onWasm = generateTokens({
      step: createStepModel(loaded.model, loaded.manifest.model),
      vocabulary: loaded.vocabulary,
      tokenizer: loaded.tokenizer,
      options,
    });
    expect(onWasm).toEqual(onCpu);
    expect(tf.getBackend()).toBe("wasm");
    loaded.model.dispose();
  });
});
