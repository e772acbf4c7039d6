import type { QuarterNote } from "@motif/midi";
import type { TokenGrammar, Tokenizer } from "./types.js";
import { assertValidNotes } from "./validate-notes.js";

/**
 * Motif's default token language. Time runs on a grid of 12 steps per quarter (16ths = 3 steps,
 * eighth triplets = 4, sixteenth triplets = 2). Tokens:
 * - `W<n>`  wait n steps (1..48); a longer rest is `W48` repeated, then the remainder.
 * - `V<b>`  velocity bin b (0..7, MIDI velocity / 16), only when it changes; starts at bin 5.
 * - `N<p>`  a note at pitch p (21..108; other pitches folded by octaves into range).
 * - `D<n>`  its duration, right after every `N`: n steps, exact for 1..48, then every 2 steps up
 *           to 96 (8 quarters), then every 12 steps up to 192 (16 quarters); longer is clamped.
 * Notes of one onset come in ascending pitch order, so a voicing has exactly one spelling.
 */
export const TIMED_VERSION = 1;

export const STEPS_PER_QUARTER = 12;
export const MAX_WAIT_STEPS = 48;
export const TIMED_PITCH_MIN = 21;
export const TIMED_PITCH_MAX = 108;
export const VELOCITY_BINS = 8;
const VELOCITY_BIN_WIDTH = 128 / VELOCITY_BINS;
/** The velocity in force before any `V` token (MIDI 80..95, "mezzo-forte"). */
export const DEFAULT_VELOCITY_BIN = 5;

export const DURATION_BINS: readonly number[] = [
  ...Array.from({ length: 48 }, (_, i) => i + 1),
  ...Array.from({ length: 24 }, (_, i) => 50 + 2 * i),
  ...Array.from({ length: 8 }, (_, i) => 108 + 12 * i),
];
const DURATION_BIN_SET = new Set(DURATION_BINS);

/** The duration bin nearest to `steps` (ties go to the shorter bin). */
export function durationBin(steps: number): number {
  let best = DURATION_BINS[0] ?? 1;
  for (const bin of DURATION_BINS) {
    if (Math.abs(bin - steps) < Math.abs(best - steps)) best = bin;
    else if (bin > steps) break;
  }
  return best;
}

export function velocityBin(velocity: number): number {
  return Math.min(VELOCITY_BINS - 1, Math.max(0, Math.floor(velocity / VELOCITY_BIN_WIDTH)));
}

/** The MIDI velocity a bin decodes to: the middle of its range. */
export function binVelocity(bin: number): number {
  return bin * VELOCITY_BIN_WIDTH + VELOCITY_BIN_WIDTH / 2;
}

/** Moves a pitch by octaves into the piano range 21..108. */
export function foldPitch(pitch: number): number {
  let folded = pitch;
  while (folded < TIMED_PITCH_MIN) folded += 12;
  while (folded > TIMED_PITCH_MAX) folded -= 12;
  return folded;
}

interface GridNote {
  step: number;
  pitch: number;
  duration: number;
  velocityBin: number;
}

/** Notes on the grid, sorted by (step, pitch); one note per (step, pitch), the longest wins. */
function toGrid(notes: readonly QuarterNote[]): GridNote[] {
  const byKey = new Map<number, GridNote>();
  for (const note of notes) {
    const step = Math.round(note.startQuarter * STEPS_PER_QUARTER);
    const pitch = foldPitch(note.pitch);
    const duration = durationBin((note.endQuarter - note.startQuarter) * STEPS_PER_QUARTER);
    const key = step * 128 + pitch;
    const existing = byKey.get(key);
    if (existing === undefined || existing.duration < duration) {
      byKey.set(key, { step, pitch, duration, velocityBin: velocityBin(note.velocity) });
    }
  }
  return [...byKey.values()].sort((a, b) => a.step - b.step || a.pitch - b.pitch);
}

function waitTokens(steps: number): string[] {
  const tokens: string[] = [];
  let left = steps;
  while (left > MAX_WAIT_STEPS) {
    tokens.push(`W${MAX_WAIT_STEPS}`);
    left -= MAX_WAIT_STEPS;
  }
  if (left > 0) tokens.push(`W${left}`);
  return tokens;
}

function encodeTimed(notes: readonly QuarterNote[]): string[] {
  assertValidNotes(notes);
  const tokens: string[] = [];
  let time = 0;
  let velocity = DEFAULT_VELOCITY_BIN;
  for (const note of toGrid(notes)) {
    if (note.step > time) tokens.push(...waitTokens(note.step - time));
    time = note.step;
    if (note.velocityBin !== velocity) tokens.push(`V${note.velocityBin}`);
    velocity = note.velocityBin;
    tokens.push(`N${note.pitch}`, `D${note.duration}`);
  }
  return tokens;
}

type Family = "W" | "V" | "N" | "D";
interface ParsedToken {
  family: Family;
  value: number;
}

function inRange(family: Family, value: number): boolean {
  switch (family) {
    case "W":
      return value >= 1 && value <= MAX_WAIT_STEPS;
    case "V":
      return value >= 0 && value < VELOCITY_BINS;
    case "N":
      return value >= TIMED_PITCH_MIN && value <= TIMED_PITCH_MAX;
    case "D":
      return DURATION_BIN_SET.has(value);
  }
}

const parsedCache = new Map<string, ParsedToken | null>();

/** The family and number of a `timed` token, or null when `token` is not one. */
export function parseTimedToken(token: string): ParsedToken | null {
  const cached = parsedCache.get(token);
  if (cached !== undefined) return cached;
  const match = /^([WVND])(0|[1-9]\d{0,2})$/.exec(token);
  let parsed: ParsedToken | null = null;
  if (match !== null) {
    const family = match[1] as Family;
    const value = Number(match[2]);
    if (inRange(family, value)) parsed = { family, value };
  }
  if (parsedCache.size < 10_000) parsedCache.set(token, parsed);
  return parsed;
}

/**
 * The rules: after `N` only `D`; `D` only after `N`; after `V` only `N`; `V` never repeats the
 * velocity in force; within one onset pitches strictly ascend; only `W48` may be followed by
 * another `W`. Every prefix can be continued.
 */
export class TimedGrammar implements TokenGrammar {
  private awaitingDuration = false;
  private afterVelocity = false;
  private waitMayFollow = true;
  private highestPitchAtOnset = TIMED_PITCH_MIN - 1;
  private velocity = DEFAULT_VELOCITY_BIN;

  allows(token: string): boolean {
    const parsed = parseTimedToken(token);
    if (parsed === null) return false;
    if (this.awaitingDuration) return parsed.family === "D";
    switch (parsed.family) {
      case "D":
        return false;
      case "N":
        return parsed.value > this.highestPitchAtOnset;
      case "V":
        return (
          !this.afterVelocity && parsed.value !== this.velocity && this.highestPitchAtOnset < TIMED_PITCH_MAX
        );
      case "W":
        return !this.afterVelocity && this.waitMayFollow;
    }
  }

  push(token: string): void {
    if (!this.allows(token)) throw new Error(`timed grammar: "${token}" cannot follow this prefix`);
    const { family, value } = parseTimedToken(token) as ParsedToken;
    this.afterVelocity = family === "V";
    this.awaitingDuration = family === "N";
    if (family === "N") {
      this.highestPitchAtOnset = value;
      this.waitMayFollow = true;
    } else if (family === "V") {
      this.velocity = value;
    } else if (family === "W") {
      this.highestPitchAtOnset = TIMED_PITCH_MIN - 1;
      this.waitMayFollow = value === MAX_WAIT_STEPS;
    }
  }

  clone(): TimedGrammar {
    const copy = new TimedGrammar();
    copy.awaitingDuration = this.awaitingDuration;
    copy.afterVelocity = this.afterVelocity;
    copy.waitMayFollow = this.waitMayFollow;
    copy.highestPitchAtOnset = this.highestPitchAtOnset;
    copy.velocity = this.velocity;
    return copy;
  }
}

/** Tokens to notes; tokens the grammar rejects at their position are skipped. */
function decodeTimed(tokens: readonly string[]): QuarterNote[] {
  const grammar = new TimedGrammar();
  const notes: QuarterNote[] = [];
  let time = 0;
  let velocity = DEFAULT_VELOCITY_BIN;
  let pendingPitch = 0;
  for (const token of tokens) {
    if (!grammar.allows(token)) continue;
    grammar.push(token);
    const { family, value } = parseTimedToken(token) as ParsedToken;
    if (family === "W") time += value;
    else if (family === "V") velocity = value;
    else if (family === "N") pendingPitch = value;
    else {
      notes.push({
        pitch: pendingPitch,
        velocity: binVelocity(velocity),
        startQuarter: time / STEPS_PER_QUARTER,
        endQuarter: (time + value) / STEPS_PER_QUARTER,
      });
    }
  }
  return notes;
}

/** Every token of the language, in a stable order (families W, V, N, D). */
export function allTimedTokens(): string[] {
  return [
    ...Array.from({ length: MAX_WAIT_STEPS }, (_, i) => `W${i + 1}`),
    ...Array.from({ length: VELOCITY_BINS }, (_, i) => `V${i}`),
    ...Array.from({ length: TIMED_PITCH_MAX - TIMED_PITCH_MIN + 1 }, (_, i) => `N${TIMED_PITCH_MIN + i}`),
    ...DURATION_BINS.map((bin) => `D${bin}`),
  ];
}

export const timedTokenizer: Tokenizer = {
  kind: "timed",
  version: TIMED_VERSION,
  encode: encodeTimed,
  decode: (tokens) => decodeTimed(tokens),
  createGrammar: () => new TimedGrammar(),
  isToken: (token) => parseTimedToken(token) !== null,
  pitchClassesOf: (token) => {
    const parsed = parseTimedToken(token);
    return parsed?.family === "N" ? [parsed.value % 12] : null;
  },
};
