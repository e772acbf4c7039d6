// The stateful batch-1 step with its matrix-vector work in a tiny hand-written WebAssembly SIMD
// kernel (step-kernel.wat). It sums in float64 in exactly the plain-JS step's order, so its logits
// are bit-identical to createJsStepModel's; the gates stay in JS (portableExp/portableTanh, the same
// updateLstmState) on Float64Array views of the kernel's memory.
import type * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "../../model/config.js";
import type { StepModel } from "../types.js";
import { createTokenInput, readStepWeights, reluInPlace, updateLstmState } from "../step-weights.js";
import { createKernelMatrices, type KernelMatrix } from "./kernel.js";

export { isWasmStepSupported } from "./kernel.js";

/**
 * The WebAssembly SIMD stateful step. Throws where WebAssembly SIMD is unavailable (check
 * isWasmStepSupported(), or use createStatefulStepModel, which falls back to the JS step).
 * Weights live once, as float32, in the kernel instance's own memory; dispose() drops it.
 */
export function createWasmStepModel(model: tf.LayersModel, config: ModelConfig): StepModel {
  const weights = readStepWeights(model, config);
  const tokenInput = createTokenInput(weights);
  // Each LSTM is one matrix [kernel; recurrent] over the input [x; h].
  const matrices = createKernelMatrices([
    ...weights.lstms.map((l) => ({ columns: 4 * l.units, parts: [l.kernel, l.recurrent] })),
    ...weights.denses.map((d) => ({ columns: d.units, parts: [d.kernel] })),
  ]);
  const lstms = weights.lstms.map((l, index) => {
    const matrix = matrices[index] as KernelMatrix;
    return {
      matrix,
      units: l.units,
      bias: Float64Array.from(l.bias),
      x: matrix.input.subarray(0, l.inputs),
      // h lives in the layer's own input right after x: the next step's recurrent rows.
      h: matrix.input.subarray(l.inputs),
      c: new Float64Array(l.units),
    };
  });
  const denses = weights.denses.map((d, index) => ({
    matrix: matrices[weights.lstms.length + index] as KernelMatrix,
    relu: d.relu,
    bias: Float64Array.from(d.bias),
  }));

  let live: { lstms: typeof lstms; denses: typeof denses } | null = { lstms, denses };
  return {
    kind: "stateful",
    implementation: "wasm-simd",
    step(tokenId) {
      if (!live) throw new Error("this step model was disposed");
      let x = tokenInput(tokenId);
      for (const lstm of live.lstms) {
        const { matrix } = lstm;
        lstm.x.set(x);
        matrix.sums.set(lstm.bias);
        matrix.run();
        updateLstmState(matrix.sums, lstm.c, lstm.h, lstm.units);
        x = lstm.h;
      }
      for (const { matrix, bias, relu } of live.denses) {
        matrix.input.set(x);
        matrix.sums.set(bias);
        matrix.run();
        if (relu) reluInPlace(matrix.sums);
        x = matrix.sums;
      }
      return Float32Array.from(x);
    },
    reset() {
      for (const lstm of live?.lstms ?? []) {
        lstm.h.fill(0);
        lstm.c.fill(0);
      }
    },
    dispose() {
      // Dropping every view of the kernel instance's memory lets the engine free the weights.
      live = null;
    },
  };
}
