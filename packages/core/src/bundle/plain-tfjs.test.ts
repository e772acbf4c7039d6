// What a plain tfjs app (without @motif/core) must do to load a bundle's model.json + weights.bin:
// register two aliases of the stock classes, since MotifLSTM and MotifEmbedding save exactly the
// stock LSTM / Embedding configs and weights. This file runs in its own worker, so re-registering
// the class names here does not affect other tests.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel } from "../model/create-model.js";
import { presetConfigs } from "../model/config.js";
import { Vocabulary } from "../tokenizer/index.js";
import { packTestBundle } from "./test-support/pack-test-bundle.js";
import { utf8Decode } from "../primitives/bytes.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("a bundle in a plain tfjs app", () => {
  it("loads with tf.loadLayersModel after registering the two aliases, with the same predictions", async () => {
    const vocabulary = Vocabulary.build([["C4", "D4", "E4", "G4", "0.4.7", "2.7"]], {
      tokenizer: "notes-chords",
    });
    const { model: config, training } = presetConfigs("default", vocabulary.size, {
      units: [8, 8],
      seqLen: 8,
      embeddingDim: 4,
      cell: "fast",
    });
    const model = createModel(config, 1);
    const files = await packTestBundle({ model, config, training, vocabulary });

    // ---- the plain app: exactly what the README tells it to do ----
    const LSTM = tf.layers.lstm({ units: 1 }).constructor as typeof tf.RNN;
    const Embedding = tf.layers.embedding({ inputDim: 1, outputDim: 1 })
      .constructor as unknown as typeof tf.layers.Layer;
    class MotifLSTM extends LSTM {
      static override className = "MotifLSTM";
    }
    class MotifEmbedding extends Embedding {
      static className = "MotifEmbedding";
    }
    tf.serialization.registerClass(MotifLSTM);
    tf.serialization.registerClass(MotifEmbedding);
    const json = JSON.parse(utf8Decode(files["model.json"] as Uint8Array));
    const weights = files["weights.bin"] as Uint8Array;
    const plain = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: weights.slice().buffer,
      }),
    );
    // ----

    // The aliases (stock code), not Motif's classes, were used.
    expect(plain.getLayer("lstm_1")).toBeInstanceOf(MotifLSTM);
    expect(plain.getLayer("lstm_1")).toBeInstanceOf(LSTM);
    expect(plain.getLayer("embedding")).toBeInstanceOf(MotifEmbedding);
    const input = tf.tensor2d([[0, 3, 5, 1, 2, 4]]);
    const expected = model.predict(input) as tf.Tensor;
    const actual = plain.predict(input) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([input, expected, actual]);
    plain.dispose();
    model.dispose();
  });
});
