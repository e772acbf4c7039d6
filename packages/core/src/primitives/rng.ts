/** A seeded pseudo-random stream: pure JS integer arithmetic, identical on every backend and platform. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** The four 32-bit words of the generator state; `restoreRng(state)` continues the same stream. */
  state(): number[];
}

/** splitmix32: spreads a seed over 32 bits so nearby seeds give unrelated streams. */
function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * sfc32 (Chris Doty-Humphrey's small fast counter), 128-bit state.
 * @example const rng = createRng(42); rng.next(); // 0 ≤ x < 1, the same on every machine
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`rng seed must be a finite number, got ${seed}`);
  const mix = splitmix32(Math.trunc(seed) ^ Math.trunc(seed / 4294967296));
  const rng = restoreRng([mix(), mix(), mix(), 1]);
  for (let i = 0; i < 12; i++) rng.next(); // warm up
  return rng;
}

/** Continues a stream from `rng.state()`. */
export function restoreRng(state: readonly number[]): Rng {
  if (state.length !== 4 || state.some((word) => !Number.isInteger(word) || word < 0 || word > 0xffffffff)) {
    throw new Error(`rng state must be four 32-bit unsigned integers, got ${JSON.stringify(state)}`);
  }
  let [a, b, c, d] = state as [number, number, number, number];
  return {
    next() {
      const t = (((a + b) >>> 0) + d) >>> 0;
      d = (d + 1) >>> 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) >>> 0;
      c = ((c << 21) | (c >>> 11)) >>> 0;
      c = (c + t) >>> 0;
      return t / 4294967296;
    },
    state: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0],
  };
}

/** Uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng.next() * n);
}

/** Fisher–Yates shuffle in place, driven by `rng`. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}
