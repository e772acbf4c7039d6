import * as tf from "@tensorflow/tfjs";
import {
  BUNDLE_FILES,
  BundleError,
  parseManifest,
  type BundleFiles,
  type BundleManifest,
} from "./manifest.js";
import { computeContentHash } from "./pack-bundle.js";
import { checkEvaluation, type BundleEvaluation } from "./evaluation.js";
import { utf8Decode } from "../primitives/bytes.js";
import { sha256Hex } from "../primitives/sha256.js";
import { Vocabulary, getTokenizer, type Tokenizer } from "../tokenizer/index.js";
import { registerMotifLayers } from "../model/fast-lstm/index.js";

const short = (hash: string): string => `${hash.slice(0, 12)}…`;

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

function parseModelJson(bytes: Uint8Array, reasons: string[]): ModelJson | null {
  try {
    const json = JSON.parse(utf8Decode(bytes)) as Partial<ModelJson>;
    const groups = json.weightsManifest;
    if (!json.modelTopology || !Array.isArray(groups)) {
      reasons.push(`${BUNDLE_FILES.model} has no modelTopology or weightsManifest`);
      return null;
    }
    const paths = groups.flatMap((group) => group.paths);
    if (paths.length !== 1 || paths[0] !== BUNDLE_FILES.weights) {
      reasons.push(
        `${BUNDLE_FILES.model} must point at one weights file "${BUNDLE_FILES.weights}", it lists ${JSON.stringify(paths)}`,
      );
      return null;
    }
    return json as ModelJson;
  } catch (error) {
    reasons.push(`${BUNDLE_FILES.model} is not valid JSON (${(error as Error).message})`);
    return null;
  }
}

/**
 * Loads a bundle after checking everything: format version, tokenizer kind/version, vocabulary
 * (valid, same tokenizer, size == vocabSize == the model's output units), model config, the
 * weights' sha256, the content hash, the parameter count, and evaluation.json when present
 * (made for this bundle, its reference notes intact). Any mismatch → BundleError whose
 * message lists exactly what differs. Registers Motif's custom layers before building the model.
 */
export async function loadBundle(files: BundleFiles): Promise<{
  model: tf.LayersModel;
  manifest: BundleManifest;
  vocabulary: Vocabulary;
  tokenizer: Tokenizer;
  evaluation: BundleEvaluation | null;
}> {
  const { manifest, reasons } = parseManifest(files);
  if (!manifest) throw new BundleError(reasons);
  const modelBytes = files[BUNDLE_FILES.model];
  const weights = files[BUNDLE_FILES.weights];
  if (!modelBytes) reasons.push(`${BUNDLE_FILES.model} is missing`);
  if (!weights) reasons.push(`${BUNDLE_FILES.weights} is missing`);

  let vocabulary: Vocabulary | null = null;
  try {
    vocabulary = Vocabulary.fromJSON(manifest.vocabulary);
  } catch (error) {
    reasons.push(`the vocabulary is invalid: ${(error as Error).message}`);
  }
  if (vocabulary) {
    if (vocabulary.tokenizer !== manifest.tokenizer.kind)
      reasons.push(
        `the vocabulary is for tokenizer ${vocabulary.tokenizer} but the bundle says ${manifest.tokenizer.kind}`,
      );
    if (vocabulary.tokenizerVersion !== manifest.tokenizer.version) {
      reasons.push(
        `the vocabulary was built with tokenizer version ${vocabulary.tokenizerVersion} but the bundle says ${manifest.tokenizer.version}`,
      );
    }
    if (vocabulary.size !== manifest.model.vocabSize)
      reasons.push(
        `vocabulary has ${vocabulary.size} tokens but the model config says vocabSize ${manifest.model.vocabSize}`,
      );
  }

  let weightsOk = false;
  if (weights) {
    const actual = await sha256Hex(weights);
    weightsOk = actual === manifest.weightsSha256;
    if (!weightsOk)
      reasons.push(
        `${BUNDLE_FILES.weights} sha256 ${short(actual)} does not match bundle.json (${short(manifest.weightsSha256)}): the weights were changed or belong to another model`,
      );
  }
  const modelJson = modelBytes ? parseModelJson(modelBytes, reasons) : null;
  if (modelBytes) {
    // Over the declared weights hash: a weights change is reported once, by the check above.
    const contentHash = await computeContentHash(manifest, modelBytes, manifest.weightsSha256);
    if (contentHash !== manifest.contentHash) {
      reasons.push(
        `content hash ${short(contentHash)} does not match bundle.json (${short(manifest.contentHash)}): bundle.json or model.json was edited after publishing`,
      );
    }
  }

  const { evaluation, reasons: evaluationReasons } = await checkEvaluation(files, manifest);
  reasons.push(...evaluationReasons);

  let model: tf.LayersModel | null = null;
  if (modelJson && weights && weightsOk) {
    registerMotifLayers();
    try {
      const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
      const weightData = weights.buffer.slice(
        weights.byteOffset,
        weights.byteOffset + weights.byteLength,
      ) as ArrayBuffer;
      model = await tf.loadLayersModel(
        tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }),
      );
    } catch (error) {
      reasons.push(`${BUNDLE_FILES.model} could not be built into a model: ${(error as Error).message}`);
    }
  }
  if (model) {
    const outputUnits = model.outputs[0]?.shape.at(-1);
    if (vocabulary && outputUnits !== vocabulary.size)
      reasons.push(`vocabulary has ${vocabulary.size} tokens but the model outputs ${String(outputUnits)}`);
    const parameters = model.countParams();
    if (parameters !== manifest.parameters)
      reasons.push(`the model has ${parameters} parameters but bundle.json says ${manifest.parameters}`);
  }
  if (reasons.length > 0 || !model || !vocabulary) {
    model?.dispose();
    throw new BundleError(reasons.length > 0 ? reasons : ["the model could not be loaded"]);
  }
  return { model, manifest, vocabulary, tokenizer: getTokenizer(manifest.tokenizer.kind), evaluation };
}
