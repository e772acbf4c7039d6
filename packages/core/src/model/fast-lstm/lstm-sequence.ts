// One LSTM layer over a whole sequence with a hand-written backward pass (back-propagation through
// time). Same arithmetic as tf.layers.lstm (gate order i, f, c, o), but:
// - the input projection of every time step is one large matMul;
// - each step runs one fused gate matMul and a handful of elementwise ops;
// - the backward pass is a tf.customGrad that batches everything that does not depend on the
//   recurrence (activation derivatives, weight and input gradients) into large ops, keeps the
//   per-step loop to ~7 ops, and only ever calls plain matMul(a, b): the transposeA/transposeB
//   forms are 7-30x slower on the wasm backend, so transposes are explicit and computed once.
import * as tf from "@tensorflow/tfjs";
import { unstackRows } from "./unstack-rows.js";

/** An elementwise activation as tfjs-layers exposes it (`cell.activation`). */
export interface ActivationFn {
  apply(x: tf.Tensor): tf.Tensor;
  getClassName(): string;
}

/** Activations whose derivative the backward pass knows (tfjs-layers class names). */
export const SUPPORTED_ACTIVATIONS = ["tanh", "sigmoid", "hardSigmoid", "linear", "relu"] as const;

export interface LstmSequenceOptions {
  activation: ActivationFn;
  recurrentActivation: ActivationFn;
  returnSequences: boolean;
  /**
   * Called during the forward pass with the final h and c ([batch, u]), e.g. to carry them into
   * the next chunk of a song (training with carried state). The tensors are freed after the pass:
   * read them inside the call.
   */
  onFinalState?: (h: tf.Tensor2D, c: tf.Tensor2D) => void;
}

/**
 * Runs the LSTM. `x` is [batch, time, inputDim]; `kernel` [inputDim, 4u], `recurrentKernel`
 * [u, 4u], `bias` [4u] (zeros when the layer has none), `h0`/`c0` [batch, u].
 * Returns [batch, time, u] when `returnSequences`, else [batch, u] (the last h).
 * Differentiable with respect to every argument.
 */
export function lstmSequence(
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D,
  options: LstmSequenceOptions,
): tf.Tensor {
  const op = tf.customGrad(((...args: unknown[]) => {
    const [xIn, k, r, b, hInit, cInit] = args as [
      tf.Tensor3D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor1D,
      tf.Tensor2D,
      tf.Tensor2D,
    ];
    const save = args[6] as tf.GradSaveFunc;
    const forward = runForward(xIn, k, r, b, hInit, cInit, options);
    options.onFinalState?.(forward.finalH, forward.finalC);
    const s = forward.saved;
    save([s.xTimeMajor, k, r, s.hPrevAll, s.cPrevAll, s.gateI, s.gateF, s.gateG, s.gateO, s.cellOut]);
    return {
      value: forward.output,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        runBackward(dy, saved as tf.Tensor2D[], xIn.shape, options),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, kernel, recurrentKernel, bias, h0, c0);
}

/** What the backward pass needs, each stacked time-major over all steps. */
interface SavedForBackward {
  /** [time*batch, inputDim] */
  xTimeMajor: tf.Tensor2D;
  /** h and c entering every step, [time*batch, u]. */
  hPrevAll: tf.Tensor2D;
  cPrevAll: tf.Tensor2D;
  /** Gate activations and act(c_t) of every step, [time*batch, u]. */
  gateI: tf.Tensor2D;
  gateF: tf.Tensor2D;
  gateG: tf.Tensor2D;
  gateO: tf.Tensor2D;
  cellOut: tf.Tensor2D;
}

function runForward(
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D,
  { activation, recurrentActivation, returnSequences }: LstmSequenceOptions,
): { output: tf.Tensor; finalH: tf.Tensor2D; finalC: tf.Tensor2D; saved: SavedForBackward } {
  const [batch, time, inputDim] = x.shape;
  const units = recurrentKernel.shape[0];
  const xTimeMajor = tf.reshape(tf.transpose(x, [1, 0, 2]), [time * batch, inputDim]) as tf.Tensor2D;
  // Input projection (plus bias) of all steps at once: the largest matMul of the forward pass.
  const projected = tf.fused.matMul({ a: xTimeMajor, b: kernel, bias });
  const projectedSteps = unstackRows(tf.reshape(projected, [time, batch, 4 * units]));
  let h = h0;
  let c = c0;
  const steps = {
    h: [] as tf.Tensor[],
    hPrev: [] as tf.Tensor[],
    cPrev: [] as tf.Tensor[],
    i: [] as tf.Tensor[],
    f: [] as tf.Tensor[],
    g: [] as tf.Tensor[],
    o: [] as tf.Tensor[],
    cellOut: [] as tf.Tensor[],
  };
  for (let t = 0; t < time; t++) {
    steps.hPrev.push(h);
    steps.cPrev.push(c);
    const z = tf.add(projectedSteps[t]!, tf.matMul(h, recurrentKernel));
    // One activation over all four gates (the g columns are recomputed below): fewer, wider ops.
    const gates = activate(recurrentActivation, z);
    const i = tf.slice(gates, [0, 0], [batch, units]);
    const f = tf.slice(gates, [0, units], [batch, units]);
    const o = tf.slice(gates, [0, 3 * units], [batch, units]);
    const g = activate(activation, tf.slice(z, [0, 2 * units], [batch, units]));
    c = tf.add(tf.mul(f, c), tf.mul(i, g)) as tf.Tensor2D;
    const cellOut = activate(activation, c);
    h = tf.mul(o, cellOut) as tf.Tensor2D;
    steps.i.push(i);
    steps.f.push(f);
    steps.g.push(g);
    steps.o.push(o);
    steps.cellOut.push(cellOut);
    steps.h.push(h);
  }
  const stacked = (parts: tf.Tensor[]) => tf.concat(parts, 0) as tf.Tensor2D;
  return {
    output: returnSequences ? tf.stack(steps.h, 1) : h,
    finalH: h,
    finalC: c,
    saved: {
      xTimeMajor,
      hPrevAll: stacked(steps.hPrev),
      cPrevAll: stacked(steps.cPrev),
      gateI: stacked(steps.i),
      gateF: stacked(steps.f),
      gateG: stacked(steps.g),
      gateO: stacked(steps.o),
      cellOut: stacked(steps.cellOut),
    },
  };
}

/**
 * Applies an activation. tanh goes through 2·sigmoid(2x) − 1: the wasm Tanh kernel is ~10x slower
 * than Sigmoid, and the identity is exact up to float rounding (~1e-7).
 */
function activate(fn: ActivationFn, x: tf.Tensor): tf.Tensor {
  if (fn.getClassName() === "tanh") return tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1);
  return fn.apply(x);
}

/**
 * Elementwise derivative of an activation, from its OUTPUT `y` (what the forward pass kept). Same
 * conventions as tfjs's gradients except exactly at hardSigmoid's clip points (a measure-zero set).
 * tf.grad cannot be used here: a nested gradient inside a backward pass clobbers the outer tape.
 */
function derivativeFromOutput(fn: ActivationFn, y: tf.Tensor): tf.Tensor {
  const name = fn.getClassName();
  switch (name) {
    case "tanh":
      return tf.sub(1, tf.square(y));
    case "sigmoid":
      return tf.mul(y, tf.sub(1, y));
    case "hardSigmoid":
      return tf.mul(tf.cast(tf.logicalAnd(tf.greater(y, 0), tf.less(y, 1)), "float32"), 0.2);
    case "linear":
      return tf.onesLike(y);
    case "relu":
      return tf.cast(tf.greater(y, 0), "float32");
    default:
      throw new Error(
        `MotifLSTM: unsupported activation "${name}" (supported: ${SUPPORTED_ACTIVATIONS.join(", ")})`,
      );
  }
}

function runBackward(
  dy: tf.Tensor,
  saved: tf.Tensor2D[],
  xShape: readonly number[],
  { activation, recurrentActivation, returnSequences }: LstmSequenceOptions,
): tf.Tensor[] {
  const [xTimeMajor, kernel, recurrentKernel, hPrevAll, cPrevAll, gateI, gateF, gateG, gateO, cellOut] =
    saved as [
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
    ];
  const [batch, time, inputDim] = xShape as [number, number, number];
  const units = recurrentKernel.shape[0];

  // Everything below up to the loop is batched over all time steps.
  // dZ_t = [dc, dc, dc, dh] ⊙ M_t, with M_t the local derivative of each gate pre-activation.
  const localGrads = tf.concat(
    [
      tf.mul(gateG, derivativeFromOutput(recurrentActivation, gateI)),
      tf.mul(cPrevAll, derivativeFromOutput(recurrentActivation, gateF)),
      tf.mul(gateI, derivativeFromOutput(activation, gateG)),
      tf.mul(cellOut, derivativeFromOutput(recurrentActivation, gateO)),
    ],
    1,
  );
  // dc_t += dh_t ⊙ o_t ⊙ act'(c_t)
  const hToC = tf.mul(gateO, derivativeFromOutput(activation, cellOut));
  const localSteps = unstackRows(tf.reshape(localGrads, [time, batch, 4 * units]));
  const hToCSteps = unstackRows(tf.reshape(hToC, [time, batch, units]));
  const forgetSteps = unstackRows(tf.reshape(gateF, [time, batch, units]));
  const outputGradSteps = returnSequences ? unstackRows(tf.transpose(dy, [1, 0, 2])) : null;

  const recurrentKernelT = tf.transpose(recurrentKernel);
  let dhNext: tf.Tensor = tf.zeros([batch, units]);
  let dcNext: tf.Tensor = tf.zeros([batch, units]);
  const dzSteps: tf.Tensor[] = new Array<tf.Tensor>(time);
  for (let t = time - 1; t >= 0; t--) {
    const outputGrad = outputGradSteps ? outputGradSteps[t]! : t === time - 1 ? dy : null;
    const dh = outputGrad ? tf.add(outputGrad, dhNext) : dhNext;
    const dc = tf.add(dcNext, tf.mul(dh, hToCSteps[t]!));
    const dz = tf.mul(tf.concat([dc, dc, dc, dh], 1), localSteps[t]!);
    dzSteps[t] = dz;
    dcNext = tf.mul(dc, forgetSteps[t]!);
    dhNext = tf.matMul(dz, recurrentKernelT);
  }

  // Weight and input gradients: one large plain matMul each (a column sum is a matMul too: the
  // wasm Sum over axis 0 is slow).
  const dzAll = tf.concat(dzSteps, 0);
  const dKernel = tf.matMul(tf.transpose(xTimeMajor), dzAll);
  const dRecurrent = tf.matMul(tf.transpose(hPrevAll), dzAll);
  const dBias = tf.reshape(tf.matMul(tf.ones([1, time * batch]), dzAll), [4 * units]);
  const dxTimeMajor = tf.matMul(dzAll, tf.transpose(kernel));
  const dx = tf.transpose(tf.reshape(dxTimeMajor, [time, batch, inputDim]), [1, 0, 2]);
  return [dx, dKernel, dRecurrent, dBias, dhNext, dcNext];
}
