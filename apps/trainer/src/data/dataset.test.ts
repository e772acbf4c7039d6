import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  getTokenizer,
  presetConfigs,
  type AugmentationDraw,
  type BundleManifest,
  type Tokenizer,
  type TrainingConfig,
} from "@motif/core";
import { writeMidi } from "@motif/midi";
import { prepareDatasetInMemory } from "./legacy-dataset.js";
import {
  bundleSplit,
  ingest,
  ingestForTraining,
  prepareDataset,
  readBundleSplit,
  songForTraining,
  transposeNotes,
  type PreparedDataset,
  type RereadableSource,
} from "./dataset.js";
import { demoCorpusFiles } from "./demo-corpus.js";
import { repoRoot } from "../env.js";
import { BROKEN_MIDI, midiWithDrums, phraseFile } from "../test-support/midi-fixtures.js";

const timed = getTokenizer("timed");

const sourceOf = (name: string, bytes: Uint8Array): RereadableSource => ({
  name,
  read: async () => bytes,
  readSync: () => bytes,
});

/** Phrases in D, F and A (so key normalisation moves them), one of them 3 bars long. */
function phraseSources(): RereadableSource[] {
  const files = [phraseFile(4, 2, "d"), phraseFile(3, 5, "f"), phraseFile(4, 9, "a"), phraseFile(4, 0, "c")];
  return files.map((bytes, i) => sourceOf(`song-${i}.mid`, bytes));
}

function training(overrides: Partial<TrainingConfig>): TrainingConfig {
  return presetConfigs("default", 2, {
    validationShare: 0.25,
    seed: 2,
    keyNormalization: "none",
    ...overrides,
  }).training;
}

async function prepared(
  sources: readonly RereadableSource[],
  config: TrainingConfig,
  tokenizer: Tokenizer = timed,
): Promise<PreparedDataset> {
  return prepareDataset(
    await ingestForTraining(sources, tokenizer, config.keyNormalization),
    tokenizer,
    config,
  );
}

describe("prepareDataset: augmentation", () => {
  it("enumerates every transposed copy after each song in all mode, as a config without augmentMode always did", async () => {
    const all = await prepared(phraseSources(), training({ augment: [-1, 2] }));
    const names = all.train.map((s) => s.name);
    const trainFiles = all.files.filter((f) => f.split === "train").map((f) => f.name);
    expect(names).toEqual(trainFiles.flatMap((name) => [name, `${name} (-1)`, `${name} (+2)`]));
    expect(all.augmentedSongs).toBe(2 * trainFiles.length);
    expect(all.augmentSong).toBeUndefined();
    expect(
      (await prepared(phraseSources(), training({ augment: [-1, 2], augmentMode: "all" }))).train,
    ).toEqual(all.train);
  });

  it("random mode trains each song once, on the vocabulary all mode builds, and draws transposed copies on demand", async () => {
    const random = await prepared(phraseSources(), training({ augment: [-1, 2], augmentMode: "random" }));
    const all = await prepared(phraseSources(), training({ augment: [-1, 2] }));
    expect(random.vocabulary.tokens).toEqual(all.vocabulary.tokens);
    expect(random.train.map((s) => s.name)).toEqual(
      random.files.filter((f) => f.split === "train").map((f) => f.name),
    );
    expect(random.augmentedSongs).toBe(0);
    const copy = all.train.find((s) => s.name === `${random.train[1]!.name} (+2)`)!;
    expect(Array.from(random.augmentSong!(1, { shift: 2, stretch: 1 }))).toEqual(Array.from(copy.ids));
  });

  it("transposes songs after moving them to C major / A minor", async () => {
    const config = training({ augment: [-3, 3], augmentMode: "random", keyNormalization: "song" });
    const dataset = await prepared(phraseSources(), config);
    const { songs } = await ingest(phraseSources(), timed);
    const normalised = songForTraining(
      songs.find((s) => s.name === dataset.train[0]!.name)!,
      timed,
      config,
    );
    expect(normalised.key).not.toBeNull();
    const expected = dataset.vocabulary.encode(timed.encode(transposeNotes(normalised.notes, 3)!)).ids;
    expect(Array.from(dataset.augmentSong!(0, { shift: 3, stretch: 1 }))).toEqual(Array.from(expected));
    expect(Array.from(dataset.train[0]!.ids)).toEqual(
      Array.from(dataset.vocabulary.encode(normalised.tokens).ids),
    );
  });

  it("a tempo stretch plays the song slower or faster, on a vocabulary that holds every wait and duration", async () => {
    const dataset = await prepared(
      phraseSources(),
      training({ augment: [], augmentMode: "random", tempoStretch: 0.1 }),
    );
    expect(dataset.vocabulary.tokens.filter((t) => /^[WD]\d/.test(t))).toHaveLength(48 + 80);
    const plain = timed.decode(dataset.vocabulary.decode(dataset.train[0]!.ids));
    const slower = timed.decode(
      dataset.vocabulary.decode(dataset.augmentSong!(0, { shift: 0, stretch: 1.1 })),
    );
    expect(slower.map((n) => n.pitch)).toEqual(plain.map((n) => n.pitch));
    const last = (notes: typeof plain) => notes.at(-1)!.startQuarter;
    expect(last(slower) / last(plain)).toBeCloseTo(1.1, 1);
  });
});

/** Everything training and the bundle take from a prepared dataset, augmentSong answered for a few draws. */
function observable(dataset: PreparedDataset) {
  const draws: AugmentationDraw[] = [
    { shift: 2, stretch: 1 },
    { shift: -1, stretch: 1.04 },
    { shift: 0, stretch: 0.97 },
  ];
  const ids = (songs: { name: string; ids: Int32Array; scaleMask?: number }[]) =>
    songs.map((s) => ({ ...s, ids: Array.from(s.ids) }));
  const { augmentSong, vocabulary, train, validation, ...rest } = dataset;
  const augmented = augmentSong
    ? train.slice(0, 3).flatMap((_, song) => draws.map((draw) => Array.from(augmentSong(song, draw))))
    : null;
  return {
    ...rest,
    vocabulary: vocabulary.tokens,
    train: ids(train),
    validation: ids(validation),
    augmented,
  };
}

const CONFIGS: [string, Partial<TrainingConfig>, string?][] = [
  ["keys as written, no augmentation", {}],
  ["keys moved to C major / A minor", { keyNormalization: "song" }],
  ["every transposed copy (all mode)", { augment: [-2, 1, 5], augmentMode: "all" }],
  [
    "one drawn copy and a tempo stretch (random mode), keys moved",
    { augment: [-3, 3], augmentMode: "random", tempoStretch: 0.05, keyNormalization: "song" },
  ],
  ["notes-chords tokens, keys moved", { keyNormalization: "song" }, "notes-chords"],
];

function checkSameAsInMemory(sources: () => RereadableSource[]) {
  for (const [label, overrides, kind] of CONFIGS) {
    it(label, async () => {
      const tokenizer = getTokenizer(kind === "notes-chords" ? "notes-chords" : "timed");
      const config = training({ validationShare: 0.2, ...overrides });
      const inMemory = prepareDatasetInMemory((await ingest(sources(), tokenizer)).songs, tokenizer, config);
      const compact = await prepared(sources(), config, tokenizer);
      expect(observable(compact)).toEqual(observable(inMemory));
      expect(compact.validation.length).toBeGreaterThan(0);
    });
  }
}

describe("the compact ingest gives what the in-memory path gave: vocabulary, ids, split, files, keys, copies", () => {
  describe("on the demo corpus", () =>
    checkSameAsInMemory(() => demoCorpusFiles().map((file) => sourceOf(file.name, file.bytes))));

  const mutopia = path.join(repoRoot, "../shared/datasets/mutopia-keyboard/midi");
  describe.skipIf(!existsSync(mutopia))(`on 12 real files (skipped: ${mutopia} not found)`, () => {
    const files = () =>
      readdirSync(mutopia, { recursive: true, encoding: "utf8" })
        .filter((f) => /\.midi?$/i.test(f))
        .sort()
        .filter((_, i) => i % 37 === 0);
    checkSameAsInMemory(() =>
      files().map((name) => sourceOf(name, new Uint8Array(readFileSync(path.join(mutopia, name))))),
    );
  });
});

describe("ingestForTraining", () => {
  const mixed = () => [
    sourceOf("a.mid", phraseFile(2)),
    sourceOf("broken.mid", BROKEN_MIDI),
    sourceOf("drums.mid", writeMidi({ notes: [] })),
    sourceOf("b.mid", phraseFile(2, 3)),
    { name: "gone.mid", read: () => Promise.reject(new Error("ENOENT")), readSync: () => new Uint8Array() },
  ];

  it("skips broken, empty and unreadable files with their names and reasons, in file order, as ingest does", async () => {
    const compact = await ingestForTraining(mixed(), timed, "song");
    expect(compact.skipped).toEqual((await ingest(mixed(), timed)).skipped);
    expect(compact.skipped.map((f) => f.name)).toEqual(["broken.mid", "drums.mid", "gone.mid"]);
    expect(compact.skipped[0]!.reason).toMatch(/\S/);
    expect(compact.skipped[2]!.reason).toBe("cannot read: ENOENT");
    expect(compact.songs.map((s) => [s.name, s.source])).toEqual([
      ["a.mid", 0],
      ["b.mid", 3],
    ]);
  });

  it("holds each song as 16-bit token ids with its name, hash and key, and no notes", async () => {
    const compact = await ingestForTraining(
      [sourceOf("drums.mid", midiWithDrums()), ...phraseSources()],
      timed,
      "song",
    );
    const song = compact.songs[1]!;
    expect(Object.keys(song).sort()).toEqual(["ids", "key", "name", "sha256", "source"]);
    expect(song.ids).toBeInstanceOf(Uint16Array);
    expect(compact.dictionary.tokens.slice(0, 3)).toEqual(
      Array.from(compact.songs[0]!.ids.slice(0, 3), (id) => compact.dictionary.tokens[id]),
    );
  });

  it("refuses to draw a copy of a song whose file changed since it was read", async () => {
    let bytes = phraseFile(4, 2);
    const source: RereadableSource = { name: "changing.mid", read: async () => bytes, readSync: () => bytes };
    const dataset = await prepared(
      [source, ...phraseSources()],
      training({ augment: [2], augmentMode: "random", validationShare: 0 }),
    );
    bytes = phraseFile(4, 3);
    expect(() => dataset.augmentSong!(0, { shift: 2, stretch: 1 })).toThrow(
      /changing\.mid changed while training read it/,
    );
  });
});

describe("readBundleSplit", () => {
  it("reads the bundle's training and validation songs one file at a time, as bundleSplit finds them among ingested songs", async () => {
    const config = training({ keyNormalization: "song", validationShare: 0.25 });
    const dataset = await prepared(phraseSources(), config);
    const manifest = {
      dataset: { files: dataset.files, skipped: [] },
      training: config,
    } as unknown as BundleManifest;
    const sources = [sourceOf("not-in-the-bundle.mid", phraseFile(1, 7)), ...phraseSources()];
    const inMemory = bundleSplit((await ingest(sources, timed)).songs, manifest, timed);
    const notes = (songs: { name: string; notes: unknown }[]) =>
      songs.map((s) => ({ name: s.name, notes: s.notes }));
    const streamed = await readBundleSplit(sources, manifest);
    expect(streamed).toEqual({ train: notes(inMemory.train), validation: notes(inMemory.validation) });
    expect(streamed.train).toHaveLength(3);
  });
});

describe("files read with repairs", () => {
  /** A phrase file with a stray MIDI clock event (0xF8, then a zero delta time) at the start of its first track. */
  function withStrayClock(bytes: Uint8Array): { bytes: Uint8Array; offset: number } {
    const at = Array.from(bytes).findIndex(
      (_, i) => bytes[i] === 0x4d && bytes[i + 1] === 0x54 && bytes[i + 2] === 0x72 && bytes[i + 3] === 0x6b,
    );
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(at + 4);
    const out = new Uint8Array(bytes.length + 2);
    out.set(bytes.subarray(0, at + 9));
    out.set([0xf8, 0x00], at + 9);
    out.set(bytes.subarray(at + 9), at + 11);
    new DataView(out.buffer).setUint32(at + 4, length + 2);
    return { bytes: out, offset: at + 9 };
  }

  it("trains on them and lists what the reader repaired", async () => {
    const clean = phraseFile(4);
    const { bytes, offset } = withStrayClock(clean);
    const source = (name: string, data: Uint8Array): RereadableSource => ({
      name,
      read: async () => data,
      readSync: () => data,
    });
    const ingested = await ingestForTraining(
      [source("clean.mid", clean), source("repaired.mid", bytes)],
      getTokenizer("timed"),
      "song",
    );
    expect(ingested.songs.map((s) => s.name)).toEqual(["clean.mid", "repaired.mid"]);
    expect(ingested.repaired).toEqual([
      { name: "repaired.mid", repairs: [`track 0: skipped real-time byte 0xF8 at byte ${offset}`] },
    ]);
    expect(Array.from(ingested.songs[1]!.ids)).toEqual(Array.from(ingested.songs[0]!.ids));
  });
});
