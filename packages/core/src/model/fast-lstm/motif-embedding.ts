// MotifEmbedding: tf.layers.embedding with a gradient that trains on every backend. The stock
// layer's gradient needs the UnsortedSegmentSum kernel, which the wasm backend lacks; here the
// embedding gradient is one plain matMul, oneHot(ids)ᵀ · dy. Same config and weight
// ("embeddings" [inputDim, outputDim]) as the stock layer, which it wraps for both.
import * as tf from "@tensorflow/tfjs";

type MotifEmbeddingArgs = Parameters<typeof tf.layers.embedding>[0];
type Kwargs = Parameters<tf.layers.Layer["call"]>[1];
type EmbeddingLayer = ReturnType<typeof tf.layers.embedding>;

export class MotifEmbedding extends tf.layers.Layer {
  static className = "MotifEmbedding";
  private readonly inner: EmbeddingLayer;
  private readonly inputDim: number;

  constructor(args: MotifEmbeddingArgs) {
    super(args);
    if (args.maskZero) throw new Error("MotifEmbedding does not support maskZero");
    this.inner = tf.layers.embedding(args);
    this.inputDim = args.inputDim;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    this.inner.build(inputShape);
    this.built = true;
  }

  override get trainableWeights(): tf.LayerVariable[] {
    return this.trainable ? this.inner.trainableWeights : [];
  }

  override get nonTrainableWeights(): tf.LayerVariable[] {
    return this.trainable ? this.inner.nonTrainableWeights : this.inner.weights;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return this.inner.computeOutputShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const ids = Array.isArray(inputs) ? inputs[0] : inputs;
      if (ids === undefined) throw new Error("MotifEmbedding: no input");
      const embeddings = this.inner.trainableWeights[0] ?? this.inner.weights[0];
      if (embeddings === undefined) throw new Error("MotifEmbedding: call before build");
      return embeddingLookup(embeddings.read() as tf.Tensor2D, ids, this.inputDim);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.inner.getConfig(), ...super.getConfig() };
  }
}

/** Rows of `embeddings` for `ids` (any shape, any numeric dtype); ids out of range are an error. */
function embeddingLookup(embeddings: tf.Tensor2D, ids: tf.Tensor, inputDim: number): tf.Tensor {
  const intIds = tf.cast(ids, "int32");
  const values = intIds.dataSync();
  for (let i = 0; i < values.length; i++) {
    const id = values[i]!;
    if (id < 0 || id >= inputDim) {
      throw new Error(`MotifEmbedding: token id ${id} is outside the vocabulary [0, ${inputDim})`);
    }
  }
  const op = tf.customGrad(((...args: unknown[]) => {
    const [table, index] = args as [tf.Tensor2D, tf.Tensor];
    const save = args[2] as tf.GradSaveFunc;
    save([index]);
    return {
      value: tf.gather(table, index),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const index = saved[0]!;
        const flatIds = tf.reshape(index, [-1]) as tf.Tensor1D;
        const flatDy = tf.reshape(dy, [-1, table.shape[1]]);
        const oneHotT = tf.transpose(tf.cast(tf.oneHot(flatIds, table.shape[0]), "float32"));
        return [tf.matMul(oneHotT, flatDy), tf.zerosLike(index)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(embeddings, intIds);
}

/** Drop-in for `tf.layers.embedding(args)`. */
export function motifEmbedding(args: MotifEmbeddingArgs): MotifEmbedding {
  return new MotifEmbedding(args);
}
