export * from "./types.js";
export { MidiParseError, type MidiErrorCode } from "./errors.js";
export { parseMidi, tryParseMidi, type ParseMidiOptions } from "./parse-midi.js";
export { writeMidi } from "./write-midi.js";
export { pianoNotes, quantize } from "./piano-notes.js";
export { MAX_EVENTS, MAX_INPUT_BYTES } from "./smf-reader.js";
