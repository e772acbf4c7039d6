// Training: song windows and augmentation, the train loop, gradient shards, checkpoints, the learning-rate schedule.
export {
  splitSongs,
  songWindows,
  augmentationDraws,
  type AugmentationDraw,
  type SongTokens,
} from "./data.js";
export {
  trainModel,
  evaluateModel,
  type StopReason,
  type TrainCallbacks,
  type TrainResult,
} from "./train.js";
export {
  createShardComputer,
  combineShardGradients,
  shardRanges,
  type GradientWorkers,
  type ShardComputer,
  type ShardRequest,
  type ShardResult,
} from "./gradient-shards.js";
export {
  serializeCheckpoint,
  deserializeCheckpoint,
  type TrainCheckpoint,
  type EpochMetrics,
  type ValidationPoint,
} from "./checkpoint.js";
export { learningRateAt } from "./lr-schedule.js";
export { warmStart, warmStartIssue, type VocabularyModel, type WarmStartReport } from "./warm-start.js";
