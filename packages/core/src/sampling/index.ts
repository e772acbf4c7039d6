export { createRng, restoreRng, randomInt, shuffleInPlace, type Rng } from "./rng.js";
export { sampleFromLogits, type SamplingOptions } from "./sample.js";
export { createStepModel, createStatefulStepModel, createJsStepModel, createWindowedStepModel, type StepModel } from "./step-model.js";
export { createWasmStepModel, isWasmStepSupported } from "./wasm-step/wasm-step-model.js";
export { portableExp, portableExpm1, portableTanh } from "./portable-math.js";
export { createTokenSampler, generateTokens, type SamplerOptions, type TokenSampler, type GenerateOptions, type GenerationVocabulary, type GenerationTokenizer, type GenerationGrammar } from "./generate.js";
export { guardedToken, GUARD_MAX_PERIOD, GUARD_MAX_REPEATS } from "./repetition-guard.js";
