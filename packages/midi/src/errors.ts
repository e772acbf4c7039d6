/** Why a byte string could not be read as a Standard MIDI File. */
export type MidiErrorCode =
  | "empty"
  | "not-midi"
  | "bad-header"
  | "truncated"
  | "bad-chunk"
  | "too-many-tracks"
  | "bad-event"
  | "too-large";

/**
 * The only error `parseMidi` throws. The message names what is wrong and where, e.g.
 * `track 3: chunk length 9000 runs past end of file at byte 812`. `track` is the 0-based index of
 * the track chunk (the same index as `Note.track`), `byteOffset` the position in the input.
 */
export class MidiParseError extends Error {
  override readonly name = "MidiParseError";
  readonly code: MidiErrorCode;
  readonly byteOffset: number | null;
  readonly track: number | null;

  constructor(
    code: MidiErrorCode,
    detail: string,
    location: { byteOffset?: number | null; track?: number | null } = {},
  ) {
    const track = location.track ?? null;
    super(track === null ? detail : `track ${track}: ${detail}`);
    this.code = code;
    this.byteOffset = location.byteOffset ?? null;
    this.track = track;
  }
}
