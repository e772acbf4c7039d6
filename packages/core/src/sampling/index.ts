// Sampling proper: logits → a token (temperature, top-k, top-p) and the repetition guard.
export { sampleFromLogits, type SamplingOptions } from "./sample.js";
export { guardedToken, GUARD_MAX_PERIOD, GUARD_MAX_REPEATS } from "./repetition-guard.js";
