import * as tf from "@tensorflow/tfjs";
import { restore, snapshot } from "./model-weights.js";

/** A model and the token each of its vocabulary rows stands for. */
export interface VocabularyModel {
  model: tf.LayersModel;
  tokens: readonly string[];
}

export interface WarmStartReport {
  /** Tokens of the new vocabulary whose embedding row and output column came from the init model. */
  carried: number;
  /** Tokens the init model never saw: they keep their fresh initialisation. */
  fresh: string[];
}

/** Why `from` cannot warm-start `to` (null = it can): the same layers with the same shapes, up to the vocabulary size. */
export function warmStartIssue(to: VocabularyModel, from: VocabularyModel): string | null {
  const a = to.model.weights;
  const b = from.model.weights;
  if (a.length !== b.length) return `the models have ${a.length} and ${b.length} weight arrays`;
  for (let i = 0; i < a.length; i++) {
    const [wa, wb] = [a[i] as tf.LayerVariable, b[i] as tf.LayerVariable];
    const axis = vocabularyAxis(wa, to.tokens.length);
    const [sa, sb] = [shapeOf(wa), shapeOf(wb)];
    const same = sa.length === sb.length && sa.every((n, d) => d === axis || n === sb[d]);
    if (!same || layerOf(wa) !== layerOf(wb))
      return `weight ${i} differs: ${wa.name} [${sa.join(", ")}] against ${wb.name} [${sb.join(", ")}]`;
  }
  return null;
}

/**
 * Starts `to` from `from`'s weights (fine-tuning): the LSTM and any hidden layer as they are, the
 * embedding rows and output columns by token name, so the two vocabularies may differ. A token
 * `from` never saw keeps its fresh embedding and output weights, and its output bias starts at the
 * lowest of `from`'s (as unlikely as its rarest token) rather than at 0, which would hand it a
 * share of every prediction before the first step.
 */
export function warmStart(to: VocabularyModel, from: VocabularyModel): WarmStartReport {
  const issue = warmStartIssue(to, from);
  if (issue !== null) throw new Error(`cannot warm-start: ${issue}`);
  const fromIds = new Map(from.tokens.map((token, id) => [token, id]));
  const rowOf = to.tokens.map((token) => fromIds.get(token) ?? -1);
  const fromWeights = snapshot(from.model);
  const values = snapshot(to.model).map((toData, i) => {
    const target = to.model.weights[i] as tf.LayerVariable;
    const fromData = fromWeights[i] as Float32Array;
    const axis = vocabularyAxis(target, to.tokens.length);
    if (axis === -1) return fromData;
    const isBias = shapeOf(target).length === 1;
    const lowest = isBias ? fromData.reduce((min, v) => Math.min(min, v), Infinity) : 0;
    const fromShape = shapeOf(from.model.weights[i] as tf.LayerVariable);
    copyAlongVocabulary(toData, shapeOf(target), fromData, fromShape, axis, rowOf, isBias ? lowest : null);
    return toData;
  });
  restore(to.model, values);
  const fresh = to.tokens.filter((_, id) => rowOf[id] === -1);
  return { carried: to.tokens.length - fresh.length, fresh };
}

/** The vocabulary dimension of an embedding ([V, E]: 0) or output layer ([U, V] or [V]: last); -1 otherwise. */
function vocabularyAxis(weight: tf.LayerVariable, vocabSize: number): number {
  const layer = layerOf(weight);
  const shape = shapeOf(weight);
  if (layer === "embedding" && shape[0] === vocabSize) return 0;
  if (layer === "output" && shape[shape.length - 1] === vocabSize) return shape.length - 1;
  return -1;
}

function shapeOf(weight: tf.LayerVariable): number[] {
  return weight.read().shape;
}

function layerOf(weight: tf.LayerVariable): string {
  return weight.name.split("/")[0] ?? weight.name;
}

/** Copies `from`'s slice `rowOf[id]` along `axis` into `to`'s slice `id`; unmapped bias entries get `unseenBias`. */
function copyAlongVocabulary(
  to: Float32Array,
  toShape: readonly number[],
  from: Float32Array,
  fromShape: readonly number[],
  axis: number,
  rowOf: readonly number[],
  unseenBias: number | null,
): void {
  // Row-major: index = outer * (V * inner) + v * inner + k.
  const inner = toShape.slice(axis + 1).reduce((p, n) => p * n, 1);
  const outer = toShape.slice(0, axis).reduce((p, n) => p * n, 1);
  const [toV, fromV] = [toShape[axis] as number, fromShape[axis] as number];
  for (let o = 0; o < outer; o++)
    for (let v = 0; v < toV; v++) {
      const row = rowOf[v] as number;
      for (let k = 0; k < inner; k++) {
        const at = o * toV * inner + v * inner + k;
        if (row >= 0) to[at] = from[o * fromV * inner + row * inner + k] as number;
        else if (unseenBias !== null) to[at] = unseenBias;
      }
    }
}
