// MotifLSTM: a drop-in for tf.layers.lstm with the same configuration, weights (kernel [in, 4u],
// recurrent_kernel [u, 4u], bias [4u], gate order i, f, c, o) and results, but a much faster
// forward and backward pass on the wasm/cpu backends (see lstm-sequence.ts). It reuses the stock
// LSTMCell for configuration, initialisers and weight creation, so saved models look like stock
// LSTM layers with class name "MotifLSTM".
import * as tf from "@tensorflow/tfjs";
import { lstmSequence, SUPPORTED_ACTIVATIONS, type LstmSequenceOptions } from "./lstm-sequence.js";

/** The arguments of tf.layers.lstm. */
export type MotifLstmArgs = Parameters<typeof tf.layers.lstm>[0];
type LstmCell = ReturnType<typeof tf.layers.lstmCell>;
type Kwargs = Parameters<tf.RNN["call"]>[1];

export class MotifLSTM extends tf.RNN {
  static override className = "MotifLSTM";
  declare readonly cell: LstmCell;

  constructor(args: MotifLstmArgs) {
    rejectUnsupported(args);
    // Like tf.layers.lstm: the cell receives the layer's arguments.
    super({ ...args, cell: tf.layers.lstmCell(args) });
    for (const fn of [this.cell.activation, this.cell.recurrentActivation]) {
      const name = fn.getClassName();
      if (!(SUPPORTED_ACTIVATIONS as readonly string[]).includes(name)) {
        throw new Error(
          `MotifLSTM: unsupported activation "${name}" (supported: ${SUPPORTED_ACTIVATIONS.join(", ")})`,
        );
      }
    }
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const masks = kwargs?.["mask"] as unknown;
      if ((Array.isArray(masks) ? masks : [masks]).some((m) => m != null)) {
        throw new Error("MotifLSTM: masking is not supported");
      }
      const x = list[0];
      if (x === undefined || x.rank !== 3) {
        throw new Error(
          `MotifLSTM: expected input of shape [batch, time, features], got [${x?.shape.join(", ")}]`,
        );
      }
      const initialState = pickInitialState(list, kwargs);
      const units = this.cell.units;
      const batch = x.shape[0];
      const [h0, c0] = initialState ?? [tf.zeros([batch, units]), tf.zeros([batch, units])];
      for (const state of [h0, c0]) {
        if (state.rank !== 2 || state.shape[0] !== batch || state.shape[1] !== units) {
          throw new Error(
            `MotifLSTM: initial state must be [${batch}, ${units}], got [${state.shape.join(", ")}]`,
          );
        }
      }
      const bias = this.cell.useBias ? this.cell.bias.read() : tf.zeros([4 * units]);
      // Training with carried state reads the final h and c here, from the same forward pass.
      const onFinalState = kwargs?.["onFinalState"] as LstmSequenceOptions["onFinalState"] | undefined;
      return lstmSequence(
        x as tf.Tensor3D,
        this.cell.kernel.read() as tf.Tensor2D,
        this.cell.recurrentKernel.read() as tf.Tensor2D,
        bias as tf.Tensor1D,
        h0 as tf.Tensor2D,
        c0 as tf.Tensor2D,
        {
          activation: this.cell.activation,
          recurrentActivation: this.cell.recurrentActivation,
          returnSequences: this.returnSequences,
          ...(typeof onFinalState === "function" ? { onFinalState } : {}),
        },
      );
    });
  }

  /** The config holds the cell's arguments flat, exactly like tf.layers.lstm. */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }
}

/** Drop-in for `tf.layers.lstm(args)`. */
export function motifLstm(args: MotifLstmArgs): MotifLSTM {
  return new MotifLSTM(args);
}

function rejectUnsupported(args: MotifLstmArgs): void {
  const unsupported: string[] = [];
  if ((args.dropout ?? 0) > 0) unsupported.push("dropout (use a tf.layers.dropout layer before it)");
  if ((args.recurrentDropout ?? 0) > 0) unsupported.push("recurrentDropout");
  if (args.returnState) unsupported.push("returnState");
  if (args.stateful) unsupported.push("stateful");
  if (args.goBackwards) unsupported.push("goBackwards");
  if (unsupported.length > 0) {
    throw new Error(`MotifLSTM does not support: ${unsupported.join(", ")}`);
  }
}

function pickInitialState(list: tf.Tensor[], kwargs: Kwargs): [tf.Tensor, tf.Tensor] | null {
  // Graph execution passes the states as extra inputs; eager apply() passes them in kwargs.
  const fromKwargs = kwargs?.["initialState"] as unknown;
  const candidates =
    list.length > 1
      ? list.slice(1)
      : Array.isArray(fromKwargs) && fromKwargs.every((t) => t instanceof tf.Tensor)
        ? (fromKwargs as tf.Tensor[])
        : null;
  if (candidates === null) return null;
  if (candidates.length !== 2) {
    throw new Error(`MotifLSTM: initial state must be [h, c], got ${candidates.length} tensor(s)`);
  }
  return [candidates[0]!, candidates[1]!];
}
