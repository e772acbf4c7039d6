// The data path end to end on real tokens: a tiny model must memorise a short tonal melody, and the
// in-key mass it reports must say so. A defect in targets, windows or note order fails here.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import type { QuarterNote } from "@motif/midi";
import { timedTokenizer } from "../tokenizer/timed.js";
import { Vocabulary } from "../tokenizer/vocabulary.js";
import { inKeyWeights, pitchClassMasks, scaleMask, TonalityMeter } from "../evaluation/tonality.js";
import { createStepModel } from "../inference/step-model.js";
import { createModel } from "../model/create-model.js";
import { trainModel } from "./train.js";
import { tinyConfigs } from "./test-support/tiny.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

// The first phrase of "Ode to Joy" in G major, one voice, in quarters.
const ODE = [71, 71, 72, 74, 74, 72, 71, 69, 67, 67, 69, 71, 71, 69, 69];
const melody: QuarterNote[] = ODE.map((pitch, i) => ({
  pitch,
  velocity: 80,
  startQuarter: i,
  endQuarter: i + 1,
}));
// Every semitone of the octave is in the vocabulary, so the model must learn to leave the five outside G major.
const chromatic: QuarterNote[] = Array.from({ length: 12 }, (_, i) => ({
  pitch: 60 + i,
  velocity: 80,
  startQuarter: i,
  endQuarter: i + 1,
}));

describe("memorising a tonal melody", () => {
  it("learns it note for note, with in-key mass near 1 (G major), in training and stateful", async () => {
    const tokens = timedTokenizer.encode(melody);
    const vocabulary = Vocabulary.build([tokens, timedTokenizer.encode(chromatic)]);
    const song = {
      name: "ode",
      ids: vocabulary.encode(tokens).ids,
      scaleMask: scaleMask({ tonic: 7, mode: "major" }),
    };
    const masks = pitchClassMasks(vocabulary.tokens, timedTokenizer);
    const { model: config, training } = tinyConfigs({
      units: [32],
      seqLen: 24,
      stride: 3,
      batchSize: 16,
      epochs: 150,
      learningRate: 2e-2,
      lrSchedule: "constant",
      dropout: 0,
      vocabSize: vocabulary.size,
    });
    const model = createModel(config, training.seed);
    const result = await trainModel({
      model,
      modelConfig: config,
      training,
      train: [song],
      validation: [song],
      pitchMasks: masks,
    });
    const last = result.history.at(-1)!;
    expect(last.valInKeyMass).toBeGreaterThan(0.95);
    expect(last.valNoteAccuracy).toBeGreaterThan(0.85);

    // The same with the state carried over the whole melody, as generation runs.
    const step = createStepModel(model, config);
    const meter = new TonalityMeter(masks);
    const weights = inKeyWeights(masks, song.scaleMask);
    step.reset();
    for (let i = 0; i + 1 < song.ids.length; i++)
      meter.add(step.step(song.ids[i]!), song.ids[i + 1]!, weights);
    step.dispose();
    const stateful = meter.summary();
    expect(stateful.notes).toBe(ODE.length - 1);
    expect(stateful.inKeyMass).toBeGreaterThan(0.95);
    expect(stateful.noteAccuracy).toBeGreaterThan(0.85);
    model.dispose();
  }, 60_000);
});
