import { describe, expect, it } from "vitest";
import { getTokenizer, presetConfigs, type TrainingConfig } from "@motif/core";
import { ingest, prepareDataset, songForTraining, transposeNotes, type IngestedSong } from "./dataset.js";
import { phraseFile } from "./test-support/midi-fixtures.js";

const timed = getTokenizer("timed");

/** Phrases in D, F and A (so key normalisation moves them), one of them 3 bars long. */
async function songs(): Promise<IngestedSong[]> {
  const files = [phraseFile(4, 2, "d"), phraseFile(3, 5, "f"), phraseFile(4, 9, "a"), phraseFile(4, 0, "c")];
  const ingested = await ingest(files.map((bytes, i) => ({ name: `song-${i}.mid`, read: async () => bytes })), timed);
  return ingested.songs;
}

function training(overrides: Partial<TrainingConfig>): TrainingConfig {
  return presetConfigs("default", 2, { validationShare: 0.25, seed: 2, keyNormalization: "none", ...overrides }).training;
}

describe("prepareDataset: augmentation", () => {
  it("enumerates every transposed copy after each song in all mode, as a config without augmentMode always did", async () => {
    const all = prepareDataset(await songs(), timed, training({ augment: [-1, 2] }));
    const names = all.train.map((s) => s.name);
    const trainFiles = all.files.filter((f) => f.split === "train").map((f) => f.name);
    expect(names).toEqual(trainFiles.flatMap((name) => [name, `${name} (-1)`, `${name} (+2)`]));
    expect(all.augmentedSongs).toBe(2 * trainFiles.length);
    expect(all.augmentSong).toBeUndefined();
    expect(prepareDataset(await songs(), timed, training({ augment: [-1, 2], augmentMode: "all" })).train).toEqual(all.train);
  });

  it("random mode trains each song once, on the vocabulary all mode builds, and draws transposed copies on demand", async () => {
    const ingested = await songs();
    const config = training({ augment: [-1, 2], augmentMode: "random" });
    const random = prepareDataset(ingested, timed, config);
    const all = prepareDataset(ingested, timed, training({ augment: [-1, 2] }));
    expect(random.vocabulary.tokens).toEqual(all.vocabulary.tokens);
    expect(random.train.map((s) => s.name)).toEqual(random.files.filter((f) => f.split === "train").map((f) => f.name));
    expect(random.augmentedSongs).toBe(0);
    const copy = all.train.find((s) => s.name === `${random.train[1]!.name} (+2)`)!;
    expect(Array.from(random.augmentSong!(1, { shift: 2, stretch: 1 }))).toEqual(Array.from(copy.ids));
  });

  it("transposes songs after moving them to C major / A minor", async () => {
    const ingested = await songs();
    const config = training({ augment: [-3, 3], augmentMode: "random", keyNormalization: "song" });
    const prepared = prepareDataset(ingested, timed, config);
    const song = ingested.find((s) => s.name === prepared.train[0]!.name)!;
    const normalised = songForTraining(song, timed, config);
    expect(normalised.key).not.toBeNull();
    const expected = prepared.vocabulary.encode(timed.encode(transposeNotes(normalised.notes, 3)!)).ids;
    expect(Array.from(prepared.augmentSong!(0, { shift: 3, stretch: 1 }))).toEqual(Array.from(expected));
    expect(Array.from(prepared.train[0]!.ids)).toEqual(Array.from(prepared.vocabulary.encode(normalised.tokens).ids));
  });

  it("a tempo stretch plays the song slower or faster, on a vocabulary that holds every wait and duration", async () => {
    const prepared = prepareDataset(await songs(), timed, training({ augment: [], augmentMode: "random", tempoStretch: 0.1 }));
    expect(prepared.vocabulary.tokens.filter((t) => /^[WD]\d/.test(t))).toHaveLength(48 + 80);
    const plain = timed.decode(prepared.vocabulary.decode(prepared.train[0]!.ids));
    const slower = timed.decode(prepared.vocabulary.decode(prepared.augmentSong!(0, { shift: 0, stretch: 1.1 })));
    expect(slower.map((n) => n.pitch)).toEqual(plain.map((n) => n.pitch));
    const last = (notes: typeof plain) => notes.at(-1)!.startQuarter;
    expect(last(slower) / last(plain)).toBeCloseTo(1.1, 1);
  });
});
