import { notesChordsTokenizer } from "./notes-chords.js";
import { timedTokenizer } from "./timed.js";
import { TOKENIZER_KINDS, type Tokenizer, type TokenizerKind } from "./types.js";

const TOKENIZERS: Record<TokenizerKind, Tokenizer> = {
  "notes-chords": notesChordsTokenizer,
  timed: timedTokenizer,
};

export function isTokenizerKind(value: unknown): value is TokenizerKind {
  return typeof value === "string" && (TOKENIZER_KINDS as readonly string[]).includes(value);
}

/** The tokenizer of a kind; throws for anything that is not a `TokenizerKind`. */
export function getTokenizer(kind: TokenizerKind): Tokenizer {
  if (!isTokenizerKind(kind)) {
    throw new Error(`unknown tokenizer "${String(kind)}"; expected one of ${TOKENIZER_KINDS.join(", ")}`);
  }
  return TOKENIZERS[kind];
}
