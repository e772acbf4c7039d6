import * as tf from "@tensorflow/tfjs";

/**
 * Logits, one row per predicted token ([batch·time, V] or [batch, V]), in training or inference
 * mode; with `carry`, the LSTM layers start from its states and hand back their final ones.
 */
export type LogitsFn = (input: tf.Tensor, training: boolean, carry?: CarriedState) => tf.Tensor2D;

/** LSTM states going into a chunk and coming out of it (training with carried state). */
export interface CarriedState {
  /** Per LSTM layer in layer order, h then c, each [batch, units]. */
  initial: tf.Tensor2D[];
  /** Filled by the forward pass in the same order: [batch·units] values, row-major. */
  final: Float32Array[];
}

const RECURRENT = new Set(["LSTM", "MotifLSTM"]);
const HEAD = new Set(["Dropout", "Flatten", "Dense"]);

/**
 * matMul whose gradients use explicit transposes: tfjs' own gradient calls matMul with
 * transposeA/B, which the wasm backend runs 7-30x slower (a Dense(V) gradient on a 64×64 batch
 * took 800 ms instead of 110 ms).
 */
const matMulFastGrad = tf.customGrad((...args) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
});

/**
 * How training computes logits for `model`: the layers up to the last LSTM run as a sub-model;
 * the head after it (Dropout / Flatten / Dense, as createModel builds it) is applied by hand with
 * fast-gradient matMuls, and the final softmax (seed/parent) is left out so the loss works on
 * logits. Models of another shape fall back to `model.apply` (+ log for softmax outputs).
 * With carried state the layers up to the last LSTM run one by one instead: a sub-model cannot
 * take initial states for its inner LSTMs nor give their final states.
 */
export function trainingGraph(model: tf.LayersModel, outputsProbabilities: boolean): LogitsFn {
  const layers = model.layers;
  let lastRecurrent = -1;
  layers.forEach((layer, index) => {
    if (RECURRENT.has(layer.getClassName())) lastRecurrent = index;
  });
  const head = layers.slice(lastRecurrent + 1);
  const isChain = head.every((layer, i) => {
    const inbound = (layer.input as tf.SymbolicTensor).sourceLayer;
    return HEAD.has(layer.getClassName()) && inbound === layers[lastRecurrent + i];
  });
  if (lastRecurrent < 0 || !isChain || head.at(-1)?.getClassName() !== "Dense") {
    return (input, training, carry) => {
      if (carry)
        throw new Error(
          "carried state needs a model as createModel builds it (LSTM layers, then Dropout / Flatten / Dense)",
        );
      const output = model.apply(input, { training }) as tf.Tensor;
      const rows = tf.reshape(output, [-1, output.shape.at(-1) as number]) as tf.Tensor2D;
      return outputsProbabilities ? tf.log(tf.clipByValue(rows, 1e-7, 1)) : rows;
    };
  }
  const body = tf.model({
    inputs: model.inputs,
    outputs: (layers[lastRecurrent] as tf.layers.Layer).output as tf.SymbolicTensor,
  });
  const carried = layers.slice(0, lastRecurrent + 1);
  return (input, training, carry) => {
    let h = carry
      ? applyCarrying(carried, input, training, carry)
      : (body.apply(input, { training }) as tf.Tensor);
    head.forEach((layer, index) => {
      const className = layer.getClassName();
      if (className === "Dropout") h = layer.apply(h, { training }) as tf.Tensor;
      else if (className === "Flatten") h = tf.reshape(h, [h.shape[0] as number, -1]);
      else {
        const [kernel, bias] = layer.trainableWeights.map((w) => w.read()) as [
          tf.Tensor2D,
          tf.Tensor1D | undefined,
        ];
        const rows = tf.reshape(h, [-1, h.shape.at(-1) as number]) as tf.Tensor2D;
        h = matMulFastGrad(rows, kernel);
        if (bias) h = tf.add(h, bias);
        const activation = layer.getConfig().activation;
        const isLast = index === head.length - 1;
        if (activation === "relu") h = tf.relu(h);
        else if (activation !== "linear" && !(isLast && activation === "softmax"))
          throw new Error(
            `training does not support activation ${String(activation)} in layer ${layer.name}`,
          );
      }
    });
    return h as tf.Tensor2D;
  };
}

/**
 * The layers up to the last LSTM applied one by one (a chain, as createModel builds it), each
 * MotifLSTM from `carry.initial`, its final h and c copied into `carry.final` during the forward pass.
 */
function applyCarrying(
  layers: readonly tf.layers.Layer[],
  input: tf.Tensor,
  training: boolean,
  carry: CarriedState,
): tf.Tensor {
  carry.final.length = 0;
  let h = input;
  let lstm = 0;
  layers.forEach((layer, index) => {
    const className = layer.getClassName();
    if (className === "InputLayer") return;
    if ((layer.input as tf.SymbolicTensor).sourceLayer !== layers[index - 1])
      throw new Error(
        `carried state needs a chain of layers; ${layer.name} does not follow ${layers[index - 1]?.name ?? "the input"}`,
      );
    if (className === "LSTM")
      throw new Error(
        `carried state needs the fast cell: ${layer.name} is a stock tf.layers.lstm, which does not hand back its final cell state`,
      );
    if (className !== "MotifLSTM") {
      h = layer.apply(h, { training }) as tf.Tensor;
      return;
    }
    const initialState = carry.initial.slice(2 * lstm, 2 * lstm + 2);
    if (initialState.length !== 2)
      throw new Error(
        `carried state: ${carry.initial.length} initial state tensors for more LSTM layers (h and c per layer)`,
      );
    const onFinalState = (finalH: tf.Tensor2D, finalC: tf.Tensor2D) => {
      carry.final.push(
        new Float32Array(finalH.dataSync() as Float32Array),
        new Float32Array(finalC.dataSync() as Float32Array),
      );
    };
    h = layer.apply(h, { training, initialState, onFinalState }) as tf.Tensor;
    lstm++;
  });
  if (2 * lstm !== carry.initial.length)
    throw new Error(
      `carried state: ${carry.initial.length} initial state tensors for ${lstm} LSTM layers (h and c per layer)`,
    );
  return h;
}
