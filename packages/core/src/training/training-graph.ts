import * as tf from "@tensorflow/tfjs";

/** Logits, one row per predicted token ([batch·time, V] or [batch, V]), in training or inference mode. */
export type LogitsFn = (input: tf.Tensor, training: boolean) => tf.Tensor2D;

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
    return (input, training) => {
      const output = model.apply(input, { training }) as tf.Tensor;
      const rows = tf.reshape(output, [-1, output.shape.at(-1) as number]) as tf.Tensor2D;
      return outputsProbabilities ? tf.log(tf.clipByValue(rows, 1e-7, 1)) : rows;
    };
  }
  const body = tf.model({ inputs: model.inputs, outputs: (layers[lastRecurrent] as tf.layers.Layer).output as tf.SymbolicTensor });
  return (input, training) => {
    let h = body.apply(input, { training }) as tf.Tensor;
    head.forEach((layer, index) => {
      const className = layer.getClassName();
      if (className === "Dropout") h = layer.apply(h, { training }) as tf.Tensor;
      else if (className === "Flatten") h = tf.reshape(h, [h.shape[0] as number, -1]);
      else {
        const [kernel, bias] = layer.trainableWeights.map((w) => w.read()) as [tf.Tensor2D, tf.Tensor1D | undefined];
        const rows = tf.reshape(h, [-1, h.shape.at(-1) as number]) as tf.Tensor2D;
        h = matMulFastGrad(rows, kernel);
        if (bias) h = tf.add(h, bias);
        const activation = layer.getConfig().activation;
        const isLast = index === head.length - 1;
        if (activation === "relu") h = tf.relu(h);
        else if (activation !== "linear" && !(isLast && activation === "softmax")) throw new Error(`training does not support activation ${String(activation)} in layer ${layer.name}`);
      }
    });
    return h as tf.Tensor2D;
  };
}
