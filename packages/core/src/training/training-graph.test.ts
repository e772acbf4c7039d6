import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel, encodeInput, outputsProbabilities } from "../model/create-model.js";
import { presetConfigs, type ModelConfig } from "../model/config.js";
import { trainingGraph } from "./training-graph.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const ids = Int32Array.from([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]);

function check(config: ModelConfig, batch: number, time: number) {
  const model = createModel(config, 2);
  const logitsOf = trainingGraph(model, outputsProbabilities(model));
  const x = encodeInput(config, ids.slice(0, batch * time), batch, time);
  const inference = logitsOf(x, false);
  const predicted = tf.tidy(() => {
    const out = model.predict(x) as tf.Tensor;
    const rows = tf.reshape(out, [-1, config.vocabSize]);
    return outputsProbabilities(model) ? tf.logSoftmax(tf.log(rows)) : rows;
  });
  const comparable = tf.tidy(() => (outputsProbabilities(model) ? tf.logSoftmax(inference) : inference.clone()));
  expect(tf.max(tf.abs(tf.sub(comparable, predicted))).dataSync()[0]).toBeLessThan(1e-5);
  const dropouts = model.layers.filter((l) => l.getClassName() === "Dropout") as unknown as { seed?: number }[];
  const run = (seed: number) => {
    dropouts.forEach((l) => (l.seed = seed));
    return logitsOf(x, true);
  };
  const [a, b, c] = [run(1), run(1), run(2)];
  expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
  expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
  expect(Array.from(a.dataSync())).not.toEqual(Array.from(inference.dataSync()));
  tf.dispose([x, inference, predicted, comparable, a, b, c]);
  model.dispose();
}

describe("trainingGraph", () => {
  it("gives the model's logits in inference mode and seeded dropout in training mode (default preset)", () => {
    check(presetConfigs("default", 10, { units: [8, 8], seqLen: 4, embeddingDim: 4, dropout: 0.5, denseUnits: 6 }).model, 3, 4);
  });

  it("gives the model's log-probabilities for the seed preset (Flatten, softmax left out)", () => {
    check(presetConfigs("seed", 10, { units: [8, 8], seqLen: 4, denseUnits: 6 }).model, 3, 4);
  });

  it("its matMul gradients equal tfjs' own", () => {
    const { model: config } = presetConfigs("default", 10, { units: [8], seqLen: 4, embeddingDim: 4, dropout: 0 });
    const model = createModel(config, 2);
    const x = encodeInput(config, ids.slice(0, 8), 2, 4);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const logitsOf = trainingGraph(model, false);
    const ours = tf.variableGrads(() => tf.sum(tf.square(logitsOf(x, true))), variables);
    const stock = tf.variableGrads(() => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)), variables);
    for (const v of variables) {
      expect(tf.max(tf.abs(tf.sub(ours.grads[v.name] as tf.Tensor, stock.grads[v.name] as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-4);
    }
    model.dispose();
  });
});
