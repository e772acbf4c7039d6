// Today's in-memory path, frozen as it was before the compact ingest (every song's notes and token
// strings held until training starts): the "before" of bench:memory and the oracle dataset.test.ts
// checks the compact path against. Not used by any command.
import {
  Vocabulary,
  allTimedTokens,
  drawsAugmentation,
  splitSongs,
  type AugmentationDraw,
  type Tokenizer,
  type TrainingConfig,
} from "@motif/core";
import {
  songForTraining,
  songScaleMask,
  stretchNotes,
  transposeNotes,
  type IngestedSong,
  type PreparedDataset,
} from "./dataset.js";

/** The song's transposed copies (augment order), skipping those that would leave 0..127. */
function* transposedCopies(
  song: IngestedSong,
  tokenizer: Tokenizer,
  shifts: readonly number[],
): Generator<{ name: string; tokens: string[] } | null> {
  for (const shift of shifts) {
    const moved = transposeNotes(song.notes, shift);
    yield moved === null
      ? null
      : { name: `${song.name} (${shift > 0 ? "+" : ""}${shift})`, tokens: tokenizer.encode(moved) };
  }
}

/**
 * Every token random draws can produce: those of every transposed copy (the vocabulary `all` mode
 * would build, so both modes share it) and, with a tempo stretch, every wait and duration of the
 * timed language (a stretched song can land on any of them). Streamed: no copy is kept.
 */
function* drawableStreams(
  songs: readonly IngestedSong[],
  tokenizer: Tokenizer,
  training: TrainingConfig,
  onSkipped: () => void,
): Generator<readonly string[]> {
  for (const song of songs) {
    yield song.tokens;
    for (const copy of transposedCopies(song, tokenizer, training.augment)) {
      if (copy === null) onSkipped();
      else yield copy.tokens;
    }
  }
  if ((training.tempoStretch ?? 0) > 0)
    yield allTimedTokens().filter((token) => token.startsWith("W") || token.startsWith("D"));
}

/** One epoch's variant of a training song: transposed (as written if a note would leave 0..127), then stretched. */
function drawnVariant(
  song: IngestedSong,
  draw: AugmentationDraw,
  tokenizer: Tokenizer,
  vocabulary: Vocabulary,
): Int32Array {
  const moved = draw.shift === 0 ? song.notes : (transposeNotes(song.notes, draw.shift) ?? song.notes);
  const encoded = vocabulary.encode(
    tokenizer.encode(draw.stretch === 1 ? moved : stretchNotes(moved, draw.stretch)),
  );
  const unknown = Object.keys(encoded.unknown);
  if (unknown.length > 0)
    throw new Error(
      `${song.name} shifted by ${draw.shift} and stretched by ${draw.stretch} has tokens outside the vocabulary: ${unknown.slice(0, 5).join(", ")}`,
    );
  return encoded.ids;
}

export function prepareDatasetInMemory(
  ingested: readonly IngestedSong[],
  tokenizer: Tokenizer,
  training: TrainingConfig,
): PreparedDataset {
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
  const vocabulary = Vocabulary.build(
    random
      ? drawableStreams(trainSongs, tokenizer, training, () => augmentSkipped++)
      : trainStreams.map((stream) => stream.tokens),
  );
  const train = trainStreams.map((stream) => ({
    name: stream.name,
    ids: vocabulary.encode(stream.tokens).ids,
  }));
  const scales = new Map(validationSongs.map((song) => [song.name, songScaleMask(song.notes)]));

  const unknown: Record<string, number> = {};
  const validation = validationSongs.map((song) => {
    const encoded = vocabulary.encode(song.tokens);
    for (const [token, count] of Object.entries(encoded.unknown))
      unknown[token] = (unknown[token] ?? 0) + count;
    return { name: song.name, ids: encoded.ids, scaleMask: scales.get(song.name) as number };
  });
  const sortedUnknown = Object.fromEntries(
    Object.entries(unknown).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
  );
  return {
    vocabulary,
    train,
    validation,
    files: songs.map((song) => ({
      name: song.name,
      sha256: song.sha256,
      tokens: song.tokens.length,
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
          augmentSong: (song: number, draw: AugmentationDraw) =>
            drawnVariant(trainSongs[song] as IngestedSong, draw, tokenizer, vocabulary),
        }
      : {}),
  };
}
