// Caps that bound the time and memory of every parse. Each is named in the message of the
// error (or warning) that enforces it.

/** Inputs above this are refused before any work ("too-large"). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;
/** Events above this (all tracks together, skipped bytes included) are refused ("too-large"). */
export const MAX_EVENTS = 2_000_000;
/** Note-ons (velocity > 0, all tracks) above this are refused ("too-large"). */
export const MAX_NOTES = 1_000_000;
/** Track chunks above this are refused ("too-many-tracks"): the most a header can declare. */
export const MAX_TRACKS = 65_535;
/**
 * The last tick (warning "tick-limit"): a delta time that would carry a track past it is read as
 * 0, and a note-on on it is read one tick earlier (so it can sound). 0x0FFFFFFF is the longest
 * gap a 4-byte delta time holds, about 16 days at 480 ticks per quarter and 120 bpm; with every
 * note ending by it, whatever is read can be written back.
 */
export const MAX_TICK = 0x0fffffff;
/** Distinct warnings listed per file; the rest are counted in one last warning. */
export const MAX_WARNINGS = 100;
