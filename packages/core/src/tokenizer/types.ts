import type { QuarterNote } from "@motif/midi";

/** The token languages, in the order messages list them. */
export const TOKENIZER_KINDS = ["notes-chords", "timed"] as const;
export type TokenizerKind = (typeof TOKENIZER_KINDS)[number];

/** How `notes-chords` tokens become notes again; `timed` ignores it (its tokens carry timing). */
export interface DecodeOptions {
  /**
   * `seed`: the seed notebook's output (one event every 0.5 quarter, quarter-note durations, chords
   * at octave 4, velocity 90 = music21's default). `motif` (default): close voicings around middle
   * C, each event held until the next one, softer chords under the melody.
   */
  style?: "seed" | "motif";
}

/** A token language: which token may follow a prefix. Mutable and cheap to clone for sampling. */
export interface TokenGrammar {
  /** Advance by one token. A token the grammar does not allow is a programming error: it throws. */
  push(token: string): void;
  allows(token: string): boolean;
  clone(): TokenGrammar;
}

export interface Tokenizer {
  readonly kind: TokenizerKind;
  /** Bumped whenever the token language changes; bundles record it. */
  readonly version: number;
  /** Piano notes (use `pianoNotes(seq)` first) to tokens. Throws `TokenizerError` on invalid notes. */
  encode(notes: readonly QuarterNote[]): string[];
  /** Tokens to notes sorted by (startQuarter, pitch). Tolerant: skips tokens its grammar rejects. */
  decode(tokens: readonly string[], options?: DecodeOptions): QuarterNote[];
  /** Grammar used to mask sampling so no impossible token is ever drawn. */
  createGrammar(): TokenGrammar;
  /** True when `token` belongs to this tokenizer's language (at some position). */
  isToken(token: string): boolean;
  /** The pitch classes (0..11) a token sounds, or null for tokens that sound no note (waits, durations, velocities). */
  pitchClassesOf(token: string): readonly number[] | null;
}

/** Invalid input to a tokenizer (e.g. a note with a NaN start or a pitch outside 0..127). */
export class TokenizerError extends Error {
  override readonly name = "TokenizerError";
}
