// Ingest for training: MIDI sources → piano notes → tokens, with broken files listed and skipped,
// a song-level split, transposition augmentation of training songs only (every copy, or one drawn
// per song per epoch), a vocabulary built from the training songs, and an explicit report of
// validation tokens the vocabulary does not know. Training holds songs as token ids only and reads
// a file again when its notes are needed, so memory follows the tokens, not the notes.
import { createHash } from "node:crypto";
import {
  Vocabulary,
  allTimedTokens,
  drawsAugmentation,
  keyName,
  notesForModel,
  pieceFeatures,
  scaleMask,
  splitSongs,
  type AugmentationDraw,
  type BundleManifest,
  type NamedNotes,
  type SongTokens,
  type Tokenizer,
  type TrainingConfig,
} from "@motif/core";
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

interface Ingested {
  songs: IngestedSong[];
  skipped: SkippedFile[];
}

function sha256Of(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

interface ReadSong {
  name: string;
  sha256: string;
  notes: QuarterNote[];
}

type Outcome<T> = ({ ok: true } & T) | { ok: false; reason: string };

async function readSource(source: MidiSource): Promise<Outcome<{ bytes: Uint8Array }>> {
  try {
    return { ok: true, bytes: await source.read() };
  } catch (error) {
    return { ok: false, reason: `cannot read: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function parseNotes(bytes: Uint8Array): Outcome<{ notes: QuarterNote[]; repairs: string[] }> {
  const parsed = tryParseMidi(bytes);
  return parsed.ok
    ? { ok: true, notes: pianoNotes(parsed.sequence), repairs: parsed.warnings.map((w) => w.message) }
    : { ok: false, reason: parsed.error.message };
}

/** A file's hash, piano notes and tokens, or why it cannot be learned from. */
async function songOf(
  source: MidiSource,
  tokenizer: Tokenizer,
): Promise<Outcome<{ sha256: string; notes: QuarterNote[]; tokens: string[]; repairs: string[] }>> {
  const read = await readSource(source);
  if (!read.ok) return read;
  const parsed = parseNotes(read.bytes);
  if (!parsed.ok) return parsed;
  if (parsed.notes.length === 0) return { ok: false, reason: "no piano notes (empty, or drums only)" };
  const tokens = tokenizer.encode(parsed.notes);
  if (tokens.length < 2)
    return { ok: false, reason: `only ${tokens.length} token(s): too short to learn from` };
  return { ok: true, sha256: sha256Of(read.bytes), notes: parsed.notes, tokens, repairs: parsed.repairs };
}

/** Reads and parses every source to piano notes; unreadable or non-MIDI files are skipped with a reason. */
export async function readSongs(
  sources: readonly MidiSource[],
): Promise<{ songs: ReadSong[]; skipped: SkippedFile[] }> {
  const songs: ReadSong[] = [];
  const skipped: SkippedFile[] = [];
  for (const source of sources) {
    const read = await readSource(source);
    if (!read.ok) {
      skipped.push({ name: source.name, reason: read.reason });
      continue;
    }
    const parsed = parseNotes(read.bytes);
    if (parsed.ok) songs.push({ name: source.name, sha256: sha256Of(read.bytes), notes: parsed.notes });
    else skipped.push({ name: source.name, reason: parsed.reason });
  }
  return { songs, skipped };
}

/** Parses and tokenizes every source; unreadable, note-less or too-short files are skipped with a reason. */
export async function ingest(sources: readonly MidiSource[], tokenizer: Tokenizer): Promise<Ingested> {
  const songs: IngestedSong[] = [];
  const skipped: SkippedFile[] = [];
  for (const source of sources) {
    const song = await songOf(source, tokenizer);
    if (song.ok)
      songs.push({ name: source.name, sha256: song.sha256, notes: song.notes, tokens: song.tokens });
    else skipped.push({ name: source.name, reason: song.reason });
  }
  return { songs, skipped };
}

/** Notes moved by `shift` semitones, or null when a note would leave the MIDI range. */
export function transposeNotes(notes: readonly QuarterNote[], shift: number): QuarterNote[] | null {
  const moved = notes.map((note) => ({ ...note, pitch: note.pitch + shift }));
  return moved.every((note) => note.pitch >= 0 && note.pitch <= 127) ? moved : null;
}

/** Notes played `factor` times as long (1.05 = 5% slower), onsets and durations alike. */
export function stretchNotes(notes: readonly QuarterNote[], factor: number): QuarterNote[] {
  return notes.map((note) => ({
    ...note,
    startQuarter: note.startQuarter * factor,
    endQuarter: note.endQuarter * factor,
  }));
}

export interface UnknownTokenReport {
  /** Total validation tokens dropped because the vocabulary (built from training songs) lacks them. */
  dropped: number;
  /** Token → count, most frequent first. */
  tokens: Record<string, number>;
}

/** The song as the model sees it: moved to C major / A minor when the config normalises keys. */
export function songForTraining(
  song: IngestedSong,
  tokenizer: Tokenizer,
  training: TrainingConfig,
): IngestedSong & { key: string | null } {
  const seen = notesForModel(song.notes, training.keyNormalization);
  if (seen.key === null) return { ...song, key: null };
  return { ...song, notes: seen.notes, tokens: tokenizer.encode(seen.notes), key: keyName(seen.key) };
}

/** The songs of `sources` the bundle's manifest lists (by sha256) as training and as validation songs, as the model saw them. */
export function bundleSplit(
  songs: readonly IngestedSong[],
  manifest: Pick<BundleManifest, "dataset" | "training">,
  tokenizer: Tokenizer,
): { train: IngestedSong[]; validation: IngestedSong[] } {
  const splitOf = new Map(manifest.dataset.files.map((file) => [file.sha256, file.split]));
  const seen = (split: "train" | "validation") =>
    songs
      .filter((song) => splitOf.get(song.sha256) === split)
      .map((song) => songForTraining(song, tokenizer, manifest.training));
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

/** A source training can read again, synchronously: augmentation re-reads a song epoch by epoch. */
export interface RereadableSource extends MidiSource {
  readSync(): Uint8Array;
}

/**
 * Token ↔ id in order of first appearance, for the ids held while files are still being read (the
 * sorted vocabulary exists only once every training stream is known).
 */
class TokenDictionary {
  readonly tokens: string[] = [];
  private readonly ids = new Map<string, number>();

  get size(): number {
    return this.tokens.length;
  }

  /** Ids of `tokens`, adding the new ones; 2 bytes a token while the dictionary fits in 16 bits. */
  idsOf(tokens: readonly string[]): Uint16Array | Int32Array {
    const out =
      this.size + tokens.length <= 0x10000 ? new Uint16Array(tokens.length) : new Int32Array(tokens.length);
    tokens.forEach((token, i) => {
      let id = this.ids.get(token);
      if (id === undefined) {
        id = this.tokens.length;
        this.tokens.push(token);
        this.ids.set(token, id);
      }
      out[i] = id;
    });
    return out;
  }
}

/** A usable song as training holds it: token ids, no notes and no token strings. */
interface CompactSong {
  name: string;
  sha256: string;
  /** Index of the song's file in `CompactIngest.sources`, read again when its notes are needed. */
  source: number;
  /** The song as the model sees it (key-normalised when asked), in ids of `CompactIngest.dictionary`. */
  ids: Uint16Array | Int32Array;
  key: string | null;
}

interface CompactIngest {
  songs: CompactSong[];
  skipped: SkippedFile[];
  /** Files read with repairs (the MIDI reader's warnings): trained on, and listed so nothing is silent. */
  repaired: { name: string; repairs: string[] }[];
  dictionary: TokenDictionary;
  sources: readonly RereadableSource[];
  keyNormalization: TrainingConfig["keyNormalization"];
}

/**
 * `ingest` for training, one file at a time: each song is parsed, key-normalised as
 * `songForTraining` does and tokenized, and only its ids (against a growing dictionary), name, hash
 * and key are kept. Same songs, order and skipped files as `ingest`.
 */
export async function ingestForTraining(
  sources: readonly RereadableSource[],
  tokenizer: Tokenizer,
  keyNormalization: TrainingConfig["keyNormalization"],
): Promise<CompactIngest> {
  const dictionary = new TokenDictionary();
  const songs: CompactSong[] = [];
  const skipped: SkippedFile[] = [];
  const repaired: CompactIngest["repaired"] = [];
  for (const [index, source] of sources.entries()) {
    const song = await songOf(source, tokenizer);
    if (!song.ok) {
      skipped.push({ name: source.name, reason: song.reason });
      continue;
    }
    if (song.repairs.length > 0) repaired.push({ name: source.name, repairs: song.repairs });
    const seen = notesForModel(song.notes, keyNormalization);
    const tokens = seen.key === null ? song.tokens : tokenizer.encode(seen.notes);
    songs.push({
      name: source.name,
      sha256: song.sha256,
      source: index,
      ids: dictionary.idsOf(tokens),
      key: seen.key === null ? null : keyName(seen.key),
    });
  }
  return { songs, skipped, repaired, dictionary, sources, keyNormalization };
}

/** The song's notes as the model sees them, read again from its file (which must not have changed). */
function rereadNotes(
  ingested: Pick<CompactIngest, "sources" | "keyNormalization">,
  song: Pick<CompactSong, "name" | "sha256" | "source">,
): QuarterNote[] {
  const bytes = (ingested.sources[song.source] as RereadableSource).readSync();
  if (sha256Of(bytes) !== song.sha256)
    throw new Error(`${song.name} changed while training read it (its sha256 differs from the one ingested)`);
  const parsed = parseNotes(bytes);
  if (!parsed.ok) throw new Error(`${song.name}: ${parsed.reason}`);
  const seen = notesForModel(parsed.notes, ingested.keyNormalization);
  return seen.key === null ? parsed.notes : seen.notes;
}

/** Dictionary id → vocabulary id, -1 for tokens the vocabulary lacks. */
function vocabularyIds(dictionary: TokenDictionary, vocabulary: Vocabulary): Int32Array {
  return Int32Array.from(dictionary.tokens, (token) => vocabulary.id(token) ?? -1);
}

/** `ids` in vocabulary ids; tokens the vocabulary lacks are dropped and counted in `unknown` (as Vocabulary.encode does). */
function toVocabularyIds(
  ids: Uint16Array | Int32Array,
  remap: Int32Array,
  dictionary: TokenDictionary,
  unknown: Record<string, number>,
): Int32Array {
  const out = new Int32Array(ids.length);
  let count = 0;
  for (const id of ids) {
    const mapped = remap[id] as number;
    if (mapped >= 0) out[count++] = mapped;
    else {
      const token = dictionary.tokens[id] as string;
      unknown[token] = (unknown[token] ?? 0) + 1;
    }
  }
  return count === ids.length ? out : out.slice(0, count);
}

/** One epoch's variant of a training song: transposed (as written if a note would leave 0..127), then stretched. */
function drawnVariant(
  name: string,
  notes: readonly QuarterNote[],
  draw: AugmentationDraw,
  tokenizer: Tokenizer,
  vocabulary: Vocabulary,
): Int32Array {
  const moved = draw.shift === 0 ? notes : (transposeNotes(notes, draw.shift) ?? notes);
  const encoded = vocabulary.encode(
    tokenizer.encode(draw.stretch === 1 ? moved : stretchNotes(moved, draw.stretch)),
  );
  const unknown = Object.keys(encoded.unknown);
  if (unknown.length > 0)
    throw new Error(
      `${name} shifted by ${draw.shift} and stretched by ${draw.stretch} has tokens outside the vocabulary: ${unknown.slice(0, 5).join(", ")}`,
    );
  return encoded.ids;
}

/**
 * Split, vocabulary, ids and augmentation from a compact ingest. The vocabulary holds the training
 * streams' tokens (with augmentation: every transposed copy's, and with a tempo stretch every wait
 * and duration of the timed language, so `random` and `all` share it). Notes are read again from
 * the files only where they are needed: transposed copies (training songs, once here and then per
 * epoch in random mode) and the validation songs' scales.
 */
export function prepareDataset(
  ingested: CompactIngest,
  tokenizer: Tokenizer,
  training: TrainingConfig,
  /** Tokens the vocabulary keeps even where no training stream has them (a fine-tuned model's, so it loses none). */
  keepTokens: readonly string[] = [],
): PreparedDataset {
  const { songs, dictionary } = ingested;
  // The split only looks at the number of songs and the seed.
  const split = splitSongs(
    songs.map((song) => ({ name: song.name, ids: new Int32Array(0) })),
    training,
  );
  const validationNames = new Set(split.validation.map((song) => song.name));
  const trainSongs = songs.filter((song) => !validationNames.has(song.name));
  const validationSongs = songs.filter((song) => validationNames.has(song.name));

  const random = drawsAugmentation(training);
  const used: boolean[] = [];
  const use = (ids: ArrayLike<number>) => {
    for (let i = 0; i < ids.length; i++) used[ids[i] as number] = true;
  };
  const trainStreams: { name: string; ids: Uint16Array | Int32Array }[] = [];
  let augmentSkipped = 0;
  for (const song of trainSongs) {
    trainStreams.push(song);
    use(song.ids);
    if (training.augment.length === 0) continue;
    const notes = rereadNotes(ingested, song);
    for (const shift of training.augment) {
      const copy = transposeNotes(notes, shift);
      if (copy === null) {
        augmentSkipped++;
        continue;
      }
      const ids = dictionary.idsOf(tokenizer.encode(copy));
      use(ids);
      // Random mode only needs the copies' tokens for the vocabulary: it draws them epoch by epoch.
      if (!random) trainStreams.push({ name: `${song.name} (${shift > 0 ? "+" : ""}${shift})`, ids });
    }
  }
  if (random && (training.tempoStretch ?? 0) > 0)
    use(dictionary.idsOf(allTimedTokens().filter((token) => token.startsWith("W") || token.startsWith("D"))));
  const vocabulary = Vocabulary.build([dictionary.tokens.filter((_, id) => used[id] === true), keepTokens]);
  const remap = vocabularyIds(dictionary, vocabulary);
  const train = trainStreams.map((stream) => ({
    name: stream.name,
    ids: toVocabularyIds(stream.ids, remap, dictionary, {}),
  }));

  const unknown: Record<string, number> = {};
  const validation = validationSongs.map((song) => ({
    name: song.name,
    ids: toVocabularyIds(song.ids, remap, dictionary, unknown),
    scaleMask: songScaleMask(rereadNotes(ingested, song)),
  }));
  const sortedUnknown = Object.fromEntries(
    Object.entries(unknown).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
  );
  // The epoch-by-epoch copies need only where each training song's file is, not its ids.
  const trainFiles = trainSongs.map(({ name, sha256, source }) => ({ name, sha256, source }));
  const rereadable = { sources: ingested.sources, keyNormalization: ingested.keyNormalization };
  return {
    vocabulary,
    train,
    validation,
    files: songs.map((song) => ({
      name: song.name,
      sha256: song.sha256,
      tokens: song.ids.length,
      split: validationNames.has(song.name) ? "validation" : "train",
    })),
    keys: Object.fromEntries(songs.flatMap((song) => (song.key === null ? [] : [[song.name, song.key]]))),
    unknownInValidation: {
      dropped: Object.values(unknown).reduce((a, b) => a + b, 0),
      tokens: sortedUnknown,
    },
    augmentedSongs: trainStreams.length - trainSongs.length,
    augmentSkipped,
    ...(random
      ? {
          augmentSong: (song: number, draw: AugmentationDraw) => {
            const file = trainFiles[song] as (typeof trainFiles)[number];
            return drawnVariant(file.name, rereadNotes(rereadable, file), draw, tokenizer, vocabulary);
          },
        }
      : {}),
  };
}

/**
 * `bundleSplit` reading `sources` one at a time: only the files whose sha256 the manifest lists
 * are parsed, and only their notes (as the model saw them) are kept.
 */
export async function readBundleSplit(
  sources: readonly MidiSource[],
  manifest: Pick<BundleManifest, "dataset" | "training">,
  files: readonly Pick<BundleManifest["dataset"]["files"][number], "sha256" | "split">[] = manifest.dataset
    .files,
): Promise<{ train: NamedNotes[]; validation: NamedNotes[] }> {
  const splitOf = new Map(files.map((file) => [file.sha256, file.split]));
  const train: NamedNotes[] = [];
  const validation: NamedNotes[] = [];
  for (const source of sources) {
    const read = await readSource(source);
    const split = read.ok ? splitOf.get(sha256Of(read.bytes)) : undefined;
    const parsed = read.ok && split !== undefined ? parseNotes(read.bytes) : null;
    if (parsed === null || !parsed.ok) continue;
    const seen = notesForModel(parsed.notes, manifest.training.keyNormalization);
    (split === "train" ? train : validation).push({
      name: source.name,
      notes: seen.key === null ? parsed.notes : seen.notes,
    });
  }
  return { train, validation };
}
