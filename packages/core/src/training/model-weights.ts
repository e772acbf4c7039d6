import * as tf from "@tensorflow/tfjs";

/** A copy of every weight of `model`, in `model.weights` order. */
export function snapshot(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
}

/** Sets every weight of `model` from `weights` (as `snapshot` made them), checking counts and sizes. */
export function restore(model: tf.LayersModel, weights: Float32Array[]): void {
  if (weights.length !== model.weights.length)
    throw new Error(`checkpoint has ${weights.length} weight arrays, the model has ${model.weights.length}`);
  const tensors = model.weights.map((w, i) => {
    const data = weights[i] as Float32Array;
    if (data.length !== w.read().size)
      throw new Error(
        `checkpoint weight ${i} (${w.name}) has ${data.length} values, the model needs ${w.read().size}`,
      );
    return tf.tensor(data, w.read().shape);
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
}
