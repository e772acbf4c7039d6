// Key memory: the piece's own pitch-class histogram so far, as a bias on the model's note tokens.
// An LSTM trained on 128-token windows from a zero state never learns to hold a key over a whole
// piece; counting the pitch classes already heard does. This is the short-term model of
// Conklin & Witten's multiple-viewpoint systems (and IDyOM), combined with the network's
// prediction as a product of experts:
//   p'(note) ∝ p(note) · P_piece(pitch classes of note)^strength,
// renormalised over the note tokens only, so the model's chance of a note versus a wait, duration
// or velocity token is unchanged. It hears real music only: a song's true notes when a model is
// scored on it, a primer's when a piece is generated (inference/generate.ts says why not the
// model's own draws). Only + − × ÷ and the portable exp/log: the same bits everywhere.
import { portableExp, portableLog } from "../primitives/portable-math.js";

export interface KeyMemorySettings {
  /** Exponent of the piece's pitch-class distribution; 0 = off (the model's logits unchanged). */
  strength: number;
  /** Notes after which a heard note counts half (older music fades, so a modulation is followed); null = never fades. */
  halfLife: number | null;
}

/** Pseudo-count every pitch class starts with, so a pitch class not yet heard is unlikely, not impossible. */
const PRIOR_COUNT = 1;

/** One piece's pitch-class memory; `observe` every token in order, `adjust` the logits predicting the next. */
export class KeyMemory {
  private readonly counts = new Float64Array(12);
  private total = 0;
  private readonly fade: number;
  /** Per vocabulary id: the pitch classes it sounds (empty for tokens that sound none). */
  private readonly classesOf: readonly number[][];

  constructor(
    masks: Uint16Array,
    private readonly settings: KeyMemorySettings,
  ) {
    checkKeyMemory(settings);
    this.fade = settings.halfLife === null ? 1 : portableExp(-Math.LN2 / settings.halfLife);
    this.classesOf = Array.from(masks, (mask) => [...Array(12).keys()].filter((pc) => (mask >> pc) & 1));
  }

  /** True when `adjust` changes nothing (strength 0). */
  get off(): boolean {
    return this.settings.strength === 0;
  }

  /** The token was played: its pitch classes (a chord's share equally one note) join the memory. */
  observe(id: number): void {
    const classes = this.classesOf[id];
    if (!classes || classes.length === 0) return;
    if (this.fade !== 1) {
      for (let pc = 0; pc < 12; pc++) this.counts[pc] = (this.counts[pc] as number) * this.fade;
      this.total *= this.fade;
    }
    const share = 1 / classes.length;
    for (const pc of classes) this.counts[pc] = (this.counts[pc] as number) + share;
    this.total += 1;
  }

  /**
   * `logits` with every note token moved by strength × the mean log share of its pitch classes in
   * the memory, then all note tokens shifted together so their total probability stays the
   * model's. Non-note and -Infinity logits are copied as they are.
   */
  adjust(logits: ArrayLike<number>): Float32Array {
    const out = Float32Array.from(logits as ArrayLike<number>);
    if (this.off || this.total === 0) return out;
    const logShare = new Float64Array(12);
    const denominator = this.total + 12 * PRIOR_COUNT;
    for (let pc = 0; pc < 12; pc++)
      logShare[pc] = portableLog(((this.counts[pc] as number) + PRIOR_COUNT) / denominator);

    const biased = new Float64Array(out.length);
    let max = -Infinity;
    let biasedMax = -Infinity;
    for (let id = 0; id < out.length; id++) {
      const classes = this.classesOf[id] as number[];
      const logit = out[id] as number;
      if (classes.length === 0 || logit === -Infinity) continue;
      let sum = 0;
      for (const pc of classes) sum += logShare[pc] as number;
      biased[id] = logit + (this.settings.strength * sum) / classes.length;
      if (logit > max) max = logit;
      if ((biased[id] as number) > biasedMax) biasedMax = biased[id] as number;
    }
    if (max === -Infinity) return out;
    let mass = 0;
    let biasedMass = 0;
    for (let id = 0; id < out.length; id++) {
      if ((this.classesOf[id] as number[]).length === 0 || out[id] === -Infinity) continue;
      mass += portableExp((out[id] as number) - max);
      biasedMass += portableExp((biased[id] as number) - biasedMax);
    }
    // log Σ e^logit − log Σ e^biased: the note tokens keep the mass the model gave them.
    const shift = max + portableLog(mass) - (biasedMax + portableLog(biasedMass));
    for (let id = 0; id < out.length; id++) {
      if ((this.classesOf[id] as number[]).length === 0 || out[id] === -Infinity) continue;
      out[id] = (biased[id] as number) + shift;
    }
    return out;
  }
}

/** Throws on settings no key memory can have. */
export function checkKeyMemory(settings: KeyMemorySettings): void {
  if (!Number.isFinite(settings.strength) || settings.strength < 0 || settings.strength > 4)
    throw new Error(`key memory strength must be a number in 0..4, got ${settings.strength}`);
  if (settings.halfLife !== null && !(Number.isFinite(settings.halfLife) && settings.halfLife >= 1))
    throw new Error(`key memory half-life must be ≥ 1 note or null, got ${settings.halfLife}`);
}
