// Sampling proper: logits → a token (temperature, top-k, top-p), the repetition guard and the key memory.
export { sampleFromLogits, type SamplingOptions } from "./sample.js";
export { guardedToken, GUARD_MAX_PERIOD, GUARD_MAX_REPEATS } from "./repetition-guard.js";
export { KeyMemory, checkKeyMemory, type KeyMemorySettings } from "./key-memory.js";
