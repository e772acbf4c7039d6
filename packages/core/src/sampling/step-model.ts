import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "../model/config.js";
import { encodeInput } from "../model/create-model.js";

/** Feeds one token at a time and returns the logits for the next token. */
export interface StepModel {
  /** `stateful` carries LSTM h/c between steps; `windowed` re-runs the model over the last seqLen tokens. */
  readonly kind: "stateful" | "windowed";
  /** Logits (pre-softmax scores) for the token after `tokenId`. */
  step(tokenId: number): Float32Array;
  reset(): void;
  dispose(): void;
}

interface DenseWeights { kernel: Float64Array; bias: Float64Array; inputs: number; units: number; relu: boolean }
interface LstmWeights { kernel: Float64Array; recurrent: Float64Array; bias: Float64Array; inputs: number; units: number }

const LSTM_CLASS_NAMES = new Set(["LSTM", "FastLSTM", "MotifLSTM", "MotifFastLSTM"]);

function readDense(layer: tf.layers.Layer): DenseWeights {
  const [kernel, bias] = layer.getWeights();
  if (!kernel || !bias || kernel.shape.length !== 2) throw new Error(`layer ${layer.name} is not a dense layer with kernel and bias`);
  const activation = layer.getConfig().activation;
  return {
    kernel: Float64Array.from(kernel.dataSync()),
    bias: Float64Array.from(bias.dataSync()),
    inputs: kernel.shape[0] as number,
    units: kernel.shape[1] as number,
    relu: activation === "relu",
  };
}

function readLstm(layer: tf.layers.Layer): LstmWeights {
  const { activation, recurrentActivation } = layer.getConfig();
  if (activation !== "tanh" || recurrentActivation !== "sigmoid") {
    throw new Error(`the step model computes tanh/sigmoid LSTMs; layer ${layer.name} uses ${String(activation)}/${String(recurrentActivation)}`);
  }
  const [kernel, recurrent, bias] = layer.getWeights();
  if (!kernel || !recurrent || !bias) throw new Error(`LSTM layer ${layer.name} needs kernel, recurrentKernel and bias (use_bias=false is not supported)`);
  const units = recurrent.shape[0] as number;
  if (kernel.shape[1] !== 4 * units || recurrent.shape[1] !== 4 * units || bias.shape[0] !== 4 * units) {
    throw new Error(`LSTM layer ${layer.name} has an unexpected weight layout ${kernel.shape}/${recurrent.shape}/${bias.shape}`);
  }
  return {
    kernel: Float64Array.from(kernel.dataSync()),
    recurrent: Float64Array.from(recurrent.dataSync()),
    bias: Float64Array.from(bias.dataSync()),
    inputs: kernel.shape[0] as number,
    units,
  };
}

/**
 * out[j] += Σ_i x[i] · W[i, j] with W row-major [x.length, out.length]. Monomorphic Float64Arrays
 * and four rows per pass (3x faster in V8 than one row: fewer loads and stores of `out`).
 */
function accumulate(out: Float64Array, x: Float64Array, weights: Float64Array): void {
  const width = out.length;
  const rows = x.length;
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const x0 = x[i] as number;
    const x1 = x[i + 1] as number;
    const x2 = x[i + 2] as number;
    const x3 = x[i + 3] as number;
    const r0 = i * width;
    const r1 = r0 + width;
    const r2 = r1 + width;
    const r3 = r2 + width;
    for (let j = 0; j < width; j++) {
      out[j] = (out[j] as number) + x0 * (weights[r0 + j] as number) + x1 * (weights[r1 + j] as number) + x2 * (weights[r2 + j] as number) + x3 * (weights[r3 + j] as number);
    }
  }
  for (; i < rows; i++) {
    const xi = x[i] as number;
    const row = i * width;
    for (let j = 0; j < width; j++) out[j] = (out[j] as number) + xi * (weights[row + j] as number);
  }
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * Stateful batch-1 generation for many-to-many models: reads the weights once into Float64Arrays
 * (exact copies of the float32 weights; float64 reads are 2.5x faster in V8's inner loop) and runs
 * each step in plain JS double arithmetic, so every backend gives the same logits.
 * Never re-runs a window. Gate order i, f, c, o as in tf.layers.lstm (recurrent activation sigmoid).
 */
export function createStatefulStepModel(model: tf.LayersModel, config: ModelConfig): StepModel {
  if (config.target !== "every-step") {
    throw new Error(`a stateful step model needs a many-to-many model; preset ${config.preset} predicts after a whole window (use createWindowedStepModel)`);
  }
  let embedding: { table: Float64Array; dim: number } | null = null;
  const lstms: LstmWeights[] = [];
  const denses: DenseWeights[] = [];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === "InputLayer" || className === "Dropout") continue;
    if (className === "MotifEmbedding" || className === "Embedding") {
      const [table] = layer.getWeights();
      if (!table) throw new Error(`embedding layer ${layer.name} has no weights`);
      embedding = { table: Float64Array.from(table.dataSync()), dim: table.shape[1] as number };
    } else if (LSTM_CLASS_NAMES.has(className)) {
      if (denses.length > 0) throw new Error(`LSTM layer ${layer.name} after a dense layer is not supported by the step model`);
      lstms.push(readLstm(layer));
    } else if (className === "Dense") {
      denses.push(readDense(layer));
    } else {
      throw new Error(`the step model does not know layer ${layer.name} (${className})`);
    }
  }
  if (lstms.length === 0 || denses.length === 0) throw new Error("the step model needs at least one LSTM and an output dense layer");
  const hidden = lstms.map((l) => new Float64Array(l.units));
  const cells = lstms.map((l) => new Float64Array(l.units));
  const vocabSize = config.vocabSize;

  function inputVector(tokenId: number): Float64Array {
    if (!Number.isInteger(tokenId) || tokenId < 0 || tokenId >= vocabSize) throw new RangeError(`token id ${tokenId} is outside the vocabulary (0..${vocabSize - 1})`);
    if (embedding) return embedding.table.subarray(tokenId * embedding.dim, (tokenId + 1) * embedding.dim);
    return Float64Array.of(tokenId / vocabSize);
  }

  return {
    kind: "stateful",
    step(tokenId) {
      let x = inputVector(tokenId);
      lstms.forEach((lstm, index) => {
        const u = lstm.units;
        const z = Float64Array.from(lstm.bias);
        accumulate(z, x, lstm.kernel);
        const h = hidden[index] as Float64Array;
        const c = cells[index] as Float64Array;
        accumulate(z, h, lstm.recurrent);
        for (let j = 0; j < u; j++) {
          const inputGate = sigmoid(z[j] as number);
          const forgetGate = sigmoid(z[u + j] as number);
          const candidate = Math.tanh(z[2 * u + j] as number);
          const outputGate = sigmoid(z[3 * u + j] as number);
          const cell = forgetGate * (c[j] as number) + inputGate * candidate;
          c[j] = cell;
          h[j] = outputGate * Math.tanh(cell);
        }
        x = h;
      });
      for (const dense of denses) {
        const out = Float64Array.from(dense.bias);
        accumulate(out, x, dense.kernel);
        if (dense.relu) for (let j = 0; j < out.length; j++) out[j] = Math.max(0, out[j] as number);
        x = out;
      }
      return Float32Array.from(x);
    },
    reset() {
      hidden.forEach((h) => h.fill(0));
      cells.forEach((c) => c.fill(0));
    },
    dispose() {
      // Plain arrays only: nothing to free on the tf side.
      embedding = null;
    },
  };
}

/**
 * Re-runs the model over the last seqLen tokens at every step (what the seed did). For
 * `last`-target models (Flatten / final state) shorter histories are left-padded with id 0; for
 * many-to-many models the window is just shorter. Slower than stateful: it exists for the
 * seed/parent presets and for the windowed-vs-stateful benchmark.
 */
export function createWindowedStepModel(model: tf.LayersModel, config: ModelConfig): StepModel {
  const history: number[] = [];
  const window = config.seqLen;
  return {
    kind: "windowed",
    step(tokenId) {
      if (!Number.isInteger(tokenId) || tokenId < 0 || tokenId >= config.vocabSize) {
        throw new RangeError(`token id ${tokenId} is outside the vocabulary (0..${config.vocabSize - 1})`);
      }
      history.push(tokenId);
      if (history.length > window) history.shift();
      const ids = config.target === "last" ? new Int32Array(window) : new Int32Array(history.length);
      ids.set(history, ids.length - history.length);
      const last = tf.tidy(() => {
        const output = model.predict(encodeInput(config, ids, 1, ids.length)) as tf.Tensor;
        return config.target === "last" ? output : tf.slice(output, [0, ids.length - 1, 0], [1, 1, -1]);
      });
      const values = Float32Array.from(last.dataSync() as Float32Array);
      last.dispose();
      // Softmax outputs become log-probabilities: a valid logit vector for sampling.
      return config.target === "last" ? values.map((p) => Math.log(Math.max(p, 1e-30))) : values;
    },
    reset() {
      history.length = 0;
    },
    dispose() {
      history.length = 0;
    },
  };
}

/**
 * The generation step model for `config`: stateful (carries h/c, never re-runs a window) for
 * many-to-many models; for seed/parent (which only predict after a full window) an honest
 * windowed model — see `kind`.
 */
export function createStepModel(model: tf.LayersModel, config: ModelConfig): StepModel {
  return config.target === "every-step" ? createStatefulStepModel(model, config) : createWindowedStepModel(model, config);
}
