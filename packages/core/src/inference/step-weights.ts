// What a stateful batch-1 step needs from a many-to-many model, read once: the embedding table,
// each LSTM's kernel/recurrent/bias and the dense layers, as exact float32 copies. Shared by the
// plain-JS step and the WebAssembly step, so both read, check and gate exactly alike.
import type * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "../model/config.js";
import { portableExp, portableTanh } from "../primitives/portable-math.js";

interface LstmStepWeights {
  /** [inputs, 4·units] row-major, gate order i, f, c, o. */
  kernel: Float32Array;
  /** [units, 4·units] row-major. */
  recurrent: Float32Array;
  bias: Float32Array;
  inputs: number;
  units: number;
}

interface DenseStepWeights {
  /** [inputs, units] row-major. */
  kernel: Float32Array;
  bias: Float32Array;
  inputs: number;
  units: number;
  relu: boolean;
}

interface StepWeights {
  vocabSize: number;
  /** [vocabSize, dim] row-major; null when the model reads id/vocabSize as one float. */
  embedding: { table: Float32Array; dim: number } | null;
  lstms: LstmStepWeights[];
  denses: DenseStepWeights[];
}

const LSTM_CLASS_NAMES = new Set(["LSTM", "FastLSTM", "MotifLSTM", "MotifFastLSTM"]);

function float32Copy(tensor: tf.Tensor, what: string): Float32Array {
  if (tensor.dtype !== "float32")
    throw new Error(`${what} is ${tensor.dtype}; the step model reads float32 weights`);
  return Float32Array.from(tensor.dataSync() as Float32Array);
}

function readDense(layer: tf.layers.Layer): DenseStepWeights {
  const [kernel, bias] = layer.getWeights();
  if (!kernel || !bias || kernel.shape.length !== 2)
    throw new Error(`layer ${layer.name} is not a dense layer with kernel and bias`);
  const activation = String(layer.getConfig().activation);
  if (activation !== "linear" && activation !== "relu") {
    throw new Error(
      `the step model computes linear/relu dense layers; layer ${layer.name} uses ${activation}`,
    );
  }
  return {
    kernel: float32Copy(kernel, `${layer.name} kernel`),
    bias: float32Copy(bias, `${layer.name} bias`),
    inputs: kernel.shape[0] as number,
    units: kernel.shape[1] as number,
    relu: activation === "relu",
  };
}

function readLstm(layer: tf.layers.Layer): LstmStepWeights {
  const { activation, recurrentActivation } = layer.getConfig();
  if (activation !== "tanh" || recurrentActivation !== "sigmoid") {
    throw new Error(
      `the step model computes tanh/sigmoid LSTMs; layer ${layer.name} uses ${String(activation)}/${String(recurrentActivation)}`,
    );
  }
  const [kernel, recurrent, bias] = layer.getWeights();
  if (!kernel || !recurrent || !bias)
    throw new Error(
      `LSTM layer ${layer.name} needs kernel, recurrentKernel and bias (use_bias=false is not supported)`,
    );
  const units = recurrent.shape[0] as number;
  if (kernel.shape[1] !== 4 * units || recurrent.shape[1] !== 4 * units || bias.shape[0] !== 4 * units) {
    throw new Error(
      `LSTM layer ${layer.name} has an unexpected weight layout ${kernel.shape}/${recurrent.shape}/${bias.shape}`,
    );
  }
  return {
    kernel: float32Copy(kernel, `${layer.name} kernel`),
    recurrent: float32Copy(recurrent, `${layer.name} recurrent kernel`),
    bias: float32Copy(bias, `${layer.name} bias`),
    inputs: kernel.shape[0] as number,
    units,
  };
}

/** Reads (and checks) the weights of an embedding/LSTM…/dense… model for stepping one token at a time. */
export function readStepWeights(model: tf.LayersModel, config: ModelConfig): StepWeights {
  if (config.target !== "every-step") {
    throw new Error(
      `a stateful step model needs a many-to-many model; preset ${config.preset} predicts after a whole window (use createWindowedStepModel)`,
    );
  }
  let embedding: StepWeights["embedding"] = null;
  const lstms: LstmStepWeights[] = [];
  const denses: DenseStepWeights[] = [];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === "InputLayer" || className === "Dropout") continue;
    if (className === "MotifEmbedding" || className === "Embedding") {
      const [table] = layer.getWeights();
      if (!table) throw new Error(`embedding layer ${layer.name} has no weights`);
      embedding = { table: float32Copy(table, `${layer.name} table`), dim: table.shape[1] as number };
    } else if (LSTM_CLASS_NAMES.has(className)) {
      if (denses.length > 0)
        throw new Error(`LSTM layer ${layer.name} after a dense layer is not supported by the step model`);
      lstms.push(readLstm(layer));
    } else if (className === "Dense") {
      denses.push(readDense(layer));
    } else {
      throw new Error(`the step model does not know layer ${layer.name} (${className})`);
    }
  }
  if (lstms.length === 0 || denses.length === 0)
    throw new Error("the step model needs at least one LSTM and an output dense layer");
  return { vocabSize: config.vocabSize, embedding, lstms, denses };
}

/**
 * The first layer's input for a token: its embedding row (float64 copies of the float32 table) or
 * the single float id/vocabSize. Returns a view or a reused array: read it before the next call.
 */
export function createTokenInput(weights: StepWeights): (tokenId: number) => Float64Array {
  const { vocabSize } = weights;
  const table = weights.embedding ? Float64Array.from(weights.embedding.table) : null;
  const dim = weights.embedding?.dim ?? 1;
  const scalar = new Float64Array(1);
  return (tokenId) => {
    if (!Number.isInteger(tokenId) || tokenId < 0 || tokenId >= vocabSize)
      throw new RangeError(`token id ${tokenId} is outside the vocabulary (0..${vocabSize - 1})`);
    if (table) return table.subarray(tokenId * dim, (tokenId + 1) * dim);
    scalar[0] = tokenId / vocabSize;
    return scalar;
  };
}

// portableExp/portableTanh give Math.exp/Math.tanh's bits on V8 x86-64 (Node 20) and the same
// bits on every other engine and CPU, where Math's functions may differ by an ulp.
const sigmoid = (v: number): number => 1 / (1 + portableExp(-v));

/**
 * One LSTM cell update from the pre-activations z = [i, f, c, o] (each `units` long, as in
 * tf.layers.lstm): updates the cell state c and writes the new hidden state into h.
 */
export function updateLstmState(z: Float64Array, c: Float64Array, h: Float64Array, units: number): void {
  for (let j = 0; j < units; j++) {
    const inputGate = sigmoid(z[j] as number);
    const forgetGate = sigmoid(z[units + j] as number);
    const candidate = portableTanh(z[2 * units + j] as number);
    const outputGate = sigmoid(z[3 * units + j] as number);
    const cell = forgetGate * (c[j] as number) + inputGate * candidate;
    c[j] = cell;
    h[j] = outputGate * portableTanh(cell);
  }
}

/** relu in place (the hidden dense layer of the parent preset). */
export function reluInPlace(values: Float64Array): void {
  for (let j = 0; j < values.length; j++) values[j] = Math.max(0, values[j] as number);
}

/**
 * out[j] += Σ_i x[i] · W[i, j] with W row-major [x.length, out.length], rows strictly in order
 * (the WebAssembly kernel sums in the same order, so both give the same bits). Monomorphic
 * Float64Arrays and four rows per pass (3x faster in V8 than one row: fewer loads and stores of `out`).
 */
export function accumulate(out: Float64Array, x: Float64Array, weights: Float64Array): void {
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
      out[j] =
        (out[j] as number) +
        x0 * (weights[r0 + j] as number) +
        x1 * (weights[r1 + j] as number) +
        x2 * (weights[r2 + j] as number) +
        x3 * (weights[r3 + j] as number);
    }
  }
  for (; i < rows; i++) {
    const xi = x[i] as number;
    const row = i * width;
    for (let j = 0; j < width; j++) out[j] = (out[j] as number) + xi * (weights[row + j] as number);
  }
}
