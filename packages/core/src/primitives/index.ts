// Small pure helpers several folders share: the seeded RNG, portable float64 math, canonical JSON bytes, SHA-256.
export { createRng, restoreRng, randomInt, shuffleInPlace, type Rng } from "./rng.js";
export { portableExp, portableExpm1, portableLog, portableTanh } from "./portable-math.js";
export { sha256Hex } from "./sha256.js";
export { canonicalJson } from "./bytes.js";
