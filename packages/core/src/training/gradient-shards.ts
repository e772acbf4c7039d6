// Data-parallel gradients without threads in core: a batch is cut into a fixed number of shards,
// each shard's gradient is computed by `createShardComputer` (on the main thread or, through the
// app's GradientWorkers, on another thread running the same function), and the shard gradients are
// combined in shard order. The shard count, never the thread count, decides the arithmetic, so one
// thread and N threads give bit-identical histories.
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "../model/config.js";
import { encodeInput, outputsProbabilities } from "../model/create-model.js";
import { trainingGraph, type CarriedState } from "./training-graph.js";

/** One shard of a batch: `rows` windows of token ids, flattened row-major. */
export interface ShardRequest {
  shard: number;
  /** [rows, seqLen] input ids. */
  inputs: Int32Array;
  /** [rows, seqLen] (every-step) or [rows] (last) target ids. */
  targets: Int32Array;
  rows: number;
  /** One seed per Dropout layer of the model, in layer order. */
  dropoutSeeds: number[];
  /**
   * Training with carried state: the rows' initial LSTM states, per LSTM layer h then c, each
   * [rows, units] row-major. Absent = zero states (and no final states in the result).
   */
  states?: Float32Array[];
}

/** Gradients of the SUM of the shard's token losses, in trainable-weight order. */
export interface ShardResult {
  gradients: Float32Array[];
  lossSum: number;
  correct: number;
  tokens: number;
  /** With `request.states`: the rows' final LSTM states, in the same layout. */
  finalStates?: Float32Array[];
}

/**
 * Extra threads that compute shards; implemented by the app (e.g. with worker_threads): core never
 * sees threads. Each thread holds its own copy of the model and gets the weights from `setWeights`.
 */
export interface GradientWorkers {
  /** Extra threads available (0 = everything is computed in-process). */
  readonly count: number;
  /** Called before shards are sent after the weights changed (trainable weights, in order). */
  setWeights(weights: Float32Array[]): void;
  compute(request: ShardRequest): Promise<ShardResult>;
  dispose(): Promise<void>;
}

export type ShardComputer = (request: ShardRequest) => ShardResult;

/**
 * Contiguous row ranges of a batch of `rows` windows cut into `shards` slices whose sizes differ
 * by at most one (the first `rows % shards` slices take one more). Slices may be empty when
 * rows < shards (a short last batch).
 * @example shardRanges(5, 2) // [{ start: 0, rows: 3 }, { start: 3, rows: 2 }]
 */
export function shardRanges(rows: number, shards: number): { start: number; rows: number }[] {
  if (!Number.isInteger(shards) || shards < 1)
    throw new Error(`gradient shards must be a positive integer, got ${shards}`);
  const base = Math.floor(rows / shards);
  const extra = rows % shards;
  const ranges: { start: number; rows: number }[] = [];
  let start = 0;
  for (let shard = 0; shard < shards; shard++) {
    const size = base + (shard < extra ? 1 : 0);
    ranges.push({ start, rows: size });
    start += size;
  }
  return ranges;
}

/** The model's Dropout layers in layer order (their `seed` makes a training pass reproducible). */
export function dropoutLayersOf(model: tf.LayersModel): { seed?: number }[] {
  return model.layers.filter((layer) => layer.getClassName() === "Dropout") as unknown as { seed?: number }[];
}

/**
 * The one function that computes a shard's gradient, on the main thread and in worker threads:
 * the training graph in training mode (dropout seeded by the request), the summed softmax
 * cross-entropy of every predicted token, and its gradient for every trainable weight.
 */
export function createShardComputer(model: tf.LayersModel, modelConfig: ModelConfig): ShardComputer {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const dropoutLayers = dropoutLayersOf(model);
  const logitsOf = trainingGraph(model, outputsProbabilities(model));
  const tokensPerRow = modelConfig.target === "every-step" ? modelConfig.seqLen : 1;

  return (request) => {
    const { rows, inputs, targets, dropoutSeeds, states } = request;
    if (!Number.isInteger(rows) || rows < 1)
      throw new Error(`shard ${request.shard}: rows must be a positive integer, got ${rows}`);
    if (inputs.length !== rows * modelConfig.seqLen)
      throw new Error(
        `shard ${request.shard}: ${inputs.length} input ids for ${rows} rows of ${modelConfig.seqLen}`,
      );
    if (targets.length !== rows * tokensPerRow)
      throw new Error(
        `shard ${request.shard}: ${targets.length} targets for ${rows} rows of ${tokensPerRow}`,
      );
    if (dropoutSeeds.length !== dropoutLayers.length)
      throw new Error(
        `shard ${request.shard}: ${dropoutSeeds.length} dropout seeds for ${dropoutLayers.length} dropout layers`,
      );
    if (states) checkStates(request.shard, states, rows, modelConfig.units);
    dropoutLayers.forEach((layer, index) => (layer.seed = dropoutSeeds[index]));
    let correctTensor: tf.Scalar | null = null;
    const x = encodeInput(modelConfig, inputs, rows, modelConfig.seqLen);
    const labels = tf.tensor1d(targets, "int32");
    // Constants, not variables: no gradient flows into the previous chunk.
    const carry: CarriedState | undefined = states && {
      initial: states.map((values, i) =>
        tf.tensor2d(values, [rows, modelConfig.units[Math.floor(i / 2)] as number]),
      ),
      final: [],
    };
    try {
      const { value, grads } = tf.variableGrads(() => {
        const logits = logitsOf(x, true, carry);
        correctTensor = tf.keep(
          tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), labels), "float32")) as tf.Scalar,
        );
        return tf.losses.softmaxCrossEntropy(
          tf.oneHot(labels, modelConfig.vocabSize),
          logits,
          undefined,
          0,
          tf.Reduction.SUM,
        ) as tf.Scalar;
      }, variables);
      const gradients = variables.map((v) => {
        const g = grads[v.name];
        if (!g) throw new Error(`no gradient for ${v.name}`);
        // A copy: the result may be transferred to another thread, never the backend's own buffer.
        return new Float32Array(g.dataSync() as Float32Array);
      });
      const lossSum = value.dataSync()[0] as number;
      const correct = (correctTensor as tf.Scalar | null)?.dataSync()[0] ?? 0;
      tf.dispose([value, ...Object.values(grads)]);
      return {
        gradients,
        lossSum,
        correct,
        tokens: targets.length,
        ...(carry ? { finalStates: carry.final } : {}),
      };
    } finally {
      dropoutLayers.forEach((layer) => (layer.seed = undefined));
      tf.dispose([x, labels, ...(carry?.initial ?? [])]);
      if (correctTensor) tf.dispose(correctTensor);
    }
  };
}

function checkStates(
  shard: number,
  states: readonly Float32Array[],
  rows: number,
  units: readonly number[],
): void {
  if (states.length !== 2 * units.length)
    throw new Error(
      `shard ${shard}: ${states.length} state arrays for ${units.length} LSTM layers (h and c per layer)`,
    );
  states.forEach((values, i) => {
    const size = rows * (units[Math.floor(i / 2)] as number);
    if (values.length !== size)
      throw new Error(
        `shard ${shard}: state ${i} has ${values.length} values, ${rows} rows of layer ${Math.floor(i / 2) + 1} need ${size}`,
      );
  });
}

/**
 * Gradients of the batch-mean loss from shard results: summed in shard order (whatever thread
 * computed them), then divided by the batch's token count. Tensors in variable order.
 */
export function combineShardGradients(
  results: readonly ShardResult[],
  shapes: readonly number[][],
): tf.Tensor[] {
  const first = results[0];
  if (!first) throw new Error("no shard results to combine");
  const tokens = results.reduce((sum, r) => sum + r.tokens, 0);
  return tf.tidy(() =>
    shapes.map((shape, i) => {
      let sum = tf.tensor(first.gradients[i] as Float32Array, shape);
      for (const result of results.slice(1))
        sum = tf.add(sum, tf.tensor(result.gradients[i] as Float32Array, shape));
      return tf.div(sum, tokens);
    }),
  );
}
