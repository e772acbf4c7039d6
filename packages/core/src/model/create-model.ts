import * as tf from "@tensorflow/tfjs";
import { modelConfigSchema, describeIssues, presetOf, type ModelConfig } from "./config.js";
import { motifEmbedding, motifLstm } from "./fast-lstm/index.js";
import { orthogonalMatrix } from "./orthogonal.js";

/** Deterministic seeds for each initializer, derived from the model seed. */
function seedSequence(seed: number): () => number {
  let next = (seed >>> 0) * 7919 + 17;
  return () => {
    next = (Math.imul(next, 1664525) + 1013904223) >>> 0;
    return next % 2_147_483_647;
  };
}

function lstmLayer(
  config: ModelConfig,
  units: number,
  returnSequences: boolean,
  name: string,
  nextSeed: () => number,
): tf.layers.Layer {
  const args = {
    units,
    returnSequences,
    name,
    recurrentActivation: "sigmoid" as const,
    unitForgetBias: true,
    kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
    // Stock orthogonal init spends minutes in QR on CPU: createModel overwrites these values
    // with its own orthogonal matrices (Keras' default), keeping the config plain tfjs.
    recurrentInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
  };
  // fast = MotifLSTM (./fast-lstm): same config, weights and results as tf.layers.lstm, faster on wasm/cpu.
  return config.cell === "fast" ? motifLstm(args) : tf.layers.lstm(args);
}

/**
 * Builds the network described by `config`, initialised deterministically from `seed`.
 *
 * - scalar input (seed/parent): input [seqLen, 1] holding id / vocabSize.
 * - embedding input (default): input [time] of float token ids → MotifEmbedding (trainable on wasm).
 * - cell `fast`: MotifLSTM layers (registered on import of ./fast-lstm); `stock`: tf.layers.lstm.
 * - `notebook`: LSTM→Dropout→LSTM (both return sequences)→Flatten→Dense(256, linear)→Dropout→Dense(V) softmax.
 * - `parent`: LSTM×n (last returns the final state)→Dropout→Dense(256, relu)→Dropout→Dense(V) softmax.
 * - `default`: Embedding→(LSTM→Dropout)×n→[Dense]→Dense(V) linear: outputs LOGITS at every step.
 * - init: Glorot-uniform kernels, orthogonal recurrent kernels, zero biases with forget bias 1 (Keras' defaults).
 * @example createModel(presetConfigs("notebook", 358).model, 1).countParams() // 3567206
 */
export function createModel(config: ModelConfig, seed: number): tf.LayersModel {
  const parsed = modelConfigSchema.safeParse(config);
  if (!parsed.success) throw new Error(`invalid model config: ${describeIssues(parsed.error)}`);
  const nextSeed = seedSequence(seed);
  const everyStep = config.target === "every-step";
  const flatten = presetOf(config.preset) === "notebook";

  const input =
    config.input === "scalar"
      ? tf.input({ shape: [config.seqLen, 1], name: "tokens" })
      : tf.input({ shape: [everyStep ? null : config.seqLen] as number[], name: "tokens" });
  let x: tf.SymbolicTensor =
    config.input === "scalar"
      ? input
      : (motifEmbedding({
          inputDim: config.vocabSize,
          outputDim: config.embeddingDim,
          embeddingsInitializer:
            config.embeddingInit === "normal"
              ? tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: nextSeed() })
              : tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: nextSeed() }),
          name: "embedding",
        }).apply(input) as tf.SymbolicTensor);

  config.units.forEach((units, index) => {
    const isLast = index === config.units.length - 1;
    const returnSequences = everyStep || flatten || !isLast;
    x = lstmLayer(config, units, returnSequences, `lstm_${index + 1}`, nextSeed).apply(
      x,
    ) as tf.SymbolicTensor;
    // The seed drops out only between its two LSTMs; the others after every LSTM.
    const dropoutHere = flatten ? !isLast : true;
    if (dropoutHere && config.dropout > 0)
      x = tf.layers
        .dropout({ rate: config.dropout, name: `dropout_lstm_${index + 1}` })
        .apply(x) as tf.SymbolicTensor;
  });

  if (flatten) x = tf.layers.flatten({ name: "flatten" }).apply(x) as tf.SymbolicTensor;
  if (config.denseUnits !== null) {
    x = tf.layers
      .dense({
        units: config.denseUnits,
        activation: config.preset === "parent" ? "relu" : "linear",
        kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
        name: "dense_hidden",
      })
      .apply(x) as tf.SymbolicTensor;
    const denseDropout = config.denseDropout ?? 0;
    if (denseDropout > 0)
      x = tf.layers.dropout({ rate: denseDropout, name: "dropout_dense" }).apply(x) as tf.SymbolicTensor;
  }
  const output = tf.layers
    .dense({
      units: config.vocabSize,
      activation: everyStep ? "linear" : "softmax",
      kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
      name: "output",
    })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name: `motif_${config.preset}` });
  initializeRecurrentOrthogonal(model, nextSeed);
  return model;
}

/** Recurrent kernels [u, 4u] get orthonormal rows, like Keras' default `orthogonal` initializer. */
function initializeRecurrentOrthogonal(model: tf.LayersModel, nextSeed: () => number): void {
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className !== "LSTM" && className !== "MotifLSTM") continue;
    const [kernel, recurrent, bias] = layer.getWeights();
    if (!kernel || !recurrent || !bias) continue;
    const [units, gates] = recurrent.shape as [number, number];
    const orthogonal = tf.tensor2d(orthogonalMatrix(units, gates, nextSeed()), [units, gates]);
    layer.setWeights([kernel, orthogonal, bias]);
    orthogonal.dispose();
  }
}

/** True when the model's last layer applies softmax (seed/parent); false when it outputs logits. */
export function outputsProbabilities(model: tf.LayersModel): boolean {
  const last = model.layers[model.layers.length - 1];
  return last?.getConfig().activation === "softmax";
}

/** The model's input tensor for a batch of token-id windows ([batch, time]). */
export function encodeInput(config: ModelConfig, ids: Int32Array, batch: number, time: number): tf.Tensor {
  if (config.input === "scalar") {
    const values = new Float32Array(ids.length);
    for (let i = 0; i < ids.length; i++) values[i] = (ids[i] as number) / config.vocabSize;
    return tf.tensor3d(values, [batch, time, 1]);
  }
  return tf.tensor2d(Float32Array.from(ids), [batch, time]);
}
