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
export { MotifEmbedding, MotifLSTM, registerMotifLayers } from "./fast-lstm/index.js";
export { splitSongs, songWindows, type SongTokens } from "./data.js";
export { trainModel, evaluateModel, type TrainCallbacks, type TrainResult } from "./train.js";
export {
  createShardComputer,
  combineShardGradients,
  shardRanges,
  type GradientWorkers,
  type ShardComputer,
  type ShardRequest,
  type ShardResult,
} from "./gradient-shards.js";
export { serializeCheckpoint, deserializeCheckpoint, type TrainCheckpoint, type EpochMetrics } from "./checkpoint.js";
export { learningRateAt } from "./lr-schedule.js";
