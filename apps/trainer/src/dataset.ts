// Ingest for training: MIDI sources → piano notes → tokens, with broken files listed and skipped,
// a song-level split, transposition augmentation of training songs only (every copy, or one drawn
// per song per epoch), a vocabulary built from the training songs, and an explicit report of
// validation tokens the vocabulary does not know.
import { createHash } from "node:crypto";
import { Vocabulary, allTimedTokens, drawsAugmentation, keyName, notesForModel, pieceFeatures, scaleMask, splitSongs, type AugmentationDraw, type BundleManifest, type SongTokens, type Tokenizer, type TrainingConfig } from "@motif/core";
import { pianoNotes, tryParseMidi, type QuarterNote } from "@motif/midi";

export interface MidiSource {
  /** Relative path or file name, as shown to the user and stored in the bundle. */
  name: string;
  read(): Promise<Uint8Array>;
}

export interface IngestedSong {
  name: string;
  sha256: string;
  notes: QuarterNote[];
  tokens: string[];
}

export interface SkippedFile {
  name: string;
  reason: string;
}

export interface Ingested {
  songs: IngestedSong[];
  skipped: SkippedFile[];
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export interface ReadSong {
  name: string;
  sha256: string;
  notes: QuarterNote[];
}

/** Reads and parses every source to piano notes; unreadable or non-MIDI files are skipped with a reason. */
export async function readSongs(sources: readonly MidiSource[]): Promise<{ songs: ReadSong[]; skipped: SkippedFile[] }> {
  const songs: ReadSong[] = [];
  const skipped: SkippedFile[] = [];
  for (const source of sources) {
    let bytes: Uint8Array;
    try {
      bytes = await source.read();
    } catch (error) {
      skipped.push({ name: source.name, reason: `cannot read: ${error instanceof Error ? error.message : String(error)}` });
      continue;
    }
    const parsed = tryParseMidi(bytes);
    if (!parsed.ok) {
      skipped.push({ name: source.name, reason: parsed.error.message });
      continue;
    }
    songs.push({ name: source.name, sha256: sha256Of(bytes), notes: pianoNotes(parsed.sequence) });
  }
  return { songs, skipped };
}

/** Parses and tokenizes every source; unreadable, note-less or too-short files are skipped with a reason. */
export async function ingest(sources: readonly MidiSource[], tokenizer: Tokenizer): Promise<Ingested> {
  const read = await readSongs(sources);
  const songs: IngestedSong[] = [];
  const skipped = read.skipped;
  for (const song of read.songs) {
    if (song.notes.length === 0) {
      skipped.push({ name: song.name, reason: "no piano notes (empty, or drums only)" });
      continue;
    }
    const tokens = tokenizer.encode(song.notes);
    if (tokens.length < 2) {
      skipped.push({ name: song.name, reason: `only ${tokens.length} token(s): too short to learn from` });
      continue;
    }
    songs.push({ ...song, tokens });
  }
  // In source order, as one pass over the files would list them.
  const order = new Map(sources.map((source, index) => [source.name, index]));
  skipped.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  return { songs, skipped };
}

/** Notes moved by `shift` semitones, or null when a note would leave the MIDI range. */
export function transposeNotes(notes: readonly QuarterNote[], shift: number): QuarterNote[] | null {
  const moved = notes.map((note) => ({ ...note, pitch: note.pitch + shift }));
  return moved.every((note) => note.pitch >= 0 && note.pitch <= 127) ? moved : null;
}

/** Notes played `factor` times as long (1.05 = 5% slower), onsets and durations alike. */
export function stretchNotes(notes: readonly QuarterNote[], factor: number): QuarterNote[] {
  return notes.map((note) => ({ ...note, startQuarter: note.startQuarter * factor, endQuarter: note.endQuarter * factor }));
}

export interface UnknownTokenReport {
  /** Total validation tokens dropped because the vocabulary (built from training songs) lacks them. */
  dropped: number;
  /** Token → count, most frequent first. */
  tokens: Record<string, number>;
}

/** The song as the model sees it: moved to C major / A minor when the config normalises keys. */
export function songForTraining(song: IngestedSong, tokenizer: Tokenizer, training: TrainingConfig): IngestedSong & { key: string | null } {
  const seen = notesForModel(song.notes, training.keyNormalization);
  if (seen.key === null) return { ...song, key: null };
  return { ...song, notes: seen.notes, tokens: tokenizer.encode(seen.notes), key: keyName(seen.key) };
}

/** The songs of `sources` the bundle's manifest lists (by sha256) as training and as validation songs, as the model saw them. */
export function bundleSplit(songs: readonly IngestedSong[], manifest: Pick<BundleManifest, "dataset" | "training">, tokenizer: Tokenizer): { train: IngestedSong[]; validation: IngestedSong[] } {
  const splitOf = new Map(manifest.dataset.files.map((file) => [file.sha256, file.split]));
  const seen = (split: "train" | "validation") => songs.filter((song) => splitOf.get(song.sha256) === split).map((song) => songForTraining(song, tokenizer, manifest.training));
  return { train: seen("train"), validation: seen("validation") };
}

/** The 12-bit mask of the song's best-fitting major/minor scale (the one its scale consistency counts). */
export function songScaleMask(notes: readonly QuarterNote[]): number {
  const features = pieceFeatures(notes);
  return scaleMask({ tonic: features.scaleTonic, mode: features.scaleMode });
}

export interface PreparedDataset {
  vocabulary: Vocabulary;
  train: SongTokens[];
  validation: SongTokens[];
  files: { name: string; sha256: string; tokens: number; split: "train" | "validation" }[];
  /** Estimated key of each file (by name) when keys were normalised, else empty. */
  keys: Record<string, string>;
  unknownInValidation: UnknownTokenReport;
  /** Training streams added by transposition (`all` mode; random draws add none). */
  augmentedSongs: number;
  /** Transpositions dropped (all) or played untransposed (random) because a note would leave 0..127. */
  augmentSkipped: number;
  /**
   * Random augmentation (drawsAugmentation): `train` holds each song once, and this gives the ids of
   * `train[song]` transposed and stretched as drawn for an epoch (trainModel's augmentSong).
   */
  augmentSong?: (song: number, draw: AugmentationDraw) => Int32Array;
}

/** The song's transposed copies (augment order), skipping those that would leave 0..127. */
function* transposedCopies(song: IngestedSong, tokenizer: Tokenizer, shifts: readonly number[]): Generator<{ name: string; tokens: string[] } | null> {
  for (const shift of shifts) {
    const moved = transposeNotes(song.notes, shift);
    yield moved === null ? null : { name: `${song.name} (${shift > 0 ? "+" : ""}${shift})`, tokens: tokenizer.encode(moved) };
  }
}

/**
 * Every token random draws can produce: those of every transposed copy (the vocabulary `all` mode
 * would build, so both modes share it) and, with a tempo stretch, every wait and duration of the
 * timed language (a stretched song can land on any of them). Streamed: no copy is kept.
 */
function* drawableStreams(songs: readonly IngestedSong[], tokenizer: Tokenizer, training: TrainingConfig, onSkipped: () => void): Generator<readonly string[]> {
  for (const song of songs) {
    yield song.tokens;
    for (const copy of transposedCopies(song, tokenizer, training.augment)) {
      if (copy === null) onSkipped();
      else yield copy.tokens;
    }
  }
  if ((training.tempoStretch ?? 0) > 0) yield allTimedTokens().filter((token) => token.startsWith("W") || token.startsWith("D"));
}

/** One epoch's variant of a training song: transposed (as written if a note would leave 0..127), then stretched. */
function drawnVariant(song: IngestedSong, draw: AugmentationDraw, tokenizer: Tokenizer, vocabulary: Vocabulary): Int32Array {
  const moved = draw.shift === 0 ? song.notes : (transposeNotes(song.notes, draw.shift) ?? song.notes);
  const encoded = vocabulary.encode(tokenizer.encode(draw.stretch === 1 ? moved : stretchNotes(moved, draw.stretch)));
  const unknown = Object.keys(encoded.unknown);
  if (unknown.length > 0) throw new Error(`${song.name} shifted by ${draw.shift} and stretched by ${draw.stretch} has tokens outside the vocabulary: ${unknown.slice(0, 5).join(", ")}`);
  return encoded.ids;
}

export function prepareDataset(ingested: readonly IngestedSong[], tokenizer: Tokenizer, training: TrainingConfig): PreparedDataset {
  const songs = ingested.map((song) => songForTraining(song, tokenizer, training));
  // The split only looks at the number of songs and the seed; ids are filled in after the vocabulary exists.
  const placeholders = songs.map((song) => ({ name: song.name, ids: new Int32Array(0) }));
  const split = splitSongs(placeholders, training);
  const validationNames = new Set(split.validation.map((song) => song.name));
  const trainSongs = songs.filter((song) => !validationNames.has(song.name));
  const validationSongs = songs.filter((song) => validationNames.has(song.name));

  const random = drawsAugmentation(training);
  const trainStreams: { name: string; tokens: string[] }[] = [];
  let augmentSkipped = 0;
  for (const song of trainSongs) {
    trainStreams.push({ name: song.name, tokens: song.tokens });
    if (random) continue; // the copies are drawn epoch by epoch
    for (const copy of transposedCopies(song, tokenizer, training.augment)) {
      if (copy === null) augmentSkipped++;
      else trainStreams.push(copy);
    }
  }
  const vocabulary = Vocabulary.build(random ? drawableStreams(trainSongs, tokenizer, training, () => augmentSkipped++) : trainStreams.map((stream) => stream.tokens));
  const train = trainStreams.map((stream) => ({ name: stream.name, ids: vocabulary.encode(stream.tokens).ids }));
  const scales = new Map(validationSongs.map((song) => [song.name, songScaleMask(song.notes)]));

  const unknown: Record<string, number> = {};
  const validation = validationSongs.map((song) => {
    const encoded = vocabulary.encode(song.tokens);
    for (const [token, count] of Object.entries(encoded.unknown)) unknown[token] = (unknown[token] ?? 0) + count;
    return { name: song.name, ids: encoded.ids, scaleMask: scales.get(song.name) as number };
  });
  const sortedUnknown = Object.fromEntries(Object.entries(unknown).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
  return {
    vocabulary,
    train,
    validation,
    files: songs.map((song) => ({ name: song.name, sha256: song.sha256, tokens: song.tokens.length, split: validationNames.has(song.name) ? "validation" : "train" })),
    keys: Object.fromEntries(songs.flatMap((song) => (song.key === null ? [] : [[song.name, song.key]]))),
    unknownInValidation: { dropped: Object.values(unknown).reduce((a, b) => a + b, 0), tokens: sortedUnknown },
    augmentedSongs: trainStreams.length - trainSongs.length,
    augmentSkipped,
    ...(random ? { augmentSong: (song: number, draw: AugmentationDraw) => drawnVariant(trainSongs[song] as IngestedSong, draw, tokenizer, vocabulary) } : {}),
  };
}
