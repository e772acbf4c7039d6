// A bundle around an in-memory model for tests: a fixed name, date and empty dataset, so tests
// only state what they care about (model, configs, vocabulary).
import type * as tf from "@tensorflow/tfjs";
import type { ModelConfig, TrainingConfig } from "../../model/config.js";
import { getTokenizer, type Vocabulary } from "../../tokenizer/index.js";
import type { TokenizerKind } from "../../tokenizer/types.js";
import type { BundleFiles } from "../manifest.js";
import { packBundle } from "../pack-bundle.js";

export function packTestBundle(args: {
  model: tf.LayersModel;
  config: ModelConfig;
  training: TrainingConfig;
  vocabulary: Vocabulary;
  tokenizer?: TokenizerKind;
  backend?: string;
}): Promise<BundleFiles> {
  const kind = args.tokenizer ?? "notes-chords";
  return packBundle({
    model: args.model,
    manifest: {
      name: "test",
      version: "1",
      createdAt: "2026-01-01T00:00:00Z",
      tokenizer: { kind, version: getTokenizer(kind).version },
      vocabulary: args.vocabulary.toJSON(),
      model: args.config,
      training: args.training,
      dataset: { files: [], skipped: [] },
      metrics: [],
      backend: args.backend ?? "cpu",
    },
  });
}
