// The WebAssembly SIMD step must give exactly the plain-JS step's logits (bit for bit), so the same
// recipe gives the same tokens whichever step runs.
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createModel } from "../../model/create-model.js";
import { presetConfigs, type ModelConfig } from "../../model/config.js";
import { Vocabulary, getTokenizer } from "../../tokenizer/index.js";
import { createRng } from "../../primitives/rng.js";
import { generateTokens } from "../generate.js";
import { createJsStepModel, createStatefulStepModel, type StepModel } from "../step-model.js";
import { createWasmStepModel, isWasmStepSupported } from "./wasm-step-model.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** A model with random (not initial) weights everywhere, biases included. */
function randomModel(config: ModelConfig, seed: number): tf.LayersModel {
  const model = createModel(config, seed);
  model.setWeights(
    model.getWeights().map((w, i) => tf.randomUniform(w.shape, -0.4, 0.4, "float32", seed * 100 + i)),
  );
  return model;
}

function randomIds(n: number, vocab: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Math.floor(rng.next() * vocab));
}

/** Steps both models through `ids`; counts logits whose bits differ and the largest |Δ|. */
function compareSteps(
  a: StepModel,
  b: StepModel,
  ids: number[],
): { differing: number; maxDiff: number; distinct: number } {
  let differing = 0;
  let maxDiff = 0;
  const seen = new Set<number>();
  for (const id of ids) {
    const left = a.step(id);
    const right = b.step(id);
    expect(left.length).toBe(right.length);
    left.forEach((v, j) => {
      if (!Object.is(v, right[j])) differing++;
      maxDiff = Math.max(maxDiff, Math.abs(v - (right[j] as number)));
    });
    seen.add(left[0] as number);
  }
  return { differing, maxDiff, distinct: seen.size };
}

describe("createWasmStepModel", () => {
  it("runs here (Node 20 has WebAssembly SIMD), and createStatefulStepModel picks it", () => {
    expect(isWasmStepSupported()).toBe(true);
    const { model: config } = presetConfigs("default", 20, { units: [8], seqLen: 8, embeddingDim: 4 });
    const model = createModel(config, 1);
    expect(createStatefulStepModel(model, config).implementation).toBe("wasm-simd");
    expect(createJsStepModel(model, config).implementation).toBe("js");
    model.dispose();
  });

  const shapes: [string, Parameters<typeof presetConfigs>[2], number][] = [
    // Column counts that are not multiples of the 16-column block exercise the zero padding.
    [
      "embedding 24, LSTM 44 → 30, dense 40 → V 53",
      { units: [44, 30], embeddingDim: 24, denseUnits: 40 },
      53,
    ],
    [
      "embedding 64, 2×LSTM 256, V 300 (the default preset's shape)",
      { units: [256, 256], embeddingDim: 64 },
      300,
    ],
  ];
  for (const [name, overrides, vocab] of shapes) {
    it(`logits are bit-identical to the JS step for 300 steps, across a reset (${name})`, () => {
      const { model: config } = presetConfigs("default", vocab, { seqLen: 8, ...overrides });
      const model = randomModel(config, 3);
      const wasm = createWasmStepModel(model, config);
      const js = createJsStepModel(model, config);
      const ids = randomIds(300, vocab, 11);
      const first = compareSteps(wasm, js, ids);
      expect(first.differing).toBe(0);
      expect(first.distinct).toBeGreaterThan(250); // the state moves: not a constant output
      wasm.reset();
      js.reset();
      expect(compareSteps(wasm, js, ids.slice(0, 20)).differing).toBe(0);
      wasm.dispose();
      js.dispose();
      model.dispose();
    });
  }

  it("matches with the scalar id/V input and a relu hidden dense layer", () => {
    const { model: config } = presetConfigs("parent", 30, {
      units: [60, 36],
      seqLen: 8,
      denseUnits: 52,
      target: "every-step",
      dropout: 0,
      denseDropout: 0,
    });
    expect(config.input).toBe("scalar");
    const model = randomModel(config, 5);
    const relu = model.layers.find(
      (l) => l.getClassName() === "Dense" && l.getConfig().activation === "relu",
    );
    expect(relu).toBeDefined();
    const result = compareSteps(
      createWasmStepModel(model, config),
      createJsStepModel(model, config),
      randomIds(200, 30, 2),
    );
    expect(result.differing).toBe(0);
    model.dispose();
  });

  it("equality with the JS step is exact, not a tolerance: tfjs's float32 predict differs from both", () => {
    const { model: config } = presetConfigs("default", 300, {
      units: [256, 256],
      embeddingDim: 64,
      seqLen: 16,
    });
    const model = randomModel(config, 4);
    const ids = randomIds(16, 300, 6);
    const predicted = tf.tidy(() => model.predict(tf.tensor2d([ids], [1, ids.length])) as tf.Tensor);
    const all = predicted.dataSync() as Float32Array;
    const wasm = createWasmStepModel(model, config);
    let maxDiff = 0;
    ids.forEach((id, t) =>
      wasm
        .step(id)
        .forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - (all[t * 300 + j] as number))))),
    );
    expect(maxDiff).toBeGreaterThan(0);
    expect(maxDiff).toBeLessThan(1e-4);
    predicted.dispose();
    model.dispose();
  });

  it("generateTokens gives identical tokens with the wasm and the JS step", () => {
    const tokenizer = getTokenizer("notes-chords");
    const names = ["C", "C#", "D", "E-", "E", "F", "F#", "G", "G#", "A", "B-", "B"];
    const vocabulary = Vocabulary.build(
      [[...names.map((n) => `${n}4`), ...names.map((n) => `${n}5`), "0.4.7", "2.7"]],
      { tokenizer: "notes-chords" },
    );
    const { model: config } = presetConfigs("default", vocabulary.size, {
      units: [32, 32],
      seqLen: 8,
      embeddingDim: 16,
    });
    const model = randomModel(config, 8);
    const options = {
      length: 400,
      seed: 21,
      primer: ["C4", "E4", "G4"],
      temperature: 1.1,
      topK: 10,
      topP: 0.95,
      repetitionGuard: true,
    };
    const withWasm = generateTokens({
      step: createWasmStepModel(model, config),
      vocabulary,
      tokenizer,
      options,
    });
    const withJs = generateTokens({ step: createJsStepModel(model, config), vocabulary, tokenizer, options });
    expect(withWasm).toEqual(withJs);
    expect(new Set(withWasm).size).toBeGreaterThan(5);
    model.dispose();
  });

  it("refuses bad token ids, says when it was disposed, and leaves no tensor behind", () => {
    const { model: config } = presetConfigs("default", 20, { units: [8], seqLen: 8, embeddingDim: 4 });
    const model = createModel(config, 1);
    const before = tf.memory().numTensors;
    const step = createWasmStepModel(model, config);
    expect(() => step.step(20)).toThrow(/token id 20 is outside the vocabulary \(0..19\)/);
    expect(() => step.step(1.5)).toThrow(/token id 1.5 is outside/);
    expect(step.step(3)).toHaveLength(20);
    step.dispose();
    expect(() => step.step(3)).toThrow(/disposed/);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe("without WebAssembly SIMD", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  // The test tsconfig has no DOM lib: the real engine's classes, untyped.
  const real = (globalThis as unknown as { WebAssembly: { Module: unknown; Instance: unknown } }).WebAssembly;
  const engines: [string, unknown][] = [
    ["no WebAssembly at all", undefined],
    [
      "WebAssembly without SIMD128 (validate() is false)",
      { validate: () => false, Module: real.Module, Instance: real.Instance },
    ],
  ];
  for (const [name, engine] of engines) {
    it(`createStatefulStepModel falls back to the JS step (${name}), and createWasmStepModel says why it cannot run`, async () => {
      vi.resetModules();
      vi.stubGlobal("WebAssembly", engine);
      const fresh = await import("../step-model.js");
      const wasm = await import("./wasm-step-model.js");
      const { model: config } = presetConfigs("default", 20, { units: [8], seqLen: 8, embeddingDim: 4 });
      const model = createModel(config, 1);
      expect(wasm.isWasmStepSupported()).toBe(false);
      const step = fresh.createStatefulStepModel(model, config);
      expect(step.implementation).toBe("js");
      expect(step.step(3)).toHaveLength(20);
      expect(() => wasm.createWasmStepModel(model, config)).toThrow(
        /WebAssembly with SIMD128 is not available here/,
      );
      model.dispose();
    });
  }
});
