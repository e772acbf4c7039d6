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
 * Events at this tick or later end their track (warning "tick-limit"): 0x0FFFFFFF is the longest
 * gap a 4-byte delta time holds, about 16 days at 480 ticks per quarter and 120 bpm, and keeping
 * every note end at or below it means whatever is read can be written back.
 */
export const MAX_TICK = 0x0fffffff;
/** Distinct warnings listed per file; the rest are counted in one last warning. */
export const MAX_WARNINGS = 100;
