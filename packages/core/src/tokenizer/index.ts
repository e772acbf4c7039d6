// Tokenizers: piano notes ↔ token streams, plus the vocabulary that maps tokens to ids. Pure, no tf.
export * from "./types.js";
export { getTokenizer, isTokenizerKind } from "./registry.js";
export { Vocabulary, VocabularyError } from "./vocabulary.js";
export type { VocabularyBuildOptions, VocabularyJSON } from "./vocabulary.js";
export { normalOrder } from "./normal-order.js";
export { pitchFromName, pitchName } from "./pitch-names.js";
export {
  CHORD_ONSET_TOLERANCE,
  NOTES_CHORDS_STEP,
  NOTES_CHORDS_VERSION,
  SEED_VELOCITY,
  chordPitchClasses,
  notesChordsTokenizer,
  voiceChord,
} from "./notes-chords.js";
export {
  DEFAULT_VELOCITY_BIN,
  DURATION_BINS,
  MAX_WAIT_STEPS,
  STEPS_PER_QUARTER,
  TIMED_PITCH_MAX,
  TIMED_PITCH_MIN,
  TIMED_VERSION,
  TimedGrammar,
  VELOCITY_BINS,
  allTimedTokens,
  binVelocity,
  durationBin,
  foldPitch,
  timedTokenizer,
  velocityBin,
} from "./timed.js";
