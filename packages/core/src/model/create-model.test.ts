import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel, outputsProbabilities } from "./create-model.js";
import { modelConfigSchema, presetConfigs, presetOf } from "./config.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("presets", () => {
  it("notebook preset with V=358 has exactly the seed notebook's 3,567,206 parameters", () => {
    const { model: config, training } = presetConfigs("notebook", 358);
    const model = createModel(config, 1);
    expect(model.countParams()).toBe(3_567_206);
    expect(model.inputs[0]?.shape).toEqual([null, 100, 1]);
    expect(outputsProbabilities(model)).toBe(true);
    expect(training).toMatchObject({
      batchSize: 128,
      learningRate: 1e-3,
      optimizer: "adam",
      split: "random-windows",
      validationShare: 0.6,
    });
    const classes = model.layers.map((l) => l.getClassName());
    expect(classes).toEqual([
      "InputLayer",
      "MotifLSTM",
      "Dropout",
      "MotifLSTM",
      "Flatten",
      "Dense",
      "Dropout",
      "Dense",
    ]);
    // The stock cell builds the same parameters.
    const stock = createModel({ ...config, cell: "stock" }, 1);
    expect(stock.countParams()).toBe(3_567_206);
    expect(stock.layers.map((l) => l.getClassName())).toContain("LSTM");
    stock.dispose();
    model.dispose();
  });

  it("parent preset is LSTM(512)x3 → Dense(256) → softmax with RMSprop", () => {
    const { model: config, training } = presetConfigs("parent", 50);
    expect(config.units).toEqual([512, 512, 512]);
    // The structure, built small (512-unit orthogonal init takes seconds).
    const model = createModel({ ...config, units: [16, 16, 16], seqLen: 10 }, 1);
    const classes = model.layers.map((l) => l.getClassName());
    expect(classes).toEqual([
      "InputLayer",
      "MotifLSTM",
      "Dropout",
      "MotifLSTM",
      "Dropout",
      "MotifLSTM",
      "Dropout",
      "Dense",
      "Dropout",
      "Dense",
    ]);
    expect(
      model.layers.filter((l) => l.getClassName() === "MotifLSTM").map((l) => l.getConfig().returnSequences),
    ).toEqual([true, true, false]);
    expect(model.getLayer("dense_hidden").getConfig()).toMatchObject({ units: 256, activation: "relu" });
    expect(model.outputs[0]?.shape).toEqual([null, 50]);
    expect(training.optimizer).toBe("rmsprop");
    model.dispose();
  });

  it("default preset: embedding → LSTMs → logits at every step, any sequence length", () => {
    const { model: config } = presetConfigs("default", 20, { units: [16, 16], seqLen: 8, embeddingDim: 8 });
    const model = createModel(config, 3);
    expect(outputsProbabilities(model)).toBe(false);
    const out = tf.tidy(() => (model.predict(tf.zeros([2, 5])) as tf.Tensor).shape);
    expect(out).toEqual([2, 5, 20]);
    model.dispose();
  });

  it("same seed → same initial weights; other seed → different", () => {
    const { model: config } = presetConfigs("default", 20, { units: [16], seqLen: 8, embeddingDim: 8 });
    const a = createModel(config, 5);
    const b = createModel(config, 5);
    const c = createModel(config, 6);
    const weights = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    expect(weights(a)).toEqual(weights(b));
    expect(weights(a)).not.toEqual(weights(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  it("recurrent kernels are orthogonal (R·Rᵀ = I), biases zero except the forget gate's 1", () => {
    const { model: config } = presetConfigs("default", 20, { units: [16], seqLen: 8, embeddingDim: 8 });
    const model = createModel(config, 2);
    const [, recurrent, bias] = model.getLayer("lstm_1").getWeights() as [tf.Tensor, tf.Tensor2D, tf.Tensor];
    const identityError = tf.tidy(
      () => tf.max(tf.abs(tf.sub(tf.matMul(recurrent, tf.transpose(recurrent)), tf.eye(16)))).dataSync()[0],
    );
    expect(identityError).toBeLessThan(1e-5);
    expect(Array.from(bias.dataSync())).toEqual([
      ...Array(16).fill(0),
      ...Array(16).fill(1),
      ...Array(32).fill(0),
    ]);
    model.dispose();
  });

  it("rejects invalid configs and overrides with a specific message", () => {
    expect(() => presetConfigs("default", 20, { units: [] })).toThrow(/units/);
    expect(() => presetConfigs("default", 1)).toThrow(/vocabSize/);
    expect(() => presetConfigs("notebook", 20, { target: "every-step" })).toThrow(/notebook preset flattens/);
    expect(() => presetConfigs("nope" as never, 20)).toThrow(
      /unknown preset "nope" \(known: notebook, parent, default\)/,
    );
  });
});

describe("the old preset name seed", () => {
  it("gives the notebook preset's configs, under the new name", () => {
    expect(presetConfigs("seed", 90, { units: [8, 8] })).toEqual(
      presetConfigs("notebook", 90, { units: [8, 8] }),
    );
    expect(presetConfigs("seed", 90).model.preset).toBe("notebook");
  });

  it("is read as written from a stored config, and builds the notebook's network", () => {
    const { model: notebook } = presetConfigs("notebook", 20, { units: [8, 8], seqLen: 6, denseUnits: 8 });
    const stored = { ...notebook, preset: "seed" as const };
    expect(modelConfigSchema.parse(stored)).toEqual(stored);
    expect(presetOf(stored.preset)).toBe("notebook");
    expect(
      modelConfigSchema.safeParse({ ...stored, target: "every-step" }).error?.issues[0]?.message,
    ).toMatch(/notebook preset flattens/);
    const [a, b] = [createModel(stored, 1), createModel(notebook, 1)];
    expect(a.layers.map((l) => l.getClassName())).toEqual(b.layers.map((l) => l.getClassName()));
    expect(a.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
      b.getWeights().map((w) => Array.from(w.dataSync())),
    );
    a.dispose();
    b.dispose();
  });

  it("leaves other names refused, with zod's message listing the presets then the old name", () => {
    const result = modelConfigSchema.safeParse({ ...presetConfigs("default", 20).model, preset: "small" });
    expect(result.error?.issues[0]?.message).toBe(
      'Invalid option: expected one of "notebook"|"parent"|"default"|"seed"',
    );
  });
});
