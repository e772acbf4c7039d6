export {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_FILES,
  BundleError,
  bundleManifestSchema,
  readManifest,
  type BundleFiles,
  type BundleManifest,
  type DatasetFile,
} from "./manifest.js";
export { packBundle, computeContentHash } from "./pack-bundle.js";
export { loadBundle } from "./load-bundle.js";
export {
  EVALUATION_FORMAT_VERSION,
  EVALUATION_FILES,
  bundleEvaluationSchema,
  checkEvaluation,
  buildBundleEvaluation,
  type BundleEvaluation,
  type EvaluationRecipe,
  type ReferenceFile,
} from "./evaluation.js";
export {
  REFERENCE_TICKS_PER_QUARTER,
  encodeReferenceNotes,
  decodeReferenceNotes,
  packReferenceNotes,
  unpackReferenceNotes,
  passageNotes,
} from "./reference-notes.js";
