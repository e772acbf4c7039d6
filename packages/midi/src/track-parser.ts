// The events of one MTrk chunk. Strict about what it reads (every byte is accounted for) and
// recovering where lenient readers are: stray system bytes are skipped, a data byte with its top
// bit set is read as its low 7 bits, and each repair is logged as a warning. Only the caps throw.
import { count, hex, isTrackIdAt } from "./byte-reading.js";
import { MidiParseError } from "./errors.js";
import { MAX_EVENTS, MAX_NOTES, MAX_TICK } from "./limits.js";
import type { RawTrack } from "./raw-smf.js";
import { decodeText } from "./text-codec.js";
import type { MidiWarningCode, WarningLog } from "./warnings.js";

/** Shared across tracks so the caps apply to the whole file. */
export interface ParseBudget {
  events: number;
  notes: number;
}

/** Why reading stopped; `end` is the byte after the last one read. */
export type TrackEnding =
  | { how: "end-of-track"; end: number }
  | { how: "limit"; end: number }
  | { how: "next-track"; end: number }
  /** An event runs past the limit; `end` is where it starts (it is dropped). */
  | { how: "cut"; end: number; what: string };

/** Data bytes of the system common messages; real-time and undefined status bytes have none. */
const SYSTEM_DATA_BYTES: Record<number, number> = { 0xf1: 1, 0xf2: 2, 0xf3: 1 };

function systemKind(status: number): string {
  if (status === 0xf4 || status === 0xf5 || status === 0xf9 || status === 0xfd)
    return "undefined status byte";
  return status >= 0xf8 ? "real-time byte" : "system common byte";
}

/** Thrown inside the parser when an event runs past the limit; never escapes `read`. */
class EventCut extends Error {
  constructor(readonly what: string) {
    super(what);
  }
}

/**
 * Parses the events of one track chunk. Running status continues across meta and sysex events,
 * with a warning: the SMF spec says they cancel it, but mido and @tonejs/midi read on, and a
 * data byte there has no other meaning. `read` can be called again to read on past an
 * end-of-track event, with the track's tick and running status kept.
 */
export class TrackParser {
  readonly track: RawTrack;
  private at: number;
  private limit = 0;
  private tick = 0;
  private runningStatus = -1;
  private afterMetaOrSysex = false;
  /** The next event's status byte is at `at`, with no delta time before it (a resync). */
  private statusPending = false;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly index: number,
    start: number,
    private readonly budget: ParseBudget,
    private readonly log: WarningLog,
  ) {
    this.at = start;
    this.track = {
      index,
      name: null,
      noteEvents: [],
      programChanges: [],
      tempos: [],
      timeSignatures: [],
      texts: [],
      endTick: 0,
    };
  }

  /** Reads events up to `limit`; `stopAtTrackId` also stops at an "MTrk" between events. */
  read(limit: number, stopAtTrackId: boolean): TrackEnding {
    this.limit = limit;
    while (this.at < limit) {
      const eventStart = this.at;
      this.track.endTick = this.tick;
      if (!this.statusPending && stopAtTrackId && isTrackIdAt(this.bytes, eventStart, limit))
        return { how: "next-track", end: eventStart };
      if (++this.budget.events > MAX_EVENTS)
        this.fail(`more than ${MAX_EVENTS} events; the limit is ${MAX_EVENTS} events per file`, eventStart);
      try {
        const ending = this.event(eventStart);
        if (ending) return ending;
      } catch (error) {
        if (error instanceof EventCut) return { how: "cut", end: eventStart, what: error.what };
        throw error;
      }
    }
    this.track.endTick = this.tick;
    return { how: "limit", end: this.at };
  }

  private fail(detail: string, byteOffset: number): never {
    throw new MidiParseError("too-large", detail, { byteOffset, track: this.index });
  }

  private warn(code: MidiWarningCode, detail: string, byteOffset: number, group?: string | number): void {
    this.log.add(code, detail, { byteOffset, track: this.index, group });
  }

  /** Reads one event; returns how the track ends when it does. */
  private event(eventStart: number): TrackEnding | null {
    if (this.statusPending) {
      this.statusPending = false;
    } else {
      const delta = this.vlq("delta time");
      // Past the last tick is no music (16 days of silence), but the events after such a delta
      // usually are: they are kept, at the tick they follow.
      if (this.tick + delta > MAX_TICK) {
        const reached = Number.isSafeInteger(this.tick + delta)
          ? `tick ${this.tick + delta}`
          : "a tick beyond 2^53";
        this.log.add(
          "tick-limit",
          `delta time at byte ${eventStart} puts the next event at ${reached}, past the last tick (${MAX_TICK}); read as 0`,
          {
            byteOffset: eventStart,
            track: this.index,
            group: "delta",
            lossy: false,
          },
        );
      } else {
        this.tick += delta;
      }
    }
    const statusAt = this.at;
    const first = this.byte("event");
    if (first < 0x80 && this.runningStatus < 0) return this.skipToStatus(statusAt, first);
    if (first < 0x80) {
      this.at--;
      if (this.afterMetaOrSysex) {
        this.warn(
          "running-status-after-meta",
          `running status ${hex(this.runningStatus)} continues after a meta or sysex event at byte ${statusAt} (the SMF spec says they cancel it)`,
          statusAt,
          "running",
        );
      }
      this.channelMessage(this.runningStatus, statusAt);
    } else if (first < 0xf0) {
      this.channelMessage(first, statusAt);
    } else if (first === 0xff) {
      return this.meta(statusAt);
    } else if (first === 0xf0 || first === 0xf7) {
      const length = this.vlq("sysex length");
      // The message is built only when it is needed: this runs for every sysex event.
      if (this.at + length > this.limit) throw new EventCut(`sysex event of length ${length}`);
      this.at += length;
      this.afterMetaOrSysex = true;
    } else {
      this.systemMessage(first, statusAt);
    }
    return null;
  }

  /** A data byte with no running status: skip to the next status byte and read on from there. */
  private skipToStatus(at: number, first: number): null {
    let next = at;
    while (next < this.limit && this.bytes[next]! < 0x80) next++;
    const where = next < this.limit ? `up to the status byte at byte ${next}` : "to the end of the chunk";
    this.warn(
      "no-running-status",
      `data byte ${hex(first)} at byte ${at} with no running status to continue: skipped ${count(next - at, "byte")} ${where}`,
      at,
      "no-running-status",
    );
    this.at = next;
    this.statusPending = true;
    return null;
  }

  private channelMessage(status: number, statusAt: number): void {
    this.runningStatus = status;
    this.afterMetaOrSysex = false;
    const kind = status >> 4;
    const what = CHANNEL_EVENT_NAMES[kind]!;
    const first = this.dataByte(what, statusAt);
    // A note-on velocity byte that is not 0 makes a note for every reader; its low 7 bits alone must not turn it into a note-off.
    const second = kind === 0xc || kind === 0xd ? 0 : this.dataByte(what, statusAt, kind === 0x9 ? 0x7f : 0);
    const channel = status & 0x0f;
    if (kind === 0x9 || kind === 0x8) {
      const velocity = kind === 0x9 ? second : 0;
      let tick = this.tick;
      if (velocity > 0 && tick === MAX_TICK) {
        tick = MAX_TICK - 1;
        this.log.add(
          "tick-limit",
          `note-on at byte ${statusAt} on the last tick (${MAX_TICK}) would have no tick left to sound; read one tick earlier`,
          {
            byteOffset: statusAt,
            track: this.index,
            group: "last-tick",
            lossy: false,
          },
        );
      }
      if (velocity > 0 && ++this.budget.notes > MAX_NOTES)
        this.fail(`more than ${MAX_NOTES} notes; the limit is ${MAX_NOTES} notes per file`, statusAt);
      this.track.noteEvents.push({ tick, channel, pitch: first, velocity });
    } else if (kind === 0xc) {
      this.track.programChanges.push({ tick: this.tick, channel, program: first });
    }
  }

  /**
   * A data byte. One with its top bit set is read as its low 7 bits (`zeroAs` if those are 0):
   * that undoes a flipped top bit exactly, and it keeps the following events where @tonejs/midi
   * and mido (clip=True) read them, so every note they find after it is found here too.
   */
  private dataByte(what: string, statusAt: number, zeroAs = 0): number {
    const at = this.at;
    const value = this.byte(what);
    if (value < 0x80) return value;
    const repaired = value & 0x7f || zeroAs;
    this.warn(
      "bad-data-byte",
      `${what} at byte ${statusAt}: data byte ${hex(value)} at byte ${at} is not below 0x80; read as ${hex(repaired)}`,
      at,
      "data-byte",
    );
    return repaired;
  }

  private meta(statusAt: number): TrackEnding | null {
    const typeAt = this.at;
    const type = this.byte("meta event");
    const length = this.vlq("meta event length");
    if (this.at + length > this.limit) throw new EventCut(`meta event ${hex(type)} of length ${length}`);
    this.at += length;
    const data = this.bytes.subarray(this.at - length, this.at);
    this.afterMetaOrSysex = true;
    if (type === 0x2f) {
      this.track.endTick = this.tick;
      return { how: "end-of-track", end: this.at };
    }
    if (type >= 0x80)
      this.warn(
        "bad-meta",
        `meta event type ${hex(type)} at byte ${typeAt} is not below 0x80; skipped as unknown`,
        statusAt,
        type,
      );
    else this.readMeta(type, data, statusAt);
    return null;
  }

  private readMeta(type: number, data: Uint8Array, at: number): void {
    const track = this.track;
    switch (type) {
      case 0x01:
        track.texts.push(decodeText(data));
        return;
      case 0x03:
        track.name ??= decodeText(data).replace(/\0+$/, "");
        return;
      case 0x51: {
        const microsecondsPerQuarter = data.length === 3 ? (data[0]! << 16) + (data[1]! << 8) + data[2]! : 0;
        if (data.length !== 3)
          this.warn(
            "bad-meta",
            `tempo meta event at byte ${at} has length ${data.length}, expected 3; skipped`,
            at,
          );
        else if (microsecondsPerQuarter === 0)
          this.warn(
            "bad-meta",
            `tempo meta event at byte ${at} sets 0 microseconds per quarter note; skipped`,
            at,
          );
        else track.tempos.push({ tick: this.tick, microsecondsPerQuarter });
        return;
      }
      case 0x58: {
        const [numerator = 0, power = 0] = data;
        if (data.length < 2)
          this.warn(
            "bad-meta",
            `time signature meta event at byte ${at} has length ${data.length}, expected 4; skipped`,
            at,
          );
        else if (numerator === 0 || power > 7)
          this.warn(
            "bad-meta",
            `time signature meta event at byte ${at} is ${numerator}/2^${power}; skipped`,
            at,
          );
        else track.timeSignatures.push({ tick: this.tick, numerator, denominator: 2 ** power });
        return;
      }
      default:
        return;
    }
  }

  /** System common, real-time and undefined status bytes: skipped with the data bytes the MIDI spec gives them. */
  private systemMessage(status: number, statusAt: number): void {
    const wanted = SYSTEM_DATA_BYTES[status] ?? 0;
    let count = 0;
    while (count < wanted && this.at < this.limit && this.bytes[this.at]! < 0x80) {
      this.at++;
      count++;
    }
    const data = count === 0 ? "" : ` and its ${count} data byte${count === 1 ? "" : "s"}`;
    this.warn(
      "stray-status",
      `skipped ${systemKind(status)} ${hex(status)}${data} at byte ${statusAt}`,
      statusAt,
      status,
    );
  }

  private byte(what: string): number {
    if (this.at >= this.limit) throw new EventCut(what);
    return this.bytes[this.at++]!;
  }

  /**
   * A variable-length quantity. The spec allows 4 bytes; longer ones (padded with 0x80 by some
   * writers) are read anyway, as mido and @tonejs/midi do, with a warning. The value can only
   * grow to Infinity, which the tick cap and the length checks then refuse.
   */
  private vlq(what: string): number {
    const start = this.at;
    let value = 0;
    let next: number;
    do {
      next = this.byte(what);
      value = value * 128 + (next & 0x7f);
    } while (next >= 0x80);
    const length = this.at - start;
    if (length > 4)
      this.warn(
        "long-vlq",
        `${what}: variable-length quantity at byte ${start} is ${length} bytes long, more than the 4 the spec allows; read anyway`,
        start,
        "vlq",
      );
    return value;
  }
}

/** Indexed by the status byte's high nibble (0x8..0xE). */
const CHANNEL_EVENT_NAMES: Record<number, string> = {
  0x8: "note-off event",
  0x9: "note-on event",
  0xa: "key pressure event",
  0xb: "control change event",
  0xc: "program change event",
  0xd: "channel pressure event",
  0xe: "pitch bend event",
};
