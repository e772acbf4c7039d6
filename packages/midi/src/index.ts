export * from "./types.js";
export { MidiParseError, type MidiErrorCode } from "./errors.js";
export {
  parseMidi,
  parseMidiWithWarnings,
  tryParseMidi,
  type ParseMidiOptions,
  type ParsedMidi,
} from "./parse-midi.js";
export type { MidiWarning, MidiWarningCode } from "./warnings.js";
export { writeMidi } from "./write-midi.js";
export { pianoNotes, quantize } from "./piano-notes.js";
export { MAX_EVENTS, MAX_INPUT_BYTES, MAX_NOTES, MAX_TICK, MAX_TRACKS, MAX_WARNINGS } from "./limits.js";
