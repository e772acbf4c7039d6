// The fields of a Composer recipe the gallery does not let a listener choose, shared by the server
// (what a Piece row means) and the generation worker (the recipe it composes). With them a gallery
// piece is the CLI's `generate --primer-length 48 --keep-primer` (guard on, style motif, bpm 120):
// byte-identical MIDI (src/server/generation/byte-identity.integration.test.ts).
export const GALLERY_RECIPE = {
  /** Tokens a corpus snippet or an uploaded file contributes. */
  primerLength: 48,
  /**
   * The piece starts with its primer's notes: the gallery always showed them on the roll, a corpus
   * snippet's provenance names the song it came from, and pieces stored before the Composer replay
   * to the same notes.
   */
  keepPrimer: true,
  repetitionGuard: true,
  style: "motif",
  /** The Piece table has no tempo column: every gallery piece is written, drawn and played at this. */
  bpm: 120,
} as const;

/**
 * An uploaded primer's caps, the same on the server and the device: its bytes and its notes
 * (checked before tokenizing, since the Composer tokenizes the whole file).
 */
export const MAX_UPLOAD_BYTES = 1024 * 1024;
export const MAX_PRIMER_NOTES = 20_000;

/**
 * The furthest into a radio stream a shared cut may start: the server checks it by composing the
 * stream from its first token, so offset + length tokens of work (20,000: about 18 minutes into the built-in model's stream).
 */
export const MAX_STREAM_OFFSET = 20_000;
