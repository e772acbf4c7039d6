// Primers for `generate`: a seeded window of a training song, or the start of a MIDI file.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createRng, keyName, notesForModel, randomInt, type BundleManifest, type Tokenizer, type Vocabulary } from "@motif/core";
import { pianoNotes, tryParseMidi, type QuarterNote } from "@motif/midi";
import { CliError } from "./command-args.js";
import { sha256Of, type MidiSource } from "./dataset.js";

export interface Primer {
  tokens: string[];
  /** How the primer was chosen, for the recipe. */
  description: string;
  /** Notes about dropped tokens etc., printed to stderr. */
  warnings: string[];
  /** Semitones the primer's notes were moved by (key normalisation); 0 when they were not moved. */
  keyShift: number;
}

/** The notes a primer is cut from: moved to C major / A minor for a key-normalised model, as in training. */
export function primerNotes(notes: QuarterNote[], normalize: boolean): { notes: QuarterNote[]; keyShift: number; key: string | null } {
  const seen = notesForModel(notes, normalize ? "song" : "none");
  return { notes: seen.notes, keyShift: seen.shift, key: seen.key === null ? null : keyName(seen.key) };
}

const keyNote = (key: string | null): string => (key === null ? "" : ` key=${key.replace(" ", "-")}`);

/**
 * The tokens a fresh grammar accepts, in order (the others are dropped): a window cut from the
 * middle of a song, or a file with unknown tokens removed, may start in a state the grammar
 * would refuse (e.g. a duration without its note), and generation feeds the primer to the grammar.
 */
export function keepGrammatical(tokens: readonly string[], tokenizer: Tokenizer): { kept: string[]; dropped: number } {
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
  return dropped === 0 ? [] : [`primer: dropped ${dropped} token(s) that cannot start a piece or no longer follow after unknown tokens were removed`];
}

/** Seeded (from the generation seed) choice of a training song and a window in it. */
export async function corpusPrimer(args: { manifest: BundleManifest; sources: readonly MidiSource[]; tokenizer: Tokenizer; vocabulary: Vocabulary; seed: number; length: number; normalize: boolean }): Promise<Primer> {
  const wanted = new Map(args.manifest.dataset.files.filter((f) => f.split === "train").map((f) => [f.sha256, f.name]));
  const available: { name: string; bytes: Uint8Array }[] = [];
  for (const source of args.sources) {
    const bytes = await source.read();
    if (wanted.has(sha256Of(bytes))) available.push({ name: source.name, bytes });
  }
  if (available.length === 0) throw new CliError("--primer corpus: none of the model's training files were found; pass --data with the folder it was trained on");
  // A stream separate from the sampler's, derived from the same seed, so the recipe stays one number.
  const rng = createRng((args.seed ^ 0x5eed5eed) >>> 0);
  const song = available[randomInt(rng, available.length)]!;
  const parsed = tryParseMidi(song.bytes);
  if (!parsed.ok) throw new CliError(`--primer corpus: ${song.name}: ${parsed.error.message}`);
  const source = primerNotes(pianoNotes(parsed.sequence), args.normalize);
  const ids = args.vocabulary.encode(args.tokenizer.encode(source.notes)).ids;
  const tokens = args.vocabulary.decode(ids);
  const length = Math.min(args.length, tokens.length);
  const start = randomInt(rng, tokens.length - length + 1);
  const { kept, dropped } = keepGrammatical(tokens.slice(start, start + length), args.tokenizer);
  return { tokens: kept, description: `corpus:${song.name}@${start}+${length}${keyNote(source.key)}`, warnings: droppedWarning(dropped), keyShift: source.keyShift };
}

export async function filePrimer(args: { file: string; tokenizer: Tokenizer; vocabulary: Vocabulary; length: number; normalize: boolean }): Promise<Primer> {
  const bytes = await readFile(args.file).catch(() => null);
  if (bytes === null) throw new CliError(`--primer: file not found: ${args.file}`);
  const parsed = tryParseMidi(new Uint8Array(bytes));
  if (!parsed.ok) throw new CliError(`--primer ${args.file}: ${parsed.error.message}`);
  const source = primerNotes(pianoNotes(parsed.sequence), args.normalize);
  const encoded = args.vocabulary.encode(args.tokenizer.encode(source.notes));
  const warnings: string[] = [];
  const unknown = Object.entries(encoded.unknown);
  if (unknown.length > 0) {
    const count = unknown.reduce((sum, [, n]) => sum + n, 0);
    warnings.push(`primer: dropped ${count} token(s) the model's vocabulary does not know: ${unknown.slice(0, 8).map(([t, n]) => `${t}×${n}`).join(", ")}`);
  }
  const { kept, dropped } = keepGrammatical(args.vocabulary.decode(encoded.ids), args.tokenizer);
  warnings.push(...droppedWarning(dropped));
  const tokens = kept.slice(0, args.length);
  if (tokens.length === 0) throw new CliError(`--primer ${args.file}: no piano notes the model knows`);
  return { tokens, description: `file:${path.basename(args.file)} sha256=${sha256Of(new Uint8Array(bytes)).slice(0, 16)} tokens=${tokens.length}${keyNote(source.key)}`, warnings, keyShift: source.keyShift };
}
