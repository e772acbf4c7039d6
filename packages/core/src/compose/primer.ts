// Primers: what a piece starts from. Nothing, a seeded window of one of the model's training
// songs, the start of a MIDI file, or tokens chosen earlier (a stored recipe). Bytes in; the app
// reads files and folders.
import { pianoNotes, tryParseMidi, type QuarterNote } from "@motif/midi";
import type { BundleManifest } from "../bundle/manifest.js";
import { sha256HexSync } from "../primitives/sha256.js";
import { keyName, notesForModel } from "../evaluation/key.js";
import { createRng, randomInt } from "../primitives/rng.js";
import { TokenizerError, type Tokenizer } from "../tokenizer/types.js";
import type { Vocabulary } from "../tokenizer/vocabulary.js";
import { ComposeError } from "./errors.js";

/** A corpus song as bytes; the songs a corpus primer may use are matched to the bundle by sha256. */
export interface CorpusSong {
  name: string;
  bytes: Uint8Array;
}

/** Where a piece starts from (the recipe's `primer`). */
export type PrimerSource =
  | { kind: "none" }
  /** A window of one of the bundle's training songs found among `songs`, both chosen by the seed. */
  | { kind: "corpus"; songs: readonly CorpusSong[] }
  /** The start of a MIDI file; `name` goes into the recipe. */
  | { kind: "midi"; name: string; bytes: Uint8Array }
  /** Tokens resolved before (a stored piece), with the description and key shift they were resolved with. */
  | { kind: "tokens"; tokens: readonly string[]; description: string; keyShift: number };

/** A resolved primer. */
export interface Primer {
  tokens: string[];
  /** How the primer was chosen: the recipe's `primer` line. */
  description: string;
  /** Dropped tokens and the like, for the listener. */
  warnings: string[];
  /** Semitones the primer's notes were moved by (key normalisation); 0 when they were not moved. */
  keyShift: number;
}

/** What resolving a primer needs of a loaded bundle. */
export interface PrimerModel {
  manifest: Pick<BundleManifest, "dataset" | "training">;
  tokenizer: Tokenizer;
  vocabulary: Vocabulary;
}

export const NO_PRIMER: Readonly<Primer> = Object.freeze({
  tokens: [],
  description: "none",
  warnings: [],
  keyShift: 0,
});

/**
 * The tokens a fresh grammar accepts, in order (the others are dropped): a window cut from the
 * middle of a song, or a file with unknown tokens removed, may start in a state the grammar
 * would refuse (e.g. a duration without its note), and generation feeds the primer to the grammar.
 */
export function keepGrammatical(
  tokens: readonly string[],
  tokenizer: Pick<Tokenizer, "createGrammar">,
): { kept: string[]; dropped: number } {
  const grammar = tokenizer.createGrammar();
  const kept: string[] = [];
  for (const token of tokens) {
    if (!grammar.allows(token)) continue;
    grammar.push(token);
    kept.push(token);
  }
  return { kept, dropped: tokens.length - kept.length };
}

function droppedWarning(dropped: number): string[] {
  return dropped === 0
    ? []
    : [
        `primer: dropped ${dropped} token(s) that cannot start a piece or no longer follow after unknown tokens were removed`,
      ];
}

/** The song's piano notes as the model saw them in training (moved to C major / A minor for a key-normalised model). */
function songForModel(
  model: PrimerModel,
  name: string,
  bytes: Uint8Array,
): { notes: QuarterNote[]; keyShift: number; keyNote: string } {
  const parsed = tryParseMidi(bytes);
  if (!parsed.ok)
    throw new ComposeError(
      "bad-primer-file",
      `${name} is not a MIDI file Motif can read: ${parsed.error.message}`,
    );
  const seen = notesForModel(pianoNotes(parsed.sequence), model.manifest.training.keyNormalization);
  return {
    notes: seen.notes,
    keyShift: seen.shift,
    keyNote: seen.key === null ? "" : ` key=${keyName(seen.key).replace(" ", "-")}`,
  };
}

/** The model's encoding of notes; notes no tokenizer can represent make the file a bad primer. */
function encodeSong(
  model: PrimerModel,
  name: string,
  notes: readonly QuarterNote[],
): { ids: Int32Array; unknown: Record<string, number> } {
  try {
    return model.vocabulary.encode(model.tokenizer.encode(notes));
  } catch (error) {
    if (error instanceof TokenizerError)
      throw new ComposeError("bad-primer-file", `${name}: ${error.message}`);
    throw error;
  }
}

/** Seeded choice (a stream derived from the generation seed) of a training song and a window in it. */
export function corpusPrimer(
  model: PrimerModel,
  songs: readonly CorpusSong[],
  args: { seed: number; length: number },
): Primer {
  const wanted = new Set(
    model.manifest.dataset.files.filter((file) => file.split === "train").map((file) => file.sha256),
  );
  const available = songs.filter((song) => wanted.has(sha256HexSync(song.bytes)));
  if (available.length === 0)
    throw new ComposeError(
      "corpus-not-found",
      `none of the model's ${wanted.size} training songs are among the ${songs.length} corpus songs given (they are matched by sha256)`,
    );
  // A stream separate from the sampler's, derived from the same seed, so the recipe stays one number.
  const rng = createRng((args.seed ^ 0x5eed5eed) >>> 0);
  const song = available[randomInt(rng, available.length)] as CorpusSong;
  const source = songForModel(model, song.name, song.bytes);
  const tokens = model.vocabulary.decode(encodeSong(model, song.name, source.notes).ids);
  const length = Math.min(args.length, tokens.length);
  const start = randomInt(rng, tokens.length - length + 1);
  const { kept, dropped } = keepGrammatical(tokens.slice(start, start + length), model.tokenizer);
  return {
    tokens: kept,
    description: `corpus:${song.name}@${start}+${length}${source.keyNote}`,
    warnings: droppedWarning(dropped),
    keyShift: source.keyShift,
  };
}

/** The first `length` tokens of a MIDI file the model knows, in an order its grammar accepts. */
export function midiPrimer(
  model: PrimerModel,
  file: { name: string; bytes: Uint8Array },
  length: number,
): Primer {
  const source = songForModel(model, file.name, file.bytes);
  const encoded = encodeSong(model, file.name, source.notes);
  const warnings: string[] = [];
  const unknown = Object.entries(encoded.unknown);
  if (unknown.length > 0) {
    const count = unknown.reduce((sum, [, n]) => sum + n, 0);
    warnings.push(
      `primer: dropped ${count} token(s) the model's vocabulary does not know: ${unknown
        .slice(0, 8)
        .map(([t, n]) => `${t}×${n}`)
        .join(", ")}`,
    );
  }
  const { kept, dropped } = keepGrammatical(model.vocabulary.decode(encoded.ids), model.tokenizer);
  warnings.push(...droppedWarning(dropped));
  const tokens = kept.slice(0, length);
  if (tokens.length === 0)
    throw new ComposeError("empty-primer", `${file.name} has no piano notes the model knows`);
  return {
    tokens,
    description: `file:${file.name} sha256=${sha256HexSync(file.bytes).slice(0, 16)} tokens=${tokens.length}${source.keyNote}`,
    warnings,
    keyShift: source.keyShift,
  };
}

/** Tokens resolved before, checked against the vocabulary and the grammar (generation would refuse them). */
export function tokensPrimer(model: PrimerModel, source: Extract<PrimerSource, { kind: "tokens" }>): Primer {
  const grammar = model.tokenizer.createGrammar();
  source.tokens.forEach((token, position) => {
    if (model.vocabulary.id(token) === undefined)
      throw new ComposeError(
        "bad-primer-tokens",
        `primer token ${position} "${token}" is not in the model's vocabulary`,
      );
    if (!grammar.allows(token))
      throw new ComposeError(
        "bad-primer-tokens",
        `primer token ${position} "${token}" does not follow the tokens before it`,
      );
    grammar.push(token);
  });
  return {
    tokens: [...source.tokens],
    description: source.description,
    warnings: [],
    keyShift: source.keyShift,
  };
}

/**
 * The primer a source gives for this seed and length.
 * @example resolvePrimer(bundle, { kind: "midi", name: "intro.mid", bytes }, { seed: 7, length: 32 })
 */
export function resolvePrimer(
  model: PrimerModel,
  source: PrimerSource,
  args: { seed: number; length: number },
): Primer {
  switch (source.kind) {
    case "none":
      return { ...NO_PRIMER, tokens: [], warnings: [] };
    case "corpus":
      return corpusPrimer(model, source.songs, args);
    case "midi":
      return midiPrimer(model, source, args.length);
    case "tokens":
      return tokensPrimer(model, source);
  }
}
