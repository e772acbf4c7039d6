export {
  PRESETS,
  modelConfigSchema,
  trainingConfigSchema,
  presetConfigs,
  type Preset,
  type ModelConfig,
  type TrainingConfig,
} from "./config.js";
export { createModel, outputsProbabilities, encodeInput } from "./create-model.js";
export { MotifEmbedding } from "./motif-embedding.js";
export { splitSongs, songWindows, type SongTokens } from "./data.js";
export { trainModel, type TrainCallbacks, type TrainResult } from "./train.js";
export { serializeCheckpoint, deserializeCheckpoint, type TrainCheckpoint, type EpochMetrics } from "./checkpoint.js";
export { learningRateAt } from "./lr-schedule.js";
