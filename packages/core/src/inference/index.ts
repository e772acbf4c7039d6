// Running a model token by token: step models (plain JS, WebAssembly SIMD, windowed) and the generation loop.
export {
  createStepModel,
  createStatefulStepModel,
  createJsStepModel,
  createWindowedStepModel,
  type StepModel,
} from "./step-model.js";
export { createWasmStepModel, isWasmStepSupported } from "./wasm-step/wasm-step-model.js";
export {
  createTokenSampler,
  generateTokens,
  type SamplerOptions,
  type TokenSampler,
  type GenerateOptions,
  type GenerationVocabulary,
  type GenerationTokenizer,
  type GenerationGrammar,
} from "./generate.js";
