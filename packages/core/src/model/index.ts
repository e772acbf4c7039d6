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
export { splitSongs, songWindows, augmentationDraws, type AugmentationDraw, type SongTokens } from "./data.js";
export { trainModel, evaluateModel, type StopReason, type TrainCallbacks, type TrainResult } from "./train.js";
export {
  createShardComputer,
  combineShardGradients,
  shardRanges,
  type GradientWorkers,
  type ShardComputer,
  type ShardRequest,
  type ShardResult,
} from "./gradient-shards.js";
export { serializeCheckpoint, deserializeCheckpoint, type TrainCheckpoint, type EpochMetrics, type ValidationPoint } from "./checkpoint.js";
export { learningRateAt } from "./lr-schedule.js";
