import { portableExp } from "../primitives/portable-math.js";
import type { Rng } from "../primitives/rng.js";

export interface SamplingOptions {
  /** 0 (or below 1e-6) = argmax; 1 = the model's distribution; >1 flatter. */
  temperature: number;
  /** Keep only the k most likely tokens; null = all. */
  topK: number | null;
  /** Keep the smallest set of most likely tokens whose probability reaches p (nucleus); null = all. */
  topP: number | null;
}

const ARGMAX_TEMPERATURE = 1e-6;

function checkOptions(options: SamplingOptions): void {
  const { temperature, topK, topP } = options;
  if (!Number.isFinite(temperature) || temperature < 0)
    throw new Error(`temperature must be a finite number ≥ 0, got ${temperature}`);
  if (topK !== null && (!Number.isInteger(topK) || topK < 1))
    throw new Error(`topK must be a positive integer or null, got ${topK}`);
  if (topP !== null && (!Number.isFinite(topP) || topP <= 0 || topP > 1))
    throw new Error(`topP must be in (0, 1] or null, got ${topP}`);
}

/**
 * Draws one token id from logits, entirely in JS so the same logits, options and rng give the
 * same id on every backend. Order: mask (`allowed`, -Infinity logits) → temperature → top-k →
 * top-p → one `rng.next()` draw. Ties are broken by the lower id. Temperature 0 = argmax and
 * consumes no randomness. Throws on NaN/+Infinity logits or when nothing is allowed.
 * @example sampleFromLogits(logits, { temperature: 0.9, topK: 20, topP: 0.95 }, createRng(1))
 */
export function sampleFromLogits(
  logits: Float32Array,
  options: SamplingOptions,
  rng: Rng,
  allowed?: (id: number) => boolean,
): number {
  checkOptions(options);
  const candidates: number[] = [];
  for (let id = 0; id < logits.length; id++) {
    const value = logits[id] as number;
    if (Number.isNaN(value))
      throw new Error(`logits contain NaN at id ${id}: the model produced invalid output`);
    if (value === Infinity)
      throw new Error(`logits contain +Infinity at id ${id}: the model produced invalid output`);
    if (value === -Infinity) continue;
    if (allowed && !allowed(id)) continue;
    candidates.push(id);
  }
  if (candidates.length === 0)
    throw new Error(`no token can be sampled: all ${logits.length} ids are masked or have -Infinity logits`);

  // Most likely first; equal logits keep the lower id first (sort is stable, ids ascend).
  candidates.sort((a, b) => (logits[b] as number) - (logits[a] as number));
  if (options.temperature < ARGMAX_TEMPERATURE) return candidates[0] as number;

  const kept = options.topK === null ? candidates : candidates.slice(0, options.topK);
  const top = logits[kept[0] as number] as number;
  // portableExp, not Math.exp: engines round Math.exp differently, and the draw must not depend on the browser.
  const weights = kept.map((id) => portableExp(((logits[id] as number) - top) / options.temperature));
  let total = weights.reduce((sum, w) => sum + w, 0);

  let count = weights.length;
  if (options.topP !== null) {
    let cumulative = 0;
    count = 0;
    while (count < weights.length) {
      cumulative += weights[count] as number;
      count++;
      if (cumulative / total >= options.topP - 1e-12) break;
    }
    total = cumulative;
  }

  const target = rng.next() * total;
  let cumulative = 0;
  for (let i = 0; i < count; i++) {
    cumulative += weights[i] as number;
    if (target < cumulative) return kept[i] as number;
  }
  return kept[count - 1] as number;
}
