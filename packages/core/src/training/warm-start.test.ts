import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel } from "../model/create-model.js";
import { splitSongs } from "./data.js";
import { trainModel } from "./train.js";
import { warmStart, warmStartIssue } from "./warm-start.js";
import { learnableSongs, tinyConfigs, TINY_VOCAB } from "./test-support/tiny.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const tokensOf = (ids: readonly number[]) => ids.map((id) => `t${id}`);

function logits(model: tf.LayersModel, ids: readonly number[]): number[][] {
  return tf.tidy(() => {
    const out = model.predict(tf.tensor2d([ids.map(Number)], [1, ids.length])) as tf.Tensor3D;
    return (out.arraySync() as number[][][])[0] as number[][];
  });
}

describe("warmStart", () => {
  it("carries a trained model over to a reordered, larger vocabulary: the same logits for every shared token", async () => {
    const { model: config, training } = tinyConfigs({ epochs: 6, learningRate: 2e-2 });
    const { train, validation } = splitSongs(learnableSongs(8, 120), training);
    const trained = createModel(config, training.seed);
    await trainModel({ model: trained, modelConfig: config, training, train, validation });
    const trainedTokens = tokensOf(Array.from({ length: TINY_VOCAB }, (_, i) => i));

    // The new corpus's vocabulary: three tokens the trained model never saw, sorted in among the old ones.
    const newTokens = [...trainedTokens, "t20", "t21", "t22"].sort().reverse();
    const fresh = createModel({ ...config, vocabSize: newTokens.length }, 99);
    const report = warmStart({ model: fresh, tokens: newTokens }, { model: trained, tokens: trainedTokens });
    expect(report).toEqual({ carried: TINY_VOCAB, fresh: ["t22", "t21", "t20"] });

    const song = [...(validation[0]?.ids ?? [])].slice(0, 24);
    const before = logits(trained, song);
    const after = logits(
      fresh,
      song.map((id) => newTokens.indexOf(`t${id}`)),
    );
    for (let t = 0; t < song.length; t++)
      for (let id = 0; id < TINY_VOCAB; id++)
        expect(after[t]?.[newTokens.indexOf(`t${id}`)]).toBeCloseTo(before[t]?.[id] as number, 5);

    // An unseen token starts as unlikely as the trained model's rarest one.
    const bias = (model: tf.LayersModel) =>
      model.getLayer("output").getWeights()[1]?.dataSync() as Float32Array;
    const lowest = Math.min(...bias(trained));
    for (const token of report.fresh) expect(bias(fresh)[newTokens.indexOf(token)]).toBe(lowest);
    trained.dispose();
    fresh.dispose();
  });

  it("refuses a model of another shape and names the weight", () => {
    const { model: config } = tinyConfigs();
    const a = createModel(config, 1);
    const b = createModel({ ...config, units: [16, 24] }, 1);
    const tokens = tokensOf(Array.from({ length: TINY_VOCAB }, (_, i) => i));
    const issue = warmStartIssue({ model: a, tokens }, { model: b, tokens });
    expect(issue).toMatch(/^weight \d+ differs: lstm_2\//);
    expect(() => warmStart({ model: a, tokens }, { model: b, tokens })).toThrow(/cannot warm-start: weight/);
    a.dispose();
    b.dispose();
  });
});
