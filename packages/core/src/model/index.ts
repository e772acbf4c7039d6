// The model: its config schema and presets, createModel and Motif's fast LSTM layers (no training loop).
export {
  PRESETS,
  PRESET_ALIASES,
  PRESET_NAMES,
  isPresetName,
  presetOf,
  modelConfigSchema,
  trainingConfigSchema,
  presetConfigs,
  drawsAugmentation,
  AUGMENT_MODES,
  type AugmentMode,
  type Preset,
  type PresetAlias,
  type PresetName,
  type KeyMemoryConfig,
  type ModelConfig,
  type TrainingConfig,
  type InitFrom,
} from "./config.js";
export { createModel, outputsProbabilities, encodeInput } from "./create-model.js";
export { MotifEmbedding, MotifLSTM, registerMotifLayers } from "./fast-lstm/index.js";
