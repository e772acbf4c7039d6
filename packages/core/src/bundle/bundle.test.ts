import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel } from "../model/create-model.js";
import { presetConfigs } from "../model/config.js";
import { Vocabulary, getTokenizer } from "../tokenizer/index.js";
import {
  BUNDLE_FORMAT_VERSION,
  BundleError,
  readManifest,
  type BundleFiles,
  type BundleManifest,
} from "./manifest.js";
import { computeContentHash, packBundle } from "./pack-bundle.js";
import { loadBundle } from "./load-bundle.js";
import { sha256Hex } from "../primitives/sha256.js";
import { utf8Decode, utf8Encode } from "../primitives/bytes.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const tokens = ["C4", "D4", "E4", "F4", "G4", "A4", "B4", "C5", "0.4.7", "2.5.9", "7.11.2", "4.7.11"];
const vocabulary = Vocabulary.build([tokens], { tokenizer: "notes-chords" });

async function makeBundle(cell: "stock" | "fast" = "fast") {
  const { model: config, training } = presetConfigs("default", vocabulary.size, {
    units: [8, 8],
    seqLen: 8,
    embeddingDim: 4,
    cell,
  });
  const model = createModel(config, 3);
  const tokenizer = getTokenizer("notes-chords");
  const manifest: Parameters<typeof packBundle>[0]["manifest"] = {
    name: "tiny",
    version: "1",
    createdAt: "2026-11-25T00:00:00.000Z",
    tokenizer: { kind: "notes-chords", version: tokenizer.version },
    vocabulary: vocabulary.toJSON(),
    model: config,
    training,
    dataset: {
      files: [{ name: "a.mid", sha256: "0".repeat(64), tokens: 120, split: "train" }],
      skipped: [{ name: "bad.mid", reason: "not a MIDI file" }],
    },
    metrics: [
      {
        epoch: 1,
        loss: 2,
        accuracy: 0.1,
        valLoss: 2.1,
        valAccuracy: 0.1,
        perplexity: Math.exp(2.1),
        tokensPerSecond: 1000,
        elapsedSeconds: 1,
        learningRate: 1e-3,
      },
    ],
    backend: "cpu",
  };
  const files = await packBundle({ model, manifest });
  return { model, config, files, manifest };
}

/** Edits bundle.json and (optionally) re-seals the content hash, as a careless retrain would. */
async function editManifest(
  files: BundleFiles,
  edit: (m: BundleManifest) => void,
  reseal = false,
): Promise<BundleFiles> {
  const manifest = JSON.parse(utf8Decode(files["bundle.json"] as Uint8Array)) as BundleManifest;
  edit(manifest);
  if (reseal)
    manifest.contentHash = await computeContentHash(
      manifest,
      files["model.json"] as Uint8Array,
      manifest.weightsSha256,
    );
  return { ...files, "bundle.json": utf8Encode(JSON.stringify(manifest)) };
}

async function refusal(files: BundleFiles): Promise<BundleError> {
  try {
    const loaded = await loadBundle(files);
    loaded.model.dispose();
  } catch (error) {
    expect(error).toBeInstanceOf(BundleError);
    return error as BundleError;
  }
  throw new Error("the bundle was accepted");
}

describe("packBundle → loadBundle", () => {
  for (const cell of ["stock", "fast"] as const) {
    it(`round-trips to identical predictions (${cell} cell) with a complete manifest`, async () => {
      const { model, config, files } = await makeBundle(cell);
      expect(Object.keys(files).sort()).toEqual(["bundle.json", "model.json", "weights.bin"]);
      const modelJson = JSON.parse(utf8Decode(files["model.json"] as Uint8Array));
      expect(modelJson.format).toBe("layers-model");
      expect(modelJson.weightsManifest[0].paths).toEqual(["weights.bin"]);
      const loaded = await loadBundle(files);
      expect(loaded.manifest.formatVersion).toBe(BUNDLE_FORMAT_VERSION);
      expect(loaded.manifest.parameters).toBe(model.countParams());
      expect(loaded.manifest.weightsSha256).toBe(await sha256Hex(files["weights.bin"] as Uint8Array));
      expect(loaded.vocabulary.tokens).toEqual(vocabulary.tokens);
      expect(loaded.tokenizer.kind).toBe("notes-chords");
      expect(loaded.manifest.model).toEqual(config);
      const input = tf.tensor2d([[1, 5, 3, 0, 11, 2]]);
      const a = model.predict(input) as tf.Tensor;
      const b = loaded.model.predict(input) as tf.Tensor;
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([input, a, b]);
      expect(readManifest(files)).toEqual(loaded.manifest);
      loaded.model.dispose();
      model.dispose();
    });
  }

  it("is deterministic: the same model and manifest give the same bytes", async () => {
    const first = await makeBundle();
    const second = await makeBundle();
    for (const name of Object.keys(first.files)) expect(first.files[name]).toEqual(second.files[name]);
    first.model.dispose();
    second.model.dispose();
  });

  it("refuses tampered weights, naming both hashes", async () => {
    const { model, files } = await makeBundle();
    const weights = Uint8Array.from(files["weights.bin"] as Uint8Array);
    weights[10] = (weights[10] as number) ^ 0xff;
    const error = await refusal({ ...files, "weights.bin": weights });
    expect(error.reasons).toHaveLength(1);
    expect(error.message).toMatch(
      /weights\.bin sha256 [0-9a-f]{12}… does not match bundle\.json \([0-9a-f]{12}…\)/,
    );
    model.dispose();
  });

  it("refuses a vocabulary whose size differs from the model's outputs", async () => {
    const { model, files } = await makeBundle();
    const edited = await editManifest(
      files,
      (m) => {
        m.vocabulary.tokens.push("D5", "E5");
        m.model.vocabSize += 2;
      },
      true,
    );
    const error = await refusal(edited);
    expect(error.reasons).toContain(
      `vocabulary has ${vocabulary.size + 2} tokens but the model outputs ${vocabulary.size}`,
    );
    const unsealed = await refusal(await editManifest(files, (m) => m.vocabulary.tokens.push("D5")));
    expect(unsealed.reasons).toContain(
      `vocabulary has ${vocabulary.size + 1} tokens but the model config says vocabSize ${vocabulary.size}`,
    );
    expect(unsealed.message).toMatch(/content hash [0-9a-f]{12}… does not match bundle\.json/);
    model.dispose();
  });

  it("refuses an unknown tokenizer, another tokenizer version and a bad format version", async () => {
    const { model, files } = await makeBundle();
    const unknown = await refusal(
      await editManifest(files, (m) => ((m.tokenizer as { kind: string }).kind = "midi-like")),
    );
    expect(unknown.message).toContain(
      `tokenizer "midi-like" is unknown to this Motif (known: notes-chords, timed)`,
    );
    const version = await refusal(await editManifest(files, (m) => (m.tokenizer.version = 99)));
    expect(version.message).toMatch(
      /tokenizer notes-chords version 99 does not match this Motif's notes-chords version \d+/,
    );
    const format = await refusal(await editManifest(files, (m) => (m.formatVersion = 7)));
    expect(format.message).toContain(
      `bundle format version 7 is not supported (this Motif reads version ${BUNDLE_FORMAT_VERSION})`,
    );
    expect(() => readManifest(files)).not.toThrow();
    expect(() => readManifest({ ...files, "bundle.json": utf8Encode("{") })).toThrow(
      /bundle\.json is not valid JSON/,
    );
    model.dispose();
  });

  it("loads a bundle whose model config says the old preset name seed, as written and under its own hash", async () => {
    // As the trainer wrote notebook bundles before the rename: preset "seed", a model named motif_seed.
    const notebook = presetConfigs("notebook", vocabulary.size, { units: [8, 8], seqLen: 6, denseUnits: 8 });
    const config = { ...notebook.model, preset: "seed" as const };
    const model = createModel(config, 2);
    const { model: other, manifest } = await makeBundle();
    other.dispose();
    const packed = await packBundle({
      model,
      manifest: { ...manifest, model: config, training: notebook.training },
    });
    expect(utf8Decode(packed["bundle.json"] as Uint8Array)).toMatch(/"preset": ?"seed"/);
    const loaded = await loadBundle(packed);
    expect(loaded.manifest.model.preset).toBe("seed");
    expect(loaded.model.name).toBe("motif_seed");
    expect(loaded.model.outputs[0]?.shape).toEqual([null, vocabulary.size]);
    const window = tf.tensor3d([Array.from({ length: 6 }, (_, i) => [i / vocabulary.size])]);
    expect(Array.from((loaded.model.predict(window) as tf.Tensor).dataSync())).toEqual(
      Array.from((model.predict(window) as tf.Tensor).dataSync()),
    );
    tf.dispose(window);
    loaded.model.dispose();
    model.dispose();
  });

  it("refuses missing files, an edited model.json and a wrong parameter count", async () => {
    const { model, files } = await makeBundle();
    const { "weights.bin": _weights, ...noWeights } = files;
    expect((await refusal(noWeights)).reasons).toContain("weights.bin is missing");
    const modelJson = utf8Decode(files["model.json"] as Uint8Array).replace(
      '"name":"motif_default"',
      '"name":"renamed"',
    );
    expect((await refusal({ ...files, "model.json": utf8Encode(modelJson) })).message).toMatch(
      /content hash .* does not match/,
    );
    const params = await refusal(await editManifest(files, (m) => (m.parameters += 1), true));
    expect(params.reasons).toEqual([
      `the model has ${model.countParams()} parameters but bundle.json says ${model.countParams() + 1}`,
    ]);
    model.dispose();
  });

  it("packBundle refuses a manifest that does not fit the model", async () => {
    const { model, manifest } = await makeBundle();
    const wrong = {
      ...manifest,
      vocabulary: { ...manifest.vocabulary, tokens: manifest.vocabulary.tokens.slice(1) },
    };
    await expect(packBundle({ model, manifest: wrong })).rejects.toThrow(
      /vocabulary has 11 tokens but the model outputs 12/,
    );
    model.dispose();
  });

  it("leaves no tensor behind after loading and disposing", async () => {
    const { model, files } = await makeBundle();
    const before = tf.memory().numTensors;
    const loaded = await loadBundle(files);
    loaded.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
