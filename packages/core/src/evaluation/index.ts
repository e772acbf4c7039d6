// Music measures: keys, piece features, teacher-forced tonality and the n-gram baseline. Pure, no tf.
export * from "./key.js";
export * from "./piece-features.js";
export * from "./tonality.js";
export * from "./note-ngram.js";
export * from "./set-comparison.js";
export * from "./copy-detection.js";
export * from "./music-report.js";
export * from "./feature-ranges.js";
