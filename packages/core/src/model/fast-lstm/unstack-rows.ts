import * as tf from "@tensorflow/tfjs";

/**
 * tf.unstack along axis 0, fast on the wasm and cpu backends. There every Slice/Unpack/Gather
 * of a large tensor costs time in proportion to the WHOLE input (6 ms to take 64 rows out of a
 * 4096×1024 tensor on wasm), so splitting a [64, 64, 1024] tensor into 64 steps took ~450 ms.
 * Reading the values once and building each part from a subarray takes ~20 ms. Backends that
 * keep data off the CPU (webgl, webgpu) keep using tf.unstack, which avoids a download.
 * Not differentiable: meant for the inside of a tf.customGrad.
 */
export function unstackRows(x: tf.Tensor): tf.Tensor[] {
  const backend = tf.getBackend();
  if (backend !== "wasm" && backend !== "cpu") return tf.unstack(x);
  const [count, ...partShape] = x.shape;
  const values = x.dataSync();
  const size = partShape.reduce((a, b) => a * b, 1);
  const parts: tf.Tensor[] = [];
  for (let i = 0; i < (count ?? 0); i++) {
    parts.push(tf.tensor(values.subarray(i * size, (i + 1) * size), partShape, x.dtype));
  }
  return parts;
}
