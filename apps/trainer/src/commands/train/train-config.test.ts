import { describe, expect, it } from "vitest";
import { parseDuration, RESUME_FIXED_FLAGS, trainCommand, type TrainOptions } from "./train-flags.js";
import {
  DEFAULT_AUGMENT,
  NOTES_CHORDS_DEFAULT,
  SMALL_CORPUS_DEFAULT,
  resolveConfigs,
} from "./train-config.js";
import { parseCommand } from "../../cli/command-args.js";

function options(argv: string[]): TrainOptions {
  const parsed = parseCommand(trainCommand, argv);
  if (parsed.help) throw new Error("unexpected --help");
  return parsed.options;
}

describe("train configs from flags", () => {
  it("uses the quick demo config without --data", () => {
    const { model, training } = resolveConfigs(options([]), 90);
    expect(model).toMatchObject({ preset: "default", units: [128], seqLen: 32, cell: "fast", vocabSize: 90 });
    expect(training).toMatchObject({
      epochs: 16,
      batchSize: 32,
      augment: [],
      keyNormalization: "song",
      split: "songs",
    });
    expect(resolveConfigs(options(["--keys", "none"]), 90).training).toMatchObject({
      augment: [-3, -2, -1, 1, 2, 3],
      keyNormalization: "none",
    });
  });

  it("gives the model a key memory only with --key-memory (half-life 16 unless given)", () => {
    const memoryOf = (argv: string[]) =>
      resolveConfigs(options(["--data", "x", ...argv]), 90).model.keyMemory;
    expect(memoryOf([])).toBeUndefined();
    expect(memoryOf(["--key-memory", "0.5"])).toEqual({ strength: 0.5, halfLife: 16 });
    expect(memoryOf(["--key-memory", "0.25", "--key-memory-half-life", "64"])).toEqual({
      strength: 0.25,
      halfLife: 64,
    });
    expect(memoryOf(["--key-memory", "1", "--key-memory-half-life", "off"])).toEqual({
      strength: 1,
      halfLife: null,
    });
    expect(memoryOf(["--key-memory", "off"])).toEqual({ strength: 0, halfLife: null });
    expect(() => memoryOf(["--key-memory-half-life", "8"])).toThrow(
      /--key-memory-half-life needs --key-memory S/,
    );
    expect(() => options(["--key-memory", "9"])).toThrow(/key-memory/);
  });

  it("sets the dropout before the LSTM layers with --dropout, the preset's otherwise", () => {
    expect(resolveConfigs(options(["--data", "x"]), 90).model.dropout).toBe(0.2);
    expect(resolveConfigs(options(["--data", "x", "--dropout", "0.35"]), 90).model.dropout).toBe(0.35);
    expect(resolveConfigs(options(["--data", "x", "--dropout", "0"]), 90).model.dropout).toBe(0);
    expect(() => options(["--dropout", "1.5"])).toThrow(/dropout/);
  });

  it("uses the preset's sizes with --data, songs moved to one key, and transpositions only for keys as written", () => {
    const { model, training } = resolveConfigs(options(["--data", "x"]), 90);
    expect(model).toMatchObject({ units: [256, 256], seqLen: 64 });
    expect(training).toMatchObject({ batchSize: 16, augment: [], keyNormalization: "song" });
    expect(resolveConfigs(options(["--data", "x", "--keys", "none"]), 90).training).toMatchObject({
      augment: DEFAULT_AUGMENT,
      keyNormalization: "none",
    });
    expect(resolveConfigs(options(["--data", "x", "--augment", "-1..1"]), 90).training).toMatchObject({
      augment: [-1, 1],
      keyNormalization: "song",
    });
    expect(() => options(["--keys", "sometimes"])).toThrow(/keys/);
  });

  it("gives a small corpus octave copies, 128-token windows at batch 8 and 14 epochs, each unless a flag says otherwise; a large one the preset's", () => {
    const small = SMALL_CORPUS_DEFAULT.maxTokens - 1;
    expect(resolveConfigs(options(["--data", "x"]), 90, small)).toMatchObject({
      model: { seqLen: 128 },
      training: { augment: [-12, 12], batchSize: 8, epochs: 14, keyNormalization: "song" },
    });
    const large = resolveConfigs(options(["--data", "x"]), 90, SMALL_CORPUS_DEFAULT.maxTokens);
    expect(large).toMatchObject({
      model: { seqLen: 64 },
      training: { augment: [], batchSize: 16, epochs: 30 },
    });
    // Not known yet (the split's settings are read before the corpus): the preset's.
    expect(resolveConfigs(options(["--data", "x"]), 90).model.seqLen).toBe(64);
    // Flags win one by one; the window and the batch go together.
    expect(
      resolveConfigs(options(["--data", "x", "--augment", "none", "--epochs", "3"]), 90, small),
    ).toMatchObject({ model: { seqLen: 128 }, training: { augment: [], batchSize: 8, epochs: 3 } });
    expect(resolveConfigs(options(["--data", "x", "--seq-len", "96"]), 90, small)).toMatchObject({
      model: { seqLen: 96 },
      training: { augment: [-12, 12], batchSize: 16 },
    });
    expect(resolveConfigs(options(["--data", "x", "--batch", "4"]), 90, small)).toMatchObject({
      model: { seqLen: 64 },
      training: { batchSize: 4 },
    });
    // Only the default preset's timed, key-normalised training on a user's folder.
    for (const argv of [
      ["--data", "x", "--keys", "none"],
      ["--data", "x", "--tokenizer", "notes-chords"],
      ["--data", "x", "--preset", "notebook"],
      [],
    ]) {
      expect(resolveConfigs(options(argv), 90, small).training.augment, argv.join(" ")).not.toEqual([
        -12, 12,
      ]);
    }
  });

  it("gives the default preset on notes-chords its measured defaults: keys as written, transpositions, short windows in small batches", () => {
    const { model, training } = resolveConfigs(options(["--data", "x", "--tokenizer", "notes-chords"]), 90);
    expect(training.keyNormalization).toBe("none");
    expect(
      resolveConfigs(options(["--data", "x", "--tokenizer", "notes-chords", "--keys", "song"]), 90).training,
    ).toMatchObject({ keyNormalization: "song", augment: [] });
    expect(model).toMatchObject({ preset: "default", seqLen: NOTES_CHORDS_DEFAULT.seqLen });
    expect(training).toMatchObject({
      batchSize: NOTES_CHORDS_DEFAULT.batch,
      augment: DEFAULT_AUGMENT,
      stride: NOTES_CHORDS_DEFAULT.seqLen,
    });
    const explicit = resolveConfigs(
      options([
        "--data",
        "x",
        "--tokenizer",
        "notes-chords",
        "--batch",
        "64",
        "--seq-len",
        "48",
        "--augment",
        "none",
      ]),
      90,
    );
    expect(explicit.model.seqLen).toBe(48);
    expect(explicit.training).toMatchObject({ batchSize: 64, augment: [] });
  });

  it("trains notebook and parent without transpositions and in their own keys, as their notebooks did", () => {
    for (const preset of ["notebook", "parent"]) {
      expect(resolveConfigs(options(["--data", "x", "--preset", preset]), 90).training).toMatchObject({
        augment: [],
        keyNormalization: "none",
      });
      expect(
        resolveConfigs(options(["--data", "x", "--preset", preset, "--tokenizer", "timed"]), 90).training
          .augment,
      ).toEqual([]);
    }
  });

  it("keeps the notebook preset's shape even on the demo corpus", () => {
    const { model, training } = resolveConfigs(options(["--preset", "notebook"]), 90);
    expect(model).toMatchObject({
      preset: "notebook",
      units: [128, 128],
      seqLen: 100,
      input: "scalar",
      target: "last",
    });
    expect(training).toMatchObject({
      batchSize: 128,
      split: "random-windows",
      validationShare: 0.6,
      augment: [],
    });
  });

  it("reads --preset seed, the notebook preset's old name, as --preset notebook", () => {
    for (const rest of [[], ["--data", "x"], ["--data", "x", "--tokenizer", "timed", "--keys", "song"]]) {
      const [seed, notebook] = [
        options(["--preset", "seed", ...rest]),
        options(["--preset", "notebook", ...rest]),
      ];
      expect(seed).toEqual(notebook);
      expect(resolveConfigs(seed, 90)).toEqual(resolveConfigs(notebook, 90));
    }
    expect(options(["--preset", "seed"]).preset).toBe("notebook");
  });

  it("refuses an unknown preset or tokenizer, listing the values", () => {
    expect(() => options(["--preset", "small"])).toThrow(
      '--preset: Invalid option: expected one of "notebook"|"parent"|"default"|"seed"',
    );
    expect(() => options(["--tokenizer", "midi-like"])).toThrow(
      '--tokenizer: Invalid option: expected one of "notes-chords"|"timed"',
    );
  });

  it("maps --units/--layers/--patience/--augment onto the configs", () => {
    const { model, training } = resolveConfigs(
      options([
        "--data",
        "x",
        "--units",
        "64",
        "--layers",
        "3",
        "--patience",
        "0",
        "--augment",
        "-1..1",
        "--lr",
        "0.01",
      ]),
      50,
    );
    expect(model.units).toEqual([64, 64, 64]);
    expect(training).toMatchObject({
      patience: null,
      augment: [-1, 1],
      learningRate: 0.01,
      stride: model.seqLen,
    });
    expect(
      resolveConfigs(options(["--data", "x", "--seq-len", "48", "--stride", "8"]), 50).training.stride,
    ).toBe(8);
  });

  it("maps --shards onto gradientShards (presets: 2) and refuses more shards than windows per batch", () => {
    expect(resolveConfigs(options(["--data", "x"]), 50).training.gradientShards).toBe(2);
    expect(
      resolveConfigs(options(["--data", "x", "--shards", "4", "--workers", "3"]), 50).training.gradientShards,
    ).toBe(4);
    expect(options(["--workers", "3"]).workers).toBe(3);
    expect(() => resolveConfigs(options(["--data", "x", "--shards", "16", "--batch", "8"]), 50)).toThrow(
      /gradientShards cannot exceed batchSize/,
    );
    expect(() => options(["--workers", "0"])).toThrow(/workers/);
  });

  it("draws one transposition per song per epoch for new runs, enumerates them on request or with random windows", () => {
    expect(resolveConfigs(options(["--data", "x", "--keys", "none"]), 50).training).toMatchObject({
      augment: DEFAULT_AUGMENT,
      augmentMode: "random",
    });
    expect(
      resolveConfigs(options(["--data", "x", "--keys", "none", "--augment-mode", "all"]), 50).training
        .augmentMode,
    ).toBe("all");
    expect(resolveConfigs(options(["--data", "x", "--preset", "notebook"]), 50).training.augmentMode).toBe(
      "all",
    );
    expect(resolveConfigs(options(["--data", "x"]), 50).training).toMatchObject({
      augment: [],
      keyNormalization: "song",
    }); // keys song: still no copies
    expect(() =>
      resolveConfigs(
        options([
          "--data",
          "x",
          "--split",
          "random-windows",
          "--augment",
          "-1..1",
          "--augment-mode",
          "random",
        ]),
        50,
      ),
    ).toThrow(/random augmentation needs split 'songs'/);
    expect(() => options(["--augment-mode", "some"])).toThrow(/augment-mode/);
  });

  it("maps --tempo-stretch (timed tokens, random draws only) and --val-every onto the training config", () => {
    expect(
      resolveConfigs(options(["--data", "x", "--tempo-stretch", "0.05", "--val-every", "200"]), 50).training,
    ).toMatchObject({ tempoStretch: 0.05, validateEvery: 200, augmentMode: "random" });
    expect(() =>
      resolveConfigs(options(["--data", "x", "--tokenizer", "notes-chords", "--tempo-stretch", "0.05"]), 50),
    ).toThrow(/--tempo-stretch needs --tokenizer timed/);
    expect(() =>
      resolveConfigs(options(["--data", "x", "--tempo-stretch", "0.05", "--augment-mode", "all"]), 50),
    ).toThrow(/tempoStretch needs augmentMode 'random'/);
    expect(() => options(["--tempo-stretch", "0.9"])).toThrow(/tempo-stretch.*at most 0.5/);
    expect(resolveConfigs(options(["--data", "x"]), 50).training).not.toHaveProperty("validateEvery");
  });

  it("maps --carry-state onto carryState (left out when off) and refuses it where chunks cannot follow each other", () => {
    expect(resolveConfigs(options(["--data", "x"]), 50).training).not.toHaveProperty("carryState");
    expect(resolveConfigs(options(["--data", "x", "--carry-state"]), 50).training).toMatchObject({
      carryState: true,
      stride: 64,
    });
    // Small-corpus windows keep their chunks contiguous.
    expect(
      resolveConfigs(options(["--data", "x", "--carry-state"]), 50, SMALL_CORPUS_DEFAULT.maxTokens - 1),
    ).toMatchObject({ model: { seqLen: 128 }, training: { carryState: true, stride: 128 } });
    expect(() => resolveConfigs(options(["--data", "x", "--carry-state", "--stride", "16"]), 50)).toThrow(
      /carryState needs contiguous chunks: stride \(16\) must equal seqLen \(64\)/,
    );
    expect(() =>
      resolveConfigs(options(["--data", "x", "--carry-state", "--split", "random-windows"]), 50),
    ).toThrow(/carryState needs split 'songs'/);
    expect(() => resolveConfigs(options(["--data", "x", "--carry-state", "--cell", "stock"]), 50)).toThrow(
      /carryState needs cell 'fast'/,
    );
    expect(() => resolveConfigs(options(["--data", "x", "--carry-state", "--preset", "parent"]), 50)).toThrow(
      /carryState needs target 'every-step'/,
    );
    expect(RESUME_FIXED_FLAGS).toContain("carryState");
  });

  it("reads time budgets as seconds", () => {
    expect(parseDuration("90s")).toBe(90);
    expect(parseDuration("30m")).toBe(1800);
    expect(parseDuration("1h")).toBe(3600);
    expect(parseDuration("1h30m")).toBe(5400);
    expect(parseDuration("2.5m")).toBe(150);
    expect(parseDuration("30")).toMatch(/expected a duration/);
    expect(parseDuration("")).toMatch(/expected a duration/);
    expect(parseDuration("0m")).toMatch(/longer than 0/);
    expect(options(["--time-budget", "2m"]).timeBudget).toBe(120);
    expect(() => options(["--time-budget", "soon"])).toThrow(/time-budget: expected a duration/);
  });
});
