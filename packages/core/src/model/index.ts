// The model: its config schema and presets, createModel and Motif's fast LSTM layers (no training loop).
export {
  PRESETS,
  modelConfigSchema,
  trainingConfigSchema,
  presetConfigs,
  drawsAugmentation,
  AUGMENT_MODES,
  type AugmentMode,
  type Preset,
  type ModelConfig,
  type TrainingConfig,
} from "./config.js";
export { createModel, outputsProbabilities, encodeInput } from "./create-model.js";
export { MotifEmbedding, MotifLSTM, registerMotifLayers } from "./fast-lstm/index.js";
