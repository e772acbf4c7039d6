// A stateful batch-1 step model on tfjs ops with the weights resident on the backend: the
// suggested faster formulation for core's createStepModel (which runs plain JS loops). Per token
// and layer it runs ~14 small ops; the first layer's input projection is a row lookup in a
// precomputed embedding·kernel + bias table, deeper layers do one fused [x, h]·[K; R] + b matMul.
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig, StepModel } from "@motif/core";

interface ActivationLike {
  apply(x: tf.Tensor): tf.Tensor;
}
interface LstmLike {
  units: number;
  activation: ActivationLike;
  recurrentActivation: ActivationLike;
}
interface LstmStep {
  cell: LstmLike;
  /** Layer 0 with an embedding: [V, 4u] = E·K + b. Else null. */
  inputTable: tf.Tensor2D | null;
  /** Layer 0: K as [in, 4u]; deeper layers: [K; R] as [in + u, 4u]. */
  kernel: tf.Tensor2D;
  recurrent: tf.Tensor2D;
  bias: tf.Tensor1D;
}

export function createTfStepModel(model: tf.LayersModel, config: ModelConfig): StepModel {
  if (config.target !== "every-step") throw new Error("the tfjs step model needs a many-to-many model");
  let embedding: tf.Tensor2D | null = null;
  const lstms: LstmStep[] = [];
  const denses: { kernel: tf.Tensor2D; bias: tf.Tensor1D; relu: boolean }[] = [];
  for (const layer of model.layers) {
    const name = layer.getClassName();
    if (name === "InputLayer" || name === "Dropout") continue;
    const weights = layer.getWeights();
    if (name === "MotifEmbedding" || name === "Embedding") {
      embedding = tf.keep(weights[0]!.clone() as tf.Tensor2D);
    } else if (name === "LSTM" || name === "MotifLSTM") {
      const [kernel, recurrent, bias] = weights as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
      const cell = (layer as unknown as { cell: LstmLike }).cell;
      const first = lstms.length === 0;
      const [inputTable, stacked, recurrentCopy, biasCopy] = tf.tidy(() => [
        first && embedding ? (tf.add(tf.matMul(embedding, kernel), bias) as tf.Tensor2D) : tf.zeros([0, 0]),
        first ? kernel.clone() : (tf.concat([kernel, recurrent], 0) as tf.Tensor2D),
        recurrent.clone(),
        bias.clone(),
      ]) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
      lstms.push({ cell, inputTable: first && embedding ? inputTable : null, kernel: stacked, recurrent: recurrentCopy, bias: biasCopy });
      if (!(first && embedding)) inputTable.dispose();
    } else if (name === "Dense") {
      denses.push({ kernel: tf.keep(weights[0]!.clone() as tf.Tensor2D), bias: tf.keep(weights[1]!.clone() as tf.Tensor1D), relu: layer.getConfig().activation === "relu" });
    } else {
      throw new Error(`the tfjs step model does not know layer ${layer.name} (${name})`);
    }
  }
  let state = lstms.map((l) => ({ h: tf.keep(tf.zeros([1, l.cell.units])), c: tf.keep(tf.zeros([1, l.cell.units])) }));
  const ids = tf.keep(tf.range(0, config.vocabSize, 1, "int32"));

  return {
    kind: "stateful",
    step(tokenId) {
      if (!Number.isInteger(tokenId) || tokenId < 0 || tokenId >= config.vocabSize) throw new RangeError(`token id ${tokenId} is outside the vocabulary`);
      const next = tf.tidy(() => {
        let x: tf.Tensor = embedding ? tf.gather(embedding, ids.slice([tokenId], [1])) : tf.fill([1, 1], tokenId / config.vocabSize);
        const newState = lstms.map((lstm, index) => {
          const { h, c } = state[index]!;
          const u = lstm.cell.units;
          let z: tf.Tensor;
          if (index === 0 && lstm.inputTable) z = tf.add(tf.gather(lstm.inputTable, ids.slice([tokenId], [1])), tf.matMul(h, lstm.recurrent));
          else if (index === 0) z = tf.add(tf.fused.matMul({ a: x as tf.Tensor2D, b: lstm.kernel, bias: lstm.bias }), tf.matMul(h, lstm.recurrent));
          else z = tf.fused.matMul({ a: tf.concat([x, h], 1) as tf.Tensor2D, b: lstm.kernel, bias: lstm.bias });
          const gates = lstm.cell.recurrentActivation.apply(z);
          const g = lstm.cell.activation.apply(tf.slice(z, [0, 2 * u], [1, u]));
          const cNext = tf.add(tf.mul(tf.slice(gates, [0, u], [1, u]), c), tf.mul(tf.slice(gates, [0, 0], [1, u]), g));
          const hNext = tf.mul(tf.slice(gates, [0, 3 * u], [1, u]), lstm.cell.activation.apply(cNext));
          x = hNext;
          return { h: hNext, c: cNext };
        });
        for (const dense of denses) x = tf.fused.matMul({ a: x as tf.Tensor2D, b: dense.kernel, bias: dense.bias, activation: dense.relu ? "relu" : "linear" });
        return { state: newState, logits: x };
      });
      tf.dispose(state.flatMap((s) => [s.h, s.c]));
      state = next.state;
      const logits = next.logits.dataSync() as Float32Array;
      next.logits.dispose();
      return Float32Array.from(logits);
    },
    reset() {
      tf.dispose(state.flatMap((s) => [s.h, s.c]));
      state = lstms.map((l) => ({ h: tf.keep(tf.zeros([1, l.cell.units])), c: tf.keep(tf.zeros([1, l.cell.units])) }));
    },
    dispose() {
      tf.dispose([...state.flatMap((s) => [s.h, s.c]), ids]);
      tf.dispose(lstms.flatMap((l) => [l.kernel, l.recurrent, l.bias, ...(l.inputTable ? [l.inputTable] : [])]));
      tf.dispose(denses.flatMap((d) => [d.kernel, d.bias]));
      if (embedding) embedding.dispose();
    },
  };
}
