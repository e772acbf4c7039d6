// A stateful batch-1 step model: the suggested faster formulation for core's createStepModel.
// The weights stay resident on the tfjs backend and each layer is ONE fused matMul per token
// ([x, h]·[K; R] + b, or a row of the precomputed embedding·K + b table plus h·R for the first
// layer), where the wasm backend's SIMD matMul is ~10x faster than plain JS loops. The gate
// arithmetic on a few hundred numbers stays in JS, which avoids ~12 tfjs op dispatches per layer.
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig, StepModel } from "@motif/core";

type Activation = (v: number) => number;

const ACTIVATIONS: Record<string, Activation> = {
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  hardSigmoid: (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)),
  tanh: Math.tanh,
  relu: (v) => Math.max(0, v),
  linear: (v) => v,
};

function activationOf(layer: tf.layers.Layer, key: "activation" | "recurrentActivation"): Activation {
  const name = String(layer.getConfig()[key]);
  const fn = ACTIVATIONS[name];
  if (!fn) throw new Error(`the step model does not support ${key} "${name}" in layer ${layer.name}`);
  return fn;
}

interface LstmStep {
  units: number;
  inputSize: number;
  activation: Activation;
  recurrentActivation: Activation;
  /** First layer with an embedding: rows of E·K + b, [V × 4u], in JS. */
  inputTable: Float32Array | null;
  /** [K; R] ([in + u, 4u]) with bias, or just R for the first layer when inputTable is set. */
  weights: tf.Tensor2D;
  bias: tf.Tensor1D | null;
  h: Float32Array;
  c: Float32Array;
}

export function createTfStepModel(model: tf.LayersModel, config: ModelConfig): StepModel {
  if (config.target !== "every-step") throw new Error("the step model needs a many-to-many model");
  let embedding: tf.Tensor2D | null = null;
  const lstms: LstmStep[] = [];
  const denses: { weights: tf.Tensor2D; bias: tf.Tensor1D; relu: boolean }[] = [];
  for (const layer of model.layers) {
    const name = layer.getClassName();
    if (name === "InputLayer" || name === "Dropout") continue;
    const weights = layer.getWeights();
    if (name === "MotifEmbedding" || name === "Embedding") {
      embedding = weights[0]!.clone() as tf.Tensor2D;
    } else if (name === "LSTM" || name === "MotifLSTM") {
      const [kernel, recurrent, bias] = weights as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
      const units = recurrent.shape[0];
      const useTable = lstms.length === 0 && embedding !== null;
      lstms.push({
        units,
        inputSize: kernel.shape[0],
        activation: activationOf(layer, "activation"),
        recurrentActivation: activationOf(layer, "recurrentActivation"),
        inputTable: useTable
          ? (tf.tidy(() => tf.add(tf.matMul(embedding!, kernel), bias)).dataSync() as Float32Array)
          : null,
        weights: useTable
          ? (recurrent.clone() as tf.Tensor2D)
          : (tf.concat([kernel, recurrent], 0) as tf.Tensor2D),
        bias: useTable ? null : (bias.clone() as tf.Tensor1D),
        h: new Float32Array(units),
        c: new Float32Array(units),
      });
    } else if (name === "Dense") {
      denses.push({
        weights: weights[0]!.clone() as tf.Tensor2D,
        bias: weights[1]!.clone() as tf.Tensor1D,
        relu: layer.getConfig().activation === "relu",
      });
    } else {
      throw new Error(`the step model does not know layer ${layer.name} (${name})`);
    }
    // getWeights() returns the live variables: cloned above, never disposed here.
  }
  if (embedding) (embedding as tf.Tensor2D).dispose();
  if (lstms.length === 0 || denses.length === 0)
    throw new Error("the step model needs at least one LSTM and a dense output");

  /** row · weights (+ bias) on the backend. */
  const project = (row: Float32Array, weights: tf.Tensor2D, bias: tf.Tensor1D | null): Float32Array => {
    const input = tf.tensor2d(row, [1, row.length]);
    const out = bias ? tf.fused.matMul({ a: input, b: weights, bias }) : tf.matMul(input, weights);
    const values = out.dataSync() as Float32Array;
    tf.dispose([input, out]);
    return values;
  };

  return {
    kind: "stateful",
    step(tokenId) {
      if (!Number.isInteger(tokenId) || tokenId < 0 || tokenId >= config.vocabSize)
        throw new RangeError(`token id ${tokenId} is outside the vocabulary (0..${config.vocabSize - 1})`);
      let x: Float32Array = Float32Array.of(tokenId / config.vocabSize);
      for (const lstm of lstms) {
        const u = lstm.units;
        let z: Float32Array;
        if (lstm.inputTable) {
          z = project(lstm.h, lstm.weights, null);
          const row = tokenId * 4 * u;
          for (let j = 0; j < 4 * u; j++) z[j] = z[j]! + lstm.inputTable[row + j]!;
        } else {
          const joined = new Float32Array(lstm.inputSize + u);
          joined.set(x);
          joined.set(lstm.h, lstm.inputSize);
          z = project(joined, lstm.weights, lstm.bias);
        }
        const { h, c, activation, recurrentActivation } = lstm;
        for (let j = 0; j < u; j++) {
          const cell =
            recurrentActivation(z[u + j]!) * c[j]! + recurrentActivation(z[j]!) * activation(z[2 * u + j]!);
          c[j] = cell;
          h[j] = recurrentActivation(z[3 * u + j]!) * activation(cell);
        }
        x = h;
      }
      for (const dense of denses) {
        x = project(x, dense.weights, dense.bias);
        if (dense.relu) for (let j = 0; j < x.length; j++) x[j] = Math.max(0, x[j]!);
      }
      return Float32Array.from(x);
    },
    reset() {
      for (const lstm of lstms) {
        lstm.h.fill(0);
        lstm.c.fill(0);
      }
    },
    dispose() {
      tf.dispose(lstms.flatMap((l) => (l.bias ? [l.weights, l.bias] : [l.weights])));
      tf.dispose(denses.flatMap((d) => [d.weights, d.bias]));
    },
  };
}
