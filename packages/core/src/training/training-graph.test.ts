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
  const comparable = tf.tidy(() =>
    outputsProbabilities(model) ? tf.logSoftmax(inference) : inference.clone(),
  );
  expect(tf.max(tf.abs(tf.sub(comparable, predicted))).dataSync()[0]).toBeLessThan(1e-5);
  const dropouts = model.layers.filter((l) => l.getClassName() === "Dropout") as unknown as {
    seed?: number;
  }[];
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
    check(
      presetConfigs("default", 10, { units: [8, 8], seqLen: 4, embeddingDim: 4, dropout: 0.5, denseUnits: 6 })
        .model,
      3,
      4,
    );
  });

  it("gives the model's log-probabilities for the seed preset (Flatten, softmax left out)", () => {
    check(presetConfigs("notebook", 10, { units: [8, 8], seqLen: 4, denseUnits: 6 }).model, 3, 4);
  });

  it("with carried state, chunk 2 started from chunk 1's final states gives the logits of the whole sequence", () => {
    const { model: config } = presetConfigs("default", 10, {
      units: [6, 5],
      seqLen: 4,
      embeddingDim: 4,
      dropout: 0.3,
    });
    const model = createModel(config, 4);
    const logitsOf = trainingGraph(model, false);
    const sequence = Int32Array.from([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3]);
    const halves = [0, 1].map((half) =>
      Int32Array.from(
        [0, 1].flatMap((row) => Array.from(sequence.subarray(row * 8 + half * 4, row * 8 + half * 4 + 4))),
      ),
    );
    const whole = tf.tidy(
      () => logitsOf(encodeInput(config, sequence, 2, 8), false).arraySync() as number[][],
    );
    const zeros = [6, 6, 5, 5].map((units) => tf.zeros([2, units]) as tf.Tensor2D);
    const first = { initial: zeros, final: [] as Float32Array[] };
    const firstLogits = tf.tidy(
      () => logitsOf(encodeInput(config, halves[0]!, 2, 4), false, first).arraySync() as number[][],
    );
    expect(first.final.map((a) => a.length)).toEqual([12, 12, 10, 10]);
    const second = {
      initial: first.final.map((values, i) => tf.tensor2d(values, [2, [6, 6, 5, 5][i]!])),
      final: [] as Float32Array[],
    };
    const secondLogits = tf.tidy(
      () => logitsOf(encodeInput(config, halves[1]!, 2, 4), false, second).arraySync() as number[][],
    );
    // Rows are [batch row, time] row-major: row r of the whole has its steps 0-3 in chunk 1, 4-7 in chunk 2.
    const expected = (part: number) =>
      [0, 1].flatMap((row) => whole.slice(row * 8 + part * 4, row * 8 + part * 4 + 4));
    const worst = (a: number[][], b: number[][]) =>
      Math.max(...a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i]![j]!))));
    expect(worst(firstLogits, expected(0))).toBeLessThan(1e-5);
    expect(worst(secondLogits, expected(1))).toBeLessThan(1e-5);
    // The zero state is no state: the same logits as without carry, and a carried state changes them.
    const plain = tf.tidy(
      () => logitsOf(encodeInput(config, halves[1]!, 2, 4), false).arraySync() as number[][],
    );
    expect(worst(plain, secondLogits)).toBeGreaterThan(1e-3);
    // Training mode with seeded dropout: the same masks with and without zero states.
    const dropouts = model.layers.filter((l) => l.getClassName() === "Dropout") as unknown as {
      seed?: number;
    }[];
    dropouts.forEach((l) => (l.seed = 5));
    const trainPlain = tf.tidy(
      () => logitsOf(encodeInput(config, halves[0]!, 2, 4), true).arraySync() as number[][],
    );
    const trainCarried = tf.tidy(
      () =>
        logitsOf(encodeInput(config, halves[0]!, 2, 4), true, {
          initial: zeros,
          final: [],
        }).arraySync() as number[][],
    );
    expect(worst(trainPlain, trainCarried)).toBeLessThan(1e-6);
    tf.dispose([...zeros, ...second.initial]);
    model.dispose();
  });

  it("refuses carried state with the stock LSTM (it does not hand back its cell state)", () => {
    const { model: config } = presetConfigs("default", 10, {
      units: [4],
      seqLen: 4,
      embeddingDim: 4,
      cell: "stock",
    });
    const model = createModel(config, 1);
    const zeros = [tf.zeros([1, 4]), tf.zeros([1, 4])] as tf.Tensor2D[];
    const x = encodeInput(config, ids.slice(0, 4), 1, 4);
    expect(() => trainingGraph(model, false)(x, true, { initial: zeros, final: [] })).toThrow(
      /needs the fast cell: lstm_1 is a stock tf.layers.lstm/,
    );
    tf.dispose([x, ...zeros]);
    model.dispose();
  });

  it("its matMul gradients equal tfjs' own", () => {
    const { model: config } = presetConfigs("default", 10, {
      units: [8],
      seqLen: 4,
      embeddingDim: 4,
      dropout: 0,
    });
    const model = createModel(config, 2);
    const x = encodeInput(config, ids.slice(0, 8), 2, 4);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const logitsOf = trainingGraph(model, false);
    const ours = tf.variableGrads(() => tf.sum(tf.square(logitsOf(x, true))), variables);
    const stock = tf.variableGrads(
      () => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)),
      variables,
    );
    for (const v of variables) {
      expect(
        tf
          .max(tf.abs(tf.sub(ours.grads[v.name] as tf.Tensor, stock.grads[v.name] as tf.Tensor)))
          .dataSync()[0],
      ).toBeLessThan(1e-4);
    }
    model.dispose();
  });
});
