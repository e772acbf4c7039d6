import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { motifEmbedding } from "./index.js";
import { maxAbsDiff, useBackend } from "./test-support/backends.js";

const ids = () =>
  tf.tensor2d([
    [0, 3, 3, 9],
    [7, 1, 0, 3],
  ]);

describe("MotifEmbedding", () => {
  it("equals tf.layers.embedding forward and backward (cpu, where the stock gradient exists)", async () => {
    await useBackend("cpu");
    const stock = tf.layers.embedding({ inputDim: 10, outputDim: 5 });
    const motif = motifEmbedding({ inputDim: 10, outputDim: 5 });
    const input = ids();
    tf.dispose([stock.apply(input) as tf.Tensor, motif.apply(input) as tf.Tensor]);
    motif.setWeights(stock.getWeights());
    const projection = tf.randomNormal([2, 4, 5], 0, 1, "float32", 7);
    const gradOf = (layer: tf.layers.Layer) => {
      const table = layer.trainableWeights[0]!.read() as tf.Variable;
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, projection)) as tf.Scalar,
        [table],
      );
      return { value, grad: grads[table.name]! };
    };
    const expected = gradOf(stock);
    const actual = gradOf(motif);
    expect(maxAbsDiff(actual.value, expected.value)).toBeLessThan(1e-4);
    expect(actual.grad.shape).toEqual([10, 5]);
    expect(maxAbsDiff(actual.grad, expected.grad)).toBeLessThan(1e-5);
    // Row 3 appears three times, row 2 never.
    expect(tf.tidy(() => tf.sum(tf.abs(actual.grad.slice([2, 0], [1, 5]))).dataSync()[0])).toBe(0);
    expect(tf.tidy(() => tf.sum(tf.abs(actual.grad.slice([3, 0], [1, 5]))).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([input, projection, expected.value, expected.grad, actual.value, actual.grad]);
  });

  it("trains on wasm, where tf.layers.embedding cannot", async () => {
    await useBackend("wasm");
    const input = tf.input({ shape: [4] });
    // Seeded initialisers and a softmax output (the loss expects probabilities): a deterministic test.
    const embedded = motifEmbedding({
      inputDim: 10,
      outputDim: 4,
      embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 2 }),
    }).apply(input);
    const output = tf.layers
      .dense({
        units: 10,
        activation: "softmax",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      })
      .apply(embedded) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    model.compile({ optimizer: tf.train.adam(0.05), loss: "sparseCategoricalCrossentropy" });
    const x = ids();
    const y = tf.tensor3d([
      [[1], [2], [3], [4]],
      [[5], [6], [7], [8]],
    ]);
    const history = await model.fit(x, y, { epochs: 30, verbose: 0 });
    const losses = history.history["loss"] as number[];
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! / 2);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("names ids outside the vocabulary", async () => {
    await useBackend("cpu");
    const layer = motifEmbedding({ inputDim: 4, outputDim: 2 });
    expect(() => layer.apply(tf.tensor2d([[1, 4]]))).toThrow("token id 4 is outside the vocabulary [0, 4)");
    expect(() => motifEmbedding({ inputDim: 4, outputDim: 2, maskZero: true })).toThrow(/maskZero/);
  });
});
