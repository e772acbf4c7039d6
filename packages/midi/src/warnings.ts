import type { MidiErrorCode } from "./errors.js";
import { MAX_WARNINGS } from "./limits.js";

/** What the reader repaired or left out; see the README's table for each code. */
export type MidiWarningCode =
  | "header-length"
  | "bad-format"
  | "format-0-tracks"
  | "track-count"
  | "bad-division"
  | "smpte-division"
  | "unknown-chunk"
  | "skipped-bytes"
  | "chunk-length"
  | "truncated"
  | "cut-event"
  | "no-end-of-track"
  | "events-after-end-of-track"
  | "stray-status"
  | "running-status-after-meta"
  | "bad-data-byte"
  | "no-running-status"
  | "long-vlq"
  | "bad-meta"
  | "tick-limit"
  | "more-warnings";

/**
 * One repair, said out loud. `byteOffset` is a position in the input, `track` the 0-based track
 * chunk index (as in `Note.track`) or null for the header and bytes between chunks.
 *
 * @example
 * { code: "stray-status", byteOffset: 208, track: 0, message: "track 0: skipped real-time byte 0xF8 at byte 208" }
 */
export interface MidiWarning {
  code: MidiWarningCode;
  byteOffset: number;
  track: number | null;
  message: string;
}

/**
 * The error a file with no notes left throws, by the warning that explains why. Only warnings
 * that mean bytes of the file were not read as events count ("lossy"); a clean file without
 * notes, or one whose only repairs lost nothing, still parses.
 */
const LOSSY: Partial<Record<MidiWarningCode, MidiErrorCode>> = {
  "header-length": "bad-header",
  "track-count": "too-many-tracks",
  "skipped-bytes": "bad-chunk",
  "chunk-length": "bad-chunk",
  truncated: "truncated",
  "cut-event": "bad-chunk",
  "no-running-status": "bad-event",
  "tick-limit": "too-large",
};

interface WarningLocation {
  byteOffset: number;
  track?: number | null;
  /** Warnings of one code, track and group are folded into one; default: one per byte offset. */
  group?: string | number;
  lossy?: boolean;
}

interface LossyWarning {
  code: MidiErrorCode;
  detail: string;
  byteOffset: number;
  track: number | null;
}

interface Entry {
  warning: MidiWarning;
  repeats: number;
}

/**
 * Collects warnings for one parse. Repeats of one kind in one track (`group`, e.g. the same stray
 * byte) are folded into their first occurrence, and at most MAX_WARNINGS distinct ones are kept,
 * so a file of a million stray bytes costs a handful of objects.
 */
export class WarningLog {
  private readonly entries = new Map<string, Entry>();
  private dropped = 0;
  private firstLossy: LossyWarning | null = null;

  /** `lossy: false` overrides the code's default (a header declaring fewer tracks than found loses nothing). */
  add(code: MidiWarningCode, detail: string, location: WarningLocation): void {
    const track = location.track ?? null;
    const errorCode = LOSSY[code];
    if (errorCode && location.lossy !== false && this.firstLossy === null) {
      this.firstLossy = { code: errorCode, detail, byteOffset: location.byteOffset, track };
    }
    const key = `${code}|${track}|${location.group ?? location.byteOffset}`;
    const existing = this.entries.get(key);
    if (existing) {
      existing.repeats++;
      return;
    }
    if (this.entries.size >= MAX_WARNINGS) {
      this.dropped++;
      return;
    }
    const message = track === null ? detail : `track ${track}: ${detail}`;
    this.entries.set(key, { warning: { code, byteOffset: location.byteOffset, track, message }, repeats: 0 });
  }

  /** The first warning that lost bytes, for the error of a file left without notes. */
  lossy(): LossyWarning | null {
    return this.firstLossy;
  }

  /** In byte order (stable), repeats counted in the message. */
  list(): MidiWarning[] {
    const warnings = [...this.entries.values()]
      .map(({ warning, repeats }) =>
        repeats === 0
          ? warning
          : { ...warning, message: `${warning.message} (and ${repeats} more like it in this track)` },
      )
      .sort((a, b) => a.byteOffset - b.byteOffset);
    if (this.dropped > 0) {
      const last = warnings[warnings.length - 1]!;
      warnings.push({
        code: "more-warnings",
        byteOffset: last.byteOffset,
        track: null,
        message: `${this.dropped} more repairs not listed (at most ${MAX_WARNINGS} kinds are)`,
      });
    }
    return warnings;
  }
}
