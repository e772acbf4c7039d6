import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { MotifLSTM, motifEmbedding, motifLstm, type MotifLstmArgs } from "./index.js";
import { maxAbsDiff, useBackend } from "./test-support/backends.js";

const TOLERANCE = 1e-4;

// Seeded so that a failure reproduces.
let seed = 1;
const randomNormal = (shape: number[]) => tf.randomNormal(shape, 0, 1, "float32", seed++);

/** Within 1e-4, relative to the magnitude when values exceed 1 (relu cells can grow large). */
function expectClose(actual: tf.Tensor, expected: tf.Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  const scale = Math.max(
    1,
    tf.tidy(() => tf.max(tf.abs(expected)).dataSync()[0]!),
  );
  expect(maxAbsDiff(actual, expected) / scale).toBeLessThan(TOLERANCE);
}

interface Case {
  batch: number;
  time: number;
  features: number;
  args: MotifLstmArgs;
}

const cases: Case[] = [
  { batch: 2, time: 5, features: 3, args: { units: 4, returnSequences: true } },
  { batch: 3, time: 7, features: 6, args: { units: 5, returnSequences: false } },
  {
    batch: 1,
    time: 2,
    features: 2,
    args: { units: 3, returnSequences: true, recurrentActivation: "sigmoid" },
  },
  {
    batch: 4,
    time: 6,
    features: 5,
    args: { units: 8, returnSequences: false, recurrentActivation: "sigmoid", useBias: false },
  },
  {
    batch: 2,
    time: 9,
    features: 4,
    args: { units: 6, returnSequences: true, unitForgetBias: true, activation: "relu" },
  },
];

function describeCase(c: Case): string {
  const { units, returnSequences, recurrentActivation, useBias, activation } = c.args;
  return (
    `batch ${c.batch}, time ${c.time}, in ${c.features}, units ${units}, returnSequences ${returnSequences}` +
    `${recurrentActivation ? `, ${recurrentActivation}` : ""}${activation ? `, ${activation}` : ""}${useBias === false ? ", no bias" : ""}`
  );
}

/** A stock and a Motif layer built for `c` sharing the same random weights. */
function twinLayers(c: Case): { stock: tf.layers.Layer; motif: MotifLSTM } {
  const args = { ...c.args, recurrentInitializer: "glorotUniform" as const };
  const stock = tf.layers.lstm(args);
  const motif = motifLstm(args);
  const inputShape = [c.batch, c.time, c.features];
  tf.tidy(() => [stock, motif].forEach((layer) => layer.apply(tf.zeros(inputShape))));
  // Wide weights so the hardSigmoid clipping regions are exercised too.
  const weights = stock.getWeights().map((w) => tf.mul(randomNormal(w.shape), 0.8));
  stock.setWeights(weights);
  motif.setWeights(weights);
  tf.dispose(weights);
  return { stock, motif };
}

/** Gradients of a random projection of the layer output w.r.t. the input, initial state and all weights. */
function outputAndGrads(
  layer: tf.layers.Layer,
  x: tf.Variable,
  projection: tf.Tensor,
  state?: tf.Variable[],
) {
  const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  const forward = () =>
    tf.sum(
      tf.mul(layer.apply(x, state ? { initialState: state } : {}) as tf.Tensor, projection),
    ) as tf.Scalar;
  const { value, grads } = tf.variableGrads(forward, [x, ...(state ?? []), ...weights]);
  const output = layer.apply(x, state ? { initialState: state } : {}) as tf.Tensor;
  return { value, output, grads: [x, ...(state ?? []), ...weights].map((v) => grads[v.name]!) };
}

const resultTensors = (r: ReturnType<typeof outputAndGrads>): tf.Tensor[] => [r.value, r.output, ...r.grads];

describe.each(["cpu", "wasm"] as const)("MotifLSTM on %s", (backend) => {
  it.each(cases.map((c) => [describeCase(c), c] as const))("equals tf.layers.lstm: %s", async (_name, c) => {
    await useBackend(backend);
    const { stock, motif } = twinLayers(c);
    const x = tf.variable(randomNormal([c.batch, c.time, c.features]));
    const outShape = c.args.returnSequences ? [c.batch, c.time, c.args.units] : [c.batch, c.args.units];
    const projection = randomNormal(outShape);
    const expected = outputAndGrads(stock, x, projection);
    const actual = outputAndGrads(motif, x, projection);
    expect(actual.output.shape).toEqual(outShape);
    expectClose(actual.output, expected.output);
    expect(actual.grads).toHaveLength(expected.grads.length);
    expected.grads.forEach((g, i) => expectClose(actual.grads[i]!, g));
    // The gradients are not trivially zero.
    expect(tf.tidy(() => tf.max(tf.abs(expected.grads[0]!)).dataSync()[0]!)).toBeGreaterThan(1e-3);
    tf.dispose([x, projection, ...resultTensors(expected), ...resultTensors(actual)]);
    stock.dispose();
    motif.dispose();
  });

  it("takes an initial state and passes gradients to it", async () => {
    await useBackend(backend);
    const c: Case = { batch: 3, time: 4, features: 2, args: { units: 5, returnSequences: true } };
    const { stock, motif } = twinLayers(c);
    const x = tf.variable(randomNormal([3, 4, 2]));
    const state = [tf.variable(randomNormal([3, 5])), tf.variable(randomNormal([3, 5]))];
    const projection = randomNormal([3, 4, 5]);
    const expected = outputAndGrads(stock, x, projection, state);
    const actual = outputAndGrads(motif, x, projection, state);
    expectClose(actual.output, expected.output);
    expected.grads.forEach((g, i) => expectClose(actual.grads[i]!, g));
    expect(tf.tidy(() => tf.max(tf.abs(actual.grads[2]!)).dataSync()[0]!)).toBeGreaterThan(1e-3);
    tf.dispose([x, ...state, projection, ...resultTensors(expected), ...resultTensors(actual)]);
  });

  it("runs inside a functional model with state inputs", async () => {
    await useBackend(backend);
    const build = (layer: tf.layers.Layer) => {
      const x = tf.input({ shape: [4, 3] });
      const h = tf.input({ shape: [6] });
      const c = tf.input({ shape: [6] });
      return tf.model({ inputs: [x, h, c], outputs: layer.apply([x, h, c]) as tf.SymbolicTensor });
    };
    const stock = build(tf.layers.lstm({ units: 6, recurrentInitializer: "glorotUniform" }));
    const motif = build(motifLstm({ units: 6 }));
    motif.setWeights(stock.getWeights());
    const feeds = [randomNormal([2, 4, 3]), randomNormal([2, 6]), randomNormal([2, 6])];
    const [expected, actual] = [stock.predict(feeds) as tf.Tensor, motif.predict(feeds) as tf.Tensor];
    expect(actual.shape).toEqual([2, 6]);
    expectClose(actual, expected);
    tf.dispose([...feeds, expected, actual]);
  });

  it("leaks no tensors in forward or backward", async () => {
    await useBackend(backend);
    const layer = motifLstm({ units: 4, returnSequences: true, recurrentInitializer: "glorotUniform" });
    const x = randomNormal([2, 5, 3]);
    tf.dispose(layer.apply(x) as tf.Tensor); // build and warm up
    const before = tf.memory().numTensors;
    const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    for (let i = 0; i < 3; i++) {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar,
        weights,
      );
      tf.dispose([value, ...Object.values(grads)]);
      tf.dispose(layer.apply(x) as tf.Tensor);
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    layer.dispose();
  });
});

describe("MotifLSTM configuration", () => {
  it("has the stock weight layout and forget-gate bias", async () => {
    await useBackend("cpu");
    const layer = motifLstm({ units: 3, unitForgetBias: true, recurrentInitializer: "glorotUniform" });
    tf.dispose(layer.apply(tf.zeros([1, 2, 5])) as tf.Tensor);
    expect(layer.getWeights().map((w) => w.shape)).toEqual([[5, 12], [3, 12], [12]]);
    expect(layer.weights.map((w) => w.originalName.replace(/^.*\//, "").replace(/_\d+$/, ""))).toEqual([
      "kernel",
      "recurrent_kernel",
      "bias",
    ]);
    expect(Array.from(layer.getWeights()[2]!.dataSync())).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    layer.dispose();
  });

  it("rejects what it cannot do, by name", async () => {
    await useBackend("cpu");
    expect(() => motifLstm({ units: 2, dropout: 0.2 })).toThrow(/dropout/);
    expect(() => motifLstm({ units: 2, recurrentDropout: 0.2 })).toThrow(/recurrentDropout/);
    expect(() => motifLstm({ units: 2, returnState: true })).toThrow(/returnState/);
    expect(() => motifLstm({ units: 2, stateful: true })).toThrow(/stateful/);
    expect(() => motifLstm({ units: 2, activation: "elu" })).toThrow(/unsupported activation "elu"/);
    const layer = motifLstm({ units: 2, recurrentInitializer: "glorotUniform" });
    expect(() => layer.apply(tf.zeros([2, 3]))).toThrow();
    const x = tf.zeros([2, 3, 1]);
    expect(() => layer.apply(x, { initialState: [tf.zeros([2, 3]), tf.zeros([2, 3])] })).toThrow(
      /initialState/,
    );
  });
});

describe("serialisation", () => {
  afterAll(() => tf.disposeVariables());

  it("saves and loads a model of Motif layers with identical predictions", async () => {
    await useBackend("cpu");
    const ids = tf.input({ shape: [6] });
    let h = motifEmbedding({ inputDim: 11, outputDim: 4 }).apply(ids) as tf.SymbolicTensor;
    h = motifLstm({ units: 5, returnSequences: true, recurrentInitializer: "glorotUniform" }).apply(
      h,
    ) as tf.SymbolicTensor;
    h = motifLstm({
      units: 7,
      returnSequences: true,
      recurrentInitializer: "glorotUniform",
      recurrentActivation: "sigmoid",
    }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({
      inputs: ids,
      outputs: tf.layers.dense({ units: 11 }).apply(h) as tf.SymbolicTensor,
    });
    let artifacts: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
    );
    expect(JSON.stringify(artifacts!.modelTopology)).toContain('"class_name":"MotifLSTM"');
    expect(JSON.stringify(artifacts!.modelTopology)).toContain('"class_name":"MotifEmbedding"');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const input = tf.tensor2d([
      [0, 3, 10, 2, 2, 7],
      [1, 1, 4, 9, 5, 0],
    ]);
    const [a, b] = [model.predict(input) as tf.Tensor, loaded.predict(input) as tf.Tensor];
    expect(b.shape).toEqual([2, 6, 11]);
    expect(maxAbsDiff(a, b)).toBe(0);
    expect((loaded.layers[3] as MotifLSTM).cell.recurrentActivation.getClassName()).toBe("sigmoid");
    tf.dispose([input, a, b]);
  });
});
