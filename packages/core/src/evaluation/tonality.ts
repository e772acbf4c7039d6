// Teacher-forced tonality of a model: how much of its probability over note tokens falls on the
// song's scale (in-key mass), and how often its most likely note is the true one (note accuracy).
// Pure JS over logits, so the trainer, `evaluate` and the benchmarks share one definition.
import { scalePitchClasses, type Key } from "./key.js";

/** What tonality needs of a tokenizer (the real `Tokenizer` satisfies it). */
export interface PitchedTokenizer {
  pitchClassesOf(token: string): readonly number[] | null;
}

/** Per vocabulary id: a 12-bit mask of the pitch classes the token sounds (0 = no note). */
export function pitchClassMasks(tokens: readonly string[], tokenizer: PitchedTokenizer): Uint16Array {
  const masks = new Uint16Array(tokens.length);
  tokens.forEach((token, id) => {
    for (const pc of tokenizer.pitchClassesOf(token) ?? []) masks[id] = (masks[id] as number) | (1 << pc);
  });
  return masks;
}

/** The 12-bit mask of a key's 7 scale tones. */
export function scaleMask(key: Key): number {
  return scalePitchClasses(key).reduce((mask, pc) => mask | (1 << pc), 0);
}

function popcount(mask: number): number {
  let count = 0;
  for (let bits = mask; bits !== 0; bits &= bits - 1) count++;
  return count;
}

/** Per id: the share of the token's pitch classes inside `scale` (a chord half in key counts 0.5); 0 for no-note tokens. */
export function inKeyWeights(masks: Uint16Array, scale: number): Float32Array {
  const weights = new Float32Array(masks.length);
  masks.forEach((mask, id) => {
    if (mask !== 0) weights[id] = popcount(mask & scale) / popcount(mask);
  });
  return weights;
}

export interface TonalitySummary {
  /** Positions scored: those whose true next token sounds a note. */
  notes: number;
  /** Mean share of the note-token probability that falls on the song's scale (7/12 ≈ 0.583 for uniform pitch classes). */
  inKeyMass: number;
  /** Share of those positions where the most likely note token (among note tokens only) is the true one. */
  noteAccuracy: number;
  /** Share of the true next notes that are in the scale (what a perfect model's in-key mass approaches). */
  targetsInKey: number;
}

/**
 * Accumulates tonality over teacher-forced steps. Feed it the logits predicting each token, the
 * true token, and the in-key weights of the song (from `inKeyWeights`); positions whose target is
 * not a note are ignored.
 */
export class TonalityMeter {
  private notes = 0;
  private massSum = 0;
  private correct = 0;
  private targetsInKey = 0;

  constructor(private readonly masks: Uint16Array) {}

  /** One prediction over the whole vocabulary; `offset` selects a row of a [rows, V] buffer. */
  add(logits: ArrayLike<number>, target: number, weights: Float32Array, offset = 0): void {
    const masks = this.masks;
    if (masks[target] === 0) return;
    let max = -Infinity;
    for (let id = 0; id < masks.length; id++)
      if (masks[id] !== 0 && (logits[offset + id] as number) > max) max = logits[offset + id] as number;
    let total = 0;
    let inKey = 0;
    let best = -1;
    let bestLogit = -Infinity;
    for (let id = 0; id < masks.length; id++) {
      if (masks[id] === 0) continue;
      const logit = logits[offset + id] as number;
      const p = Math.exp(logit - max);
      total += p;
      inKey += p * (weights[id] as number);
      if (logit > bestLogit) {
        bestLogit = logit;
        best = id;
      }
    }
    this.notes++;
    this.massSum += total > 0 ? inKey / total : 0;
    if (best === target) this.correct++;
    this.targetsInKey += weights[target] as number;
  }

  /** Another meter's counts added to this one (e.g. per-song meters into a total). */
  merge(other: TonalityMeter): void {
    this.notes += other.notes;
    this.massSum += other.massSum;
    this.correct += other.correct;
    this.targetsInKey += other.targetsInKey;
  }

  summary(): TonalitySummary {
    const n = Math.max(1, this.notes);
    return {
      notes: this.notes,
      inKeyMass: this.massSum / n,
      noteAccuracy: this.correct / n,
      targetsInKey: this.targetsInKey / n,
    };
  }
}
