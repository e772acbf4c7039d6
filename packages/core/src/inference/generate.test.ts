import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel } from "../model/create-model.js";
import { presetConfigs } from "../model/config.js";
import { Vocabulary, getTokenizer } from "../tokenizer/index.js";
import { createStepModel, type StepModel } from "./step-model.js";
import { generateTokens, type GenerateOptions } from "./generate.js";
import { guardedToken, GUARD_MAX_REPEATS } from "../sampling/repetition-guard.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const timed = getTokenizer("timed");
const vocabulary = Vocabulary.build(
  [["W3", "W6", "W48", "N60", "N62", "N64", "N67", "D3", "D6", "V4", "V6"]],
  { tokenizer: "timed" },
);
const options = (o: Partial<GenerateOptions> = {}): GenerateOptions => ({
  length: 60,
  seed: 3,
  primer: [],
  temperature: 1,
  topK: null,
  topP: null,
  repetitionGuard: true,
  ...o,
});

function tinyStep(): { step: StepModel; dispose(): void } {
  const { model: config } = presetConfigs("default", vocabulary.size, {
    units: [8],
    seqLen: 8,
    embeddingDim: 4,
  });
  const model = createModel(config, 2);
  const step = createStepModel(model, config);
  return { step, dispose: () => (step.dispose(), model.dispose()) };
}

/** A fake model that always strongly prefers one token. */
function stubbornStep(favourite: number): StepModel {
  return {
    kind: "stateful",
    step: () => Float32Array.from({ length: vocabulary.size }, (_, id) => (id === favourite ? 10 : 0)),
    reset() {},
    dispose() {},
  };
}

describe("generateTokens", () => {
  it("is reproducible, streams every token and never breaks the grammar", () => {
    const { step, dispose } = tinyStep();
    const streamed: string[] = [];
    const a = generateTokens({
      step,
      vocabulary,
      tokenizer: timed,
      options: options({ primer: ["W3", "N60", "D3"] }),
      onToken: (t, i) => streamed.push(`${i}:${t}`),
    });
    const b = generateTokens({
      step,
      vocabulary,
      tokenizer: timed,
      options: options({ primer: ["W3", "N60", "D3"] }),
    });
    const c = generateTokens({
      step,
      vocabulary,
      tokenizer: timed,
      options: options({ primer: ["W3", "N60", "D3"], seed: 4 }),
    });
    expect(a).toHaveLength(60);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(streamed).toEqual(a.map((t, i) => `${i}:${t}`));
    const grammar = timed.createGrammar();
    for (const token of ["W3", "N60", "D3", ...a]) {
      expect(grammar.allows(token)).toBe(true);
      grammar.push(token);
    }
    dispose();
  });

  it("leaves no tensor behind", () => {
    const { step, dispose } = tinyStep();
    const before = tf.memory().numTensors;
    generateTokens({ step, vocabulary, tokenizer: timed, options: options({ length: 30 }) });
    expect(tf.memory().numTensors).toBe(before);
    dispose();
  });

  it("the repetition guard stops a collapse into one repeated token; without it the model collapses", () => {
    const favourite = vocabulary.id("W48") as number; // W48 may follow W48 in the timed grammar
    const collapsed = generateTokens({
      step: stubbornStep(favourite),
      vocabulary,
      tokenizer: timed,
      options: options({ repetitionGuard: false, length: 40 }),
    });
    expect(new Set(collapsed.slice(-30))).toEqual(new Set(["W48"]));
    const guarded = generateTokens({
      step: stubbornStep(favourite),
      vocabulary,
      tokenizer: timed,
      options: options({ length: 40 }),
    });
    let run = 0;
    let longest = 0;
    for (const token of guarded) longest = Math.max(longest, (run = token === "W48" ? run + 1 : 0));
    expect(longest).toBeLessThanOrEqual(GUARD_MAX_REPEATS);
    expect(guarded.filter((t) => t === "W48").length).toBeGreaterThan(20);
  });

  it("refuses a primer token missing from the vocabulary", () => {
    const { step, dispose } = tinyStep();
    expect(() =>
      generateTokens({ step, vocabulary, tokenizer: timed, options: options({ primer: ["W3", "N99"] }) }),
    ).toThrow(/primer token "N99" is not in the model's vocabulary/);
    expect(() =>
      generateTokens({ step, vocabulary, tokenizer: timed, options: options({ primer: ["N60", "W3"] }) }),
    ).toThrow(/primer token 1 "W3" is not grammatical/);
    dispose();
  });
});

describe("guardedToken", () => {
  it("finds loops of period 1 to 4 repeated 8 times and nothing else", () => {
    expect(guardedToken(Array(8).fill(5))).toBe(5);
    expect(guardedToken(Array(7).fill(5))).toBeNull();
    expect(guardedToken(Array.from({ length: 16 }, (_, i) => (i % 2 ? 1 : 2)))).toBe(2);
    expect(guardedToken([9, ...Array.from({ length: 32 }, (_, i) => [4, 5, 6, 7][i % 4] as number)])).toBe(4);
    expect(guardedToken(Array.from({ length: 40 }, (_, i) => i % 5))).toBeNull();
  });
});
