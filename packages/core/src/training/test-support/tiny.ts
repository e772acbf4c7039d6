// Tiny configs and synthetic songs for fast model tests (vocab 20, units 16, seq 8).
import { presetConfigs, type ModelConfig, type TrainingConfig } from "../../model/config.js";
import type { SongTokens } from "../data.js";

export const TINY_VOCAB = 20;

export function tinyConfigs(overrides: Partial<ModelConfig & TrainingConfig> = {}): {
  model: ModelConfig;
  training: TrainingConfig;
} {
  return presetConfigs("default", TINY_VOCAB, {
    units: [16, 16],
    seqLen: 8,
    embeddingDim: 8,
    batchSize: 8,
    epochs: 4,
    learningRate: 1e-2,
    patience: null,
    dropout: 0.1,
    seed: 7,
    ...overrides,
  });
}

/** A learnable song: each token is a fixed function of the previous one (a cycle through the vocabulary). */
function cycleSong(name: string, length: number, start: number, step = 3): SongTokens {
  const ids = new Int32Array(length);
  ids[0] = start % TINY_VOCAB;
  for (let i = 1; i < length; i++) ids[i] = ((ids[i - 1] as number) + step) % TINY_VOCAB;
  return { name, ids };
}

/** Songs whose next token follows from the current one (step 3 through 20 ids). */
export function learnableSongs(count: number, length = 60, step = 3): SongTokens[] {
  return Array.from({ length: count }, (_, i) => cycleSong(`song-${i}`, length, i * 5, step));
}
