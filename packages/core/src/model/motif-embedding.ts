import * as tf from "@tensorflow/tfjs";

export interface MotifEmbeddingArgs {
  inputDim: number;
  outputDim: number;
  seed?: number;
  name?: string;
  trainable?: boolean;
}

/**
 * Token-id → vector lookup whose gradient is one plain matMul (oneHotᵀ · dy).
 *
 * Why not tf.layers.embedding: its gradient needs the UnsortedSegmentSum kernel, which the wasm
 * backend lacks, so it cannot be trained there. The weight is named `embeddings` with shape
 * [inputDim, outputDim], exactly like tf.layers.embedding. Input: float ids of any shape.
 */
export class MotifEmbedding extends tf.layers.Layer {
  static readonly className = "MotifEmbedding";
  readonly inputDim: number;
  readonly outputDim: number;
  private readonly seed: number | undefined;
  private embeddings: tf.LayerVariable | null = null;

  constructor(args: MotifEmbeddingArgs) {
    super({ name: args.name, trainable: args.trainable });
    this.inputDim = args.inputDim;
    this.outputDim = args.outputDim;
    this.seed = args.seed;
  }

  override build(): void {
    this.embeddings = this.addWeight(
      "embeddings",
      [this.inputDim, this.outputDim],
      "float32",
      tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: this.seed }),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) || inputShape[0] === undefined ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape, this.outputDim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const ids = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!ids || !this.embeddings) throw new Error("MotifEmbedding called before build or without input");
    return embeddingLookup(ids, this.embeddings.read(), this.inputDim);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), inputDim: this.inputDim, outputDim: this.outputDim };
  }
}

tf.serialization.registerClass(MotifEmbedding);

/** gather forward, matMul backward; ids are float tensors holding integers. */
export function embeddingLookup(ids: tf.Tensor, table: tf.Tensor, inputDim: number): tf.Tensor {
  const lookup = tf.customGrad((...args) => {
    const [floatIds, weights, save] = args as [tf.Tensor, tf.Tensor2D, tf.GradSaveFunc];
    const flatIds = tf.cast(tf.reshape(floatIds, [-1]), "int32");
    const dim = weights.shape[1];
    const value = tf.reshape(tf.gather(weights, flatIds), [...floatIds.shape, dim]);
    save([flatIds]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const oneHot = tf.cast(tf.oneHot(saved[0] as tf.Tensor1D, inputDim), "float32");
        // transpose first: matMul(transposeA) is ~30x slower on wasm than an explicit transpose.
        const dWeights = tf.matMul(tf.transpose(oneHot), tf.reshape(dy, [-1, dim]));
        return [tf.zerosLike(floatIds), dWeights];
      },
    };
  });
  return lookup(ids, table);
}
