// @motif/core: tokenizers, models, sampling and bundles. Platform-free; tfjs is a peer dependency.
export * from "./primitives/index.js";
export * from "./tokenizer/index.js";
export * from "./model/index.js";
export * from "./training/index.js";
export * from "./sampling/index.js";
export * from "./inference/index.js";
export * from "./bundle/index.js";
export * from "./evaluation/index.js";
export * from "./compose/index.js";
