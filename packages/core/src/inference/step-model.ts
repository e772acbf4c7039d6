import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "../model/config.js";
import { encodeInput } from "../model/create-model.js";
import {
  accumulate,
  createTokenInput,
  readStepWeights,
  reluInPlace,
  updateLstmState,
} from "./step-weights.js";
import type { StepModel } from "./types.js";
import { createWasmStepModel, isWasmStepSupported } from "./wasm-step/wasm-step-model.js";

export type { StepModel } from "./types.js";

/**
 * The plain-JS stateful step (the reference the WebAssembly step must match bit for bit, and the
 * fallback where WebAssembly SIMD is missing). Reads the weights once into Float64Arrays (exact
 * copies of the float32 weights; float64 reads are 2.5x faster in V8's inner loop) and runs each
 * step in JS double arithmetic, so every tfjs backend and browser gives the same logits. Buffers are
 * allocated once; a step allocates only the returned logits.
 */
export function createJsStepModel(model: tf.LayersModel, config: ModelConfig): StepModel {
  const weights = readStepWeights(model, config);
  const tokenInput = createTokenInput(weights);
  const lstms = weights.lstms.map((l) => ({
    units: l.units,
    kernel: Float64Array.from(l.kernel),
    recurrent: Float64Array.from(l.recurrent),
    bias: Float64Array.from(l.bias),
    z: new Float64Array(4 * l.units),
    h: new Float64Array(l.units),
    c: new Float64Array(l.units),
  }));
  const denses = weights.denses.map((d) => ({
    kernel: Float64Array.from(d.kernel),
    bias: Float64Array.from(d.bias),
    relu: d.relu,
    out: new Float64Array(d.units),
  }));
  let disposed = false;
  return {
    kind: "stateful",
    implementation: "js",
    step(tokenId) {
      if (disposed) throw new Error("this step model was disposed");
      let x = tokenInput(tokenId);
      for (const lstm of lstms) {
        lstm.z.set(lstm.bias);
        accumulate(lstm.z, x, lstm.kernel);
        accumulate(lstm.z, lstm.h, lstm.recurrent);
        updateLstmState(lstm.z, lstm.c, lstm.h, lstm.units);
        x = lstm.h;
      }
      for (const dense of denses) {
        dense.out.set(dense.bias);
        accumulate(dense.out, x, dense.kernel);
        if (dense.relu) reluInPlace(dense.out);
        x = dense.out;
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
      // Plain arrays only: nothing to free on the tf side.
      disposed = true;
      lstms.length = 0;
      denses.length = 0;
    },
  };
}

/**
 * Stateful batch-1 generation for many-to-many models (carries h/c, never re-runs a window). Uses
 * the WebAssembly SIMD step where the platform has it and the plain-JS step otherwise: both compute
 * in float64 in the same order, so the logits are bit-identical and the same recipe gives the same
 * tokens everywhere.
 */
export function createStatefulStepModel(model: tf.LayersModel, config: ModelConfig): StepModel {
  return isWasmStepSupported() ? createWasmStepModel(model, config) : createJsStepModel(model, config);
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
    implementation: "tfjs",
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
  return config.target === "every-step"
    ? createStatefulStepModel(model, config)
    : createWindowedStepModel(model, config);
}
