// Typed errors of composing: the app maps each code to its own words (a CLI flag, a form field)
// instead of matching message text.

/**
 * What went wrong:
 * - `invalid-recipe`: a recipe field out of range (the message names it).
 * - `unknown-key`: the key is not "as-trained", "primer" or a key such as "D minor".
 * - `bad-primer-file`: primer bytes that are not a MIDI file Motif can read.
 * - `empty-primer`: a primer with no notes (or none the model's vocabulary knows).
 * - `bad-primer-tokens`: given primer tokens the vocabulary or the grammar refuses.
 * - `primer-too-long`: more primer tokens than the model's context (a windowed model's window).
 * - `corpus-not-found`: none of the model's training songs are among the corpus songs given.
 * - `key-needs-piece`: an open-ended stream asked for a named key on a model trained on keys as
 *   written (that shift is estimated from the finished piece, which a stream never is).
 */
export type ComposeErrorCode =
  | "invalid-recipe"
  | "unknown-key"
  | "bad-primer-file"
  | "empty-primer"
  | "bad-primer-tokens"
  | "primer-too-long"
  | "corpus-not-found"
  | "key-needs-piece";

/** A recipe or primer the Composer cannot make a piece from; `code` says which kind. */
export class ComposeError extends Error {
  override readonly name = "ComposeError";

  constructor(
    readonly code: ComposeErrorCode,
    message: string,
  ) {
    super(message);
  }
}
