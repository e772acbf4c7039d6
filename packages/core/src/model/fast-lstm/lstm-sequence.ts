// One LSTM layer over a whole sequence with a hand-written backward pass (back-propagation through
// time). Same arithmetic as tf.layers.lstm (gate order i, f, c, o), but:
// - the input projection of every time step is one large matMul;
// - each step runs one fused gate matMul and a handful of elementwise ops;
// - the backward pass is a tf.customGrad that batches everything that does not depend on the
//   recurrence (activation derivatives, weight and input gradients) into large ops, keeps the
//   per-step loop to ~7 ops, and only ever calls plain matMul(a, b): the transposeA/transposeB
//   forms are 7-30x slower on the wasm backend, so transposes are explicit and computed once.
import * as tf from "@tensorflow/tfjs";

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
    const [xIn, k, r, b, hInit, cInit] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor2D];
    const save = args[6] as tf.GradSaveFunc;
    const forward = runForward(xIn, k, r, b, hInit, cInit, options);
    save([forward.xTimeMajor, k, r, forward.zAll, forward.cAll, forward.hPrevAll, forward.cPrevAll]);
    return {
      value: forward.output,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => runBackward(dy, saved, xIn.shape, options),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, kernel, recurrentKernel, bias, h0, c0);
}

interface ForwardResult {
  output: tf.Tensor;
  /** [time*batch, inputDim] */
  xTimeMajor: tf.Tensor2D;
  /** Gate pre-activations of every step, [time*batch, 4u]. */
  zAll: tf.Tensor2D;
  /** Cell states after every step, [time*batch, u]. */
  cAll: tf.Tensor2D;
  /** h and c entering every step, [time*batch, u]. */
  hPrevAll: tf.Tensor2D;
  cPrevAll: tf.Tensor2D;
}

function runForward(
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D,
  { activation, recurrentActivation, returnSequences }: LstmSequenceOptions,
): ForwardResult {
  const [batch, time, inputDim] = x.shape;
  const units = recurrentKernel.shape[0];
  const xTimeMajor = tf.reshape(tf.transpose(x, [1, 0, 2]), [time * batch, inputDim]) as tf.Tensor2D;
  // Input projection (plus bias) of all steps at once: the largest matMul of the forward pass.
  const projected = tf.fused.matMul({ a: xTimeMajor, b: kernel, bias });
  const projectedSteps = tf.unstack(tf.reshape(projected, [time, batch, 4 * units]));
  let h = h0;
  let c = c0;
  const zs: tf.Tensor2D[] = [];
  const hs: tf.Tensor2D[] = [];
  const cs: tf.Tensor2D[] = [];
  const hPrevs: tf.Tensor2D[] = [];
  const cPrevs: tf.Tensor2D[] = [];
  for (let t = 0; t < time; t++) {
    hPrevs.push(h);
    cPrevs.push(c);
    const z = tf.add(projectedSteps[t]!, tf.matMul(h, recurrentKernel)) as tf.Tensor2D;
    const gates = recurrentActivation.apply(z);
    const i = tf.slice(gates, [0, 0], [batch, units]);
    const f = tf.slice(gates, [0, units], [batch, units]);
    const o = tf.slice(gates, [0, 3 * units], [batch, units]);
    const g = activation.apply(tf.slice(z, [0, 2 * units], [batch, units]));
    c = tf.add(tf.mul(f, c), tf.mul(i, g));
    h = tf.mul(o, activation.apply(c));
    zs.push(z);
    cs.push(c);
    hs.push(h);
  }
  const output = returnSequences ? tf.stack(hs, 1) : h;
  return {
    output,
    xTimeMajor,
    zAll: tf.concat(zs, 0),
    cAll: tf.concat(cs, 0),
    hPrevAll: tf.concat(hPrevs, 0),
    cPrevAll: tf.concat(cPrevs, 0),
  };
}

/**
 * Elementwise derivative of an activation at pre-activation `x`, with the same conventions as
 * tfjs's own gradients (hardSigmoid = clip(0.2x + 0.5, 0, 1) passes gradient on the closed range).
 * tf.grad cannot be used here: a nested gradient inside a backward pass clobbers the outer tape.
 */
function derivative(fn: ActivationFn, x: tf.Tensor): tf.Tensor {
  const name = fn.getClassName();
  switch (name) {
    case "tanh":
      return tf.sub(1, tf.square(tf.tanh(x)));
    case "sigmoid": {
      const s = tf.sigmoid(x);
      return tf.mul(s, tf.sub(1, s));
    }
    case "hardSigmoid": {
      const y = tf.add(0.5, tf.mul(0.2, x));
      return tf.mul(tf.cast(tf.logicalAnd(tf.greaterEqual(y, 0), tf.lessEqual(y, 1)), "float32"), 0.2);
    }
    case "linear":
      return tf.onesLike(x);
    case "relu":
      return tf.cast(tf.greater(x, 0), "float32");
    default:
      throw new Error(`MotifLSTM: unsupported activation "${name}" (supported: ${SUPPORTED_ACTIVATIONS.join(", ")})`);
  }
}

function runBackward(
  dy: tf.Tensor,
  saved: tf.Tensor[],
  xShape: readonly number[],
  { activation, recurrentActivation, returnSequences }: LstmSequenceOptions,
): tf.Tensor[] {
  const [xTimeMajor, kernel, recurrentKernel, zAll, cAll, hPrevAll, cPrevAll] = saved as tf.Tensor2D[] as [
    tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D,
  ];
  const [batch, time, inputDim] = xShape as [number, number, number];
  const units = recurrentKernel.shape[0];

  // Everything below up to the loop is batched over all time steps.
  const [zi, zf, zg, zo] = tf.split(zAll, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const gateI = recurrentActivation.apply(zi);
  const gateF = recurrentActivation.apply(zf);
  const gateG = activation.apply(zg);
  const gateO = recurrentActivation.apply(zo);
  const cellOut = activation.apply(cAll);
  // dZ_t = [dc, dc, dc, dh] ⊙ M_t, with M_t the local derivative of each gate pre-activation.
  const localGrads = tf.concat(
    [
      tf.mul(gateG, derivative(recurrentActivation, zi)),
      tf.mul(cPrevAll, derivative(recurrentActivation, zf)),
      tf.mul(gateI, derivative(activation, zg)),
      tf.mul(cellOut, derivative(recurrentActivation, zo)),
    ],
    1,
  );
  // dc_t += dh_t ⊙ o_t ⊙ act'(c_t)
  const hToC = tf.mul(gateO, derivative(activation, cAll));
  const localSteps = tf.unstack(tf.reshape(localGrads, [time, batch, 4 * units]));
  const hToCSteps = tf.unstack(tf.reshape(hToC, [time, batch, units]));
  const forgetSteps = tf.unstack(tf.reshape(gateF, [time, batch, units]));
  const outputGradSteps = returnSequences ? tf.unstack(tf.transpose(dy, [1, 0, 2])) : null;

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

  // Weight and input gradients: one large plain matMul each.
  const dzAll = tf.concat(dzSteps, 0);
  const dKernel = tf.matMul(tf.transpose(xTimeMajor), dzAll);
  const dRecurrent = tf.matMul(tf.transpose(hPrevAll), dzAll);
  const dBias = tf.sum(dzAll, 0);
  const dxTimeMajor = tf.matMul(dzAll, tf.transpose(kernel));
  const dx = tf.transpose(tf.reshape(dxTimeMajor, [time, batch, inputDim]), [1, 0, 2]);
  return [dx, dKernel, dRecurrent, dBias, dhNext, dcNext];
}
