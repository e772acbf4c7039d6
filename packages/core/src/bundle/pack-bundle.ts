import * as tf from "@tensorflow/tfjs";
import {
  BUNDLE_FILES,
  BUNDLE_FORMAT_VERSION,
  BundleError,
  bundleManifestSchema,
  type BundleFiles,
  type BundleManifest,
} from "./manifest.js";
import { canonicalJson, utf8Encode } from "../primitives/bytes.js";
import { sha256Hex } from "../primitives/sha256.js";
import { describeIssues } from "../model/config.js";

/** sha256 over canonical bundle.json without contentHash, sha256(model.json) and sha256(weights.bin). */
export async function computeContentHash(
  manifest: Omit<BundleManifest, "contentHash">,
  modelJson: Uint8Array,
  weightsSha256: string,
): Promise<string> {
  const { contentHash: _ignored, ...rest } = manifest as BundleManifest;
  const text = `${canonicalJson(rest)}\n${await sha256Hex(modelJson)}\n${weightsSha256}`;
  return sha256Hex(utf8Encode(text));
}

/** The model's topology and weights as standard tfjs artifacts (model.json + one weights file). */
async function saveModel(model: tf.LayersModel): Promise<{ modelJson: Uint8Array; weights: Uint8Array }> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  const { modelTopology, weightSpecs, weightData } = artifacts as unknown as tf.io.ModelArtifacts;
  if (!modelTopology || !weightSpecs || !weightData)
    throw new Error("tfjs returned no topology or weights when saving the model");
  const weights = new Uint8Array(new tf.io.CompositeArrayBuffer(weightData).slice());
  const modelJson = {
    format: "layers-model",
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology,
    weightsManifest: [{ paths: [BUNDLE_FILES.weights], weights: weightSpecs }],
  };
  return { modelJson: utf8Encode(JSON.stringify(modelJson)), weights };
}

/**
 * Serialises a trained model with its manifest into bundle files (bytes; the app writes them).
 * Fills formatVersion, parameters, weightsSha256 and contentHash; refuses (BundleError) a
 * manifest that does not fit the model, so a broken bundle is never published.
 */
export async function packBundle(args: {
  model: tf.LayersModel;
  manifest: Omit<BundleManifest, "contentHash" | "weightsSha256" | "parameters" | "formatVersion">;
}): Promise<BundleFiles> {
  const { model, manifest } = args;
  const reasons: string[] = [];
  const outputUnits = model.outputs[0]?.shape.at(-1);
  if (manifest.vocabulary.tokens.length !== manifest.model.vocabSize) {
    reasons.push(
      `vocabulary has ${manifest.vocabulary.tokens.length} tokens but the model config says vocabSize ${manifest.model.vocabSize}`,
    );
  }
  if (outputUnits !== manifest.vocabulary.tokens.length)
    reasons.push(
      `vocabulary has ${manifest.vocabulary.tokens.length} tokens but the model outputs ${String(outputUnits)}`,
    );
  if (manifest.vocabulary.tokenizer !== manifest.tokenizer.kind)
    reasons.push(
      `vocabulary is for tokenizer ${manifest.vocabulary.tokenizer} but the manifest says ${manifest.tokenizer.kind}`,
    );
  if (reasons.length > 0) throw new BundleError(reasons);

  const { modelJson, weights } = await saveModel(model);
  const weightsSha256 = await sha256Hex(weights);
  const withoutHash = {
    formatVersion: BUNDLE_FORMAT_VERSION,
    ...manifest,
    parameters: model.countParams(),
    weightsSha256,
  };
  const full: BundleManifest = {
    ...withoutHash,
    contentHash: await computeContentHash(withoutHash, modelJson, weightsSha256),
  };
  const parsed = bundleManifestSchema.safeParse(full);
  if (!parsed.success)
    throw new BundleError([`bundle.json would be invalid: ${describeIssues(parsed.error)}`]);
  return {
    [BUNDLE_FILES.model]: modelJson,
    [BUNDLE_FILES.weights]: weights,
    [BUNDLE_FILES.manifest]: utf8Encode(`${JSON.stringify(full, null, 2)}\n`),
  };
}
