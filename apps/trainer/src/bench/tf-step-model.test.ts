import * as tf from "@tensorflow/tfjs";
import { createModel, presetConfigs } from "@motif/core";
import { describe, expect, it } from "vitest";
import { createTfStepModel } from "./tf-step-model.js";

describe("createTfStepModel", () => {
  it.each(["fast", "stock"] as const)(
    "gives model.predict's logits step by step (%s cell), and reset restarts",
    async (cell) => {
      await tf.setBackend("cpu");
      const config = presetConfigs("default", 20, {
        units: [6, 5],
        embeddingDim: 4,
        seqLen: 8,
        dropout: 0,
        cell,
      }).model;
      const model = createModel(config, 3);
      const ids = [0, 19, 4, 4, 7, 1];
      const expected = tf.tidy(
        () => (model.predict(tf.tensor2d([ids])) as tf.Tensor).arraySync() as number[][][],
      );
      const step = createTfStepModel(model, config);
      for (let round = 0; round < 2; round++) {
        ids.forEach((id, t) => {
          const logits = step.step(id);
          expect(logits).toHaveLength(20);
          logits.forEach((v, j) => expect(Math.abs(v - expected[0]![t]![j]!)).toBeLessThan(1e-5));
        });
        step.reset();
      }
      expect(() => step.step(20)).toThrow(/outside the vocabulary/);
      const before = tf.memory().numTensors;
      step.step(1);
      expect(tf.memory().numTensors).toBe(before);
      step.dispose();
      model.dispose();
    },
  );
});
