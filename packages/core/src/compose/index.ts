// @motif/core/compose: everything an app needs to compose from a bundle (load it, compose, write
// MIDI), without the training loop, so a browser bundle stays small (module-graph.test.ts checks).
export {
  Composer,
  pieceToMidi,
  type ComposerBundle,
  type ComposeOptions,
  type CompositionStream,
  type NotesUpdate,
  type Piece,
} from "./composer.js";
export {
  RECIPE_DEFAULTS,
  RECIPE_FORMAT_LINE,
  checkRecipe,
  createRecipe,
  pieceTitle,
  recipeKeyChoice,
  recipeLines,
  type Recipe,
} from "./recipe.js";
export {
  NO_PRIMER,
  corpusPrimer,
  keepGrammatical,
  midiPrimer,
  resolvePrimer,
  tokensPrimer,
  type CorpusSong,
  type Primer,
  type PrimerModel,
  type PrimerSource,
} from "./primer.js";
export { createNoteStream, type NoteStream } from "./note-stream.js";
export { durationSeconds, quartersToSeconds, secondsPerQuarter, secondsToQuarters } from "./tempo.js";
export { ComposeError, type ComposeErrorCode } from "./errors.js";
// The rest of an app's generation path, from their own modules (not the barrels, which reach the training loop).
export { loadBundle } from "../bundle/load-bundle.js";
export {
  BUNDLE_FILES,
  BundleError,
  readManifest,
  type BundleFiles,
  type BundleManifest,
} from "../bundle/manifest.js";
export { keyChoiceText, parseKeyChoice, type KeyChoice } from "../evaluation/key.js";
export { isWasmStepSupported } from "../inference/wasm-step/wasm-step-model.js";
