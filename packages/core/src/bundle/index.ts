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
export { sha256Hex } from "./sha256.js";
export { canonicalJson } from "./bytes.js";
