import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel, encodeInput } from "../model/create-model.js";
import { presetConfigs, type ModelConfig } from "../model/config.js";
import {
  createJsStepModel,
  createStatefulStepModel,
  createStepModel,
  createWindowedStepModel,
} from "./step-model.js";
import { createRng } from "../primitives/rng.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function randomIds(n: number, vocab: number, seed: number): Int32Array {
  const rng = createRng(seed);
  return Int32Array.from({ length: n }, () => Math.floor(rng.next() * vocab));
}

function fullModelLogits(model: tf.LayersModel, config: ModelConfig, ids: Int32Array): Float32Array[] {
  const out = tf.tidy(() => model.predict(encodeInput(config, ids, 1, ids.length)) as tf.Tensor);
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return Array.from(ids, (_, t) => values.slice(t * config.vocabSize, (t + 1) * config.vocabSize));
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  return a.reduce((max, v, i) => Math.max(max, Math.abs(v - (b[i] as number))), 0);
}

describe("createStepModel (stateful)", () => {
  for (const [cell, implementation] of [
    ["stock", "wasm-simd"],
    ["fast", "wasm-simd"],
    ["fast", "js"],
  ] as const) {
    it(`step-by-step logits equal the many-to-many model at every position within 1e-4 (${cell} cell, 2 layers + dense, ${implementation} step)`, () => {
      const { model: config } = presetConfigs("default", 20, {
        units: [16, 12],
        seqLen: 8,
        embeddingDim: 8,
        denseUnits: 10,
        cell,
      });
      const model = createModel(config, 4);
      // Perturb the biases so the test does not pass on all-zero biases by luck.
      model.setWeights(
        model
          .getWeights()
          .map((w, i) => (w.rank === 1 ? tf.add(w, tf.randomUniform(w.shape, -0.5, 0.5, "float32", i)) : w)),
      );
      const ids = randomIds(20, 20, 1); // longer than seqLen: the state carries on
      const expected = fullModelLogits(model, config, ids);
      const step =
        implementation === "js" ? createJsStepModel(model, config) : createStepModel(model, config);
      expect(step.kind).toBe("stateful");
      expect(step.implementation).toBe(implementation);
      ids.forEach((id, t) =>
        expect(maxDifference(step.step(id), expected[t] as Float32Array)).toBeLessThan(1e-4),
      );
      step.reset();
      expect(maxDifference(step.step(ids[0] as number), expected[0] as Float32Array)).toBeLessThan(1e-4);
      step.dispose();
      model.dispose();
    });
  }

  it("rejects ids outside the vocabulary and last-target models", () => {
    const { model: config } = presetConfigs("default", 20, { units: [8], seqLen: 8, embeddingDim: 4 });
    const model = createModel(config, 1);
    const step = createStepModel(model, config);
    expect(() => step.step(20)).toThrow(/token id 20 is outside the vocabulary \(0..19\)/);
    const seed = presetConfigs("notebook", 20, { units: [8, 8], seqLen: 6, denseUnits: 8 }).model;
    const seedModel = createModel(seed, 1);
    expect(() => createStatefulStepModel(seedModel, seed)).toThrow(/use createWindowedStepModel/);
    model.dispose();
    seedModel.dispose();
  });

  it("refuses LSTMs whose activations it does not compute", () => {
    const { model: config } = presetConfigs("default", 5, { units: [4], seqLen: 4, embeddingDim: 3 });
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 5, outputDim: 3, inputShape: [4] }),
        tf.layers.lstm({
          units: 4,
          returnSequences: true,
          recurrentActivation: "hardSigmoid",
          recurrentInitializer: "glorotUniform",
        }),
        tf.layers.dense({ units: 5 }),
      ],
    });
    expect(() => createStatefulStepModel(model, config)).toThrow(/uses tanh\/hardSigmoid/);
    model.dispose();
  });

  it("leaves no tensor behind", () => {
    const { model: config } = presetConfigs("default", 20, { units: [8], seqLen: 8, embeddingDim: 4 });
    const model = createModel(config, 1);
    const before = tf.memory().numTensors;
    const step = createStepModel(model, config);
    for (let i = 0; i < 10; i++) step.step(i);
    step.dispose();
    const windowed = createWindowedStepModel(model, config);
    for (let i = 0; i < 10; i++) windowed.step(i);
    windowed.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe("createWindowedStepModel", () => {
  it("seed-style models re-run the last seqLen tokens (left-padded with id 0) and return log-probabilities", () => {
    const { model: config } = presetConfigs("notebook", 20, { units: [8, 8], seqLen: 6, denseUnits: 8 });
    const model = createModel(config, 2);
    const step = createStepModel(model, config);
    expect(step.kind).toBe("windowed");
    const ids = randomIds(9, 20, 3);
    let logits: Float32Array = new Float32Array();
    ids.forEach((id) => (logits = step.step(id)));
    const window = ids.slice(-6);
    const probs = tf.tidy(() => model.predict(encodeInput(config, window, 1, 6)) as tf.Tensor);
    expect(maxDifference(logits, (probs.dataSync() as Float32Array).map(Math.log))).toBeLessThan(1e-5);
    probs.dispose();
    const fresh = createWindowedStepModel(model, config);
    const padded = Int32Array.from([0, 0, 0, 0, 0, 7]);
    const paddedProbs = tf.tidy(() => model.predict(encodeInput(config, padded, 1, 6)) as tf.Tensor);
    expect(maxDifference(fresh.step(7), (paddedProbs.dataSync() as Float32Array).map(Math.log))).toBeLessThan(
      1e-5,
    );
    paddedProbs.dispose();
    model.dispose();
  });

  it("for many-to-many models equals the stateful model while the history fits the window", () => {
    const { model: config } = presetConfigs("default", 20, { units: [8], seqLen: 8, embeddingDim: 4 });
    const model = createModel(config, 5);
    const stateful = createStepModel(model, config);
    const windowed = createWindowedStepModel(model, config);
    for (const id of randomIds(8, 20, 4))
      expect(maxDifference(stateful.step(id), windowed.step(id))).toBeLessThan(1e-4);
    model.dispose();
  });
});
