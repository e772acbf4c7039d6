// The file's first bytes: an optional RIFF RMID wrapper, then the MThd header chunk. A header
// that can be read at all is read, with a warning for each field that had to be interpreted.
import { chunkId, describeBytes, hex, u16, u32, u32le } from "./byte-reading.js";
import { MidiParseError } from "./errors.js";
import { MAX_INPUT_BYTES } from "./limits.js";
import type { SmfHeader } from "./raw-smf.js";
import type { WarningLog } from "./warnings.js";

/** The bytes that hold the SMF: the whole input, or the "data" chunk of an RMID file. */
interface SmfWindow {
  start: number;
  end: number;
  /** Set for RMID files, for messages. */
  container: string | null;
}

const FALLBACK_TICKS_PER_QUARTER = 480;

/** Checks the size, then finds the SMF (inside a RIFF RMID wrapper if there is one). */
export function findSmf(bytes: Uint8Array, log: WarningLog): SmfWindow {
  if (bytes.length === 0) throw new MidiParseError("empty", "file is empty (0 bytes)", { byteOffset: 0 });
  if (bytes.length > MAX_INPUT_BYTES) {
    throw new MidiParseError(
      "too-large",
      `file is ${bytes.length} bytes; the limit is ${MAX_INPUT_BYTES} bytes (64 MiB)`,
      { byteOffset: 0 },
    );
  }
  if (bytes.length >= 4 && chunkId(bytes, 0) === "RIFF") return unwrapRiff(bytes, log);
  return { start: 0, end: bytes.length, container: null };
}

/**
 * RIFF RMID (.rmi): "RIFF" <size, little-endian> "RMID", then RIFF chunks (padded to even
 * lengths); the "data" chunk holds a whole SMF. Its length is trusted up to the end of the file.
 */
function unwrapRiff(bytes: Uint8Array, log: WarningLog): SmfWindow {
  const notMidi = (detail: string, byteOffset: number) =>
    new MidiParseError("not-midi", detail, { byteOffset });
  if (bytes.length < 12)
    throw notMidi(`RIFF file is cut off at byte ${bytes.length}, before its form type`, bytes.length);
  const form = chunkId(bytes, 8);
  if (form !== "RMID")
    throw notMidi(
      `RIFF file of form "${form.replace(/[^\x20-\x7e]/g, "?")}" is not a RIFF MIDI file (RMID)`,
      8,
    );
  for (let at = 12; at + 8 <= bytes.length;) {
    const length = u32le(bytes, at + 4);
    if (chunkId(bytes, at) === "data") {
      const start = at + 8;
      if (start + length > bytes.length) {
        log.add(
          "chunk-length",
          `RIFF "data" chunk length ${length} runs past end of file at byte ${bytes.length}; read to the end`,
          { byteOffset: at + 4 },
        );
      }
      return { start, end: Math.min(start + length, bytes.length), container: 'RMID "data" chunk' };
    }
    at += 8 + length + (length & 1);
  }
  throw notMidi('RIFF MIDI file (RMID) holds no "data" chunk', 12);
}

/**
 * Reads MThd at the start of the window. Refuses only what leaves nothing to read: no "MThd",
 * or fewer than the header's 14 bytes. Format, track count and division are interpreted:
 * format > 2 is read as 1, division 0 as 480 ticks per quarter, and SMPTE division as
 * `frames × ticks per frame` ticks per quarter at a fixed tempo that makes a quarter one second.
 */
export function readHeader(
  bytes: Uint8Array,
  window: SmfWindow,
  log: WarningLog,
): { header: SmfHeader; end: number } {
  const { start, end } = window;
  if (end - start < 4 || chunkId(bytes, start) !== "MThd") {
    const inside = window.container ? ` (inside the ${window.container})` : "";
    throw new MidiParseError(
      "not-midi",
      `not a Standard MIDI File: expected "MThd" at byte ${start}${inside}, found ${describeBytes(bytes, start, Math.min(4, end - start)) || "nothing"}`,
      {
        byteOffset: start,
      },
    );
  }
  if (end - start < 14) {
    throw new MidiParseError(
      "truncated",
      `header chunk is cut off: file ends at byte ${end}, a header needs 14 bytes`,
      { byteOffset: end },
    );
  }
  const length = u32(bytes, start + 4);
  let headerEnd = start + 8 + length;
  if (length < 6 || headerEnd > end) {
    const why = length < 6 ? "is below the minimum of 6" : `runs past end of file at byte ${end}`;
    log.add(
      "header-length",
      `header chunk length ${length} ${why}; read its 6 bytes and looked for tracks after them`,
      { byteOffset: start + 4 },
    );
    headerEnd = start + 14;
  }
  let format = u16(bytes, start + 8);
  if (format > 2) {
    log.add("bad-format", `format ${format} is not 0, 1 or 2; read as format 1`, { byteOffset: start + 8 });
    format = 1;
  }
  const declaredTracks = u16(bytes, start + 10);
  const division = readDivision(u16(bytes, start + 12), start + 12, log);
  return { header: { format: format as 0 | 1 | 2, declaredTracks, ...division }, end: headerEnd };
}

function readDivision(
  division: number,
  at: number,
  log: WarningLog,
): Pick<SmfHeader, "ticksPerQuarter" | "fixedMicrosecondsPerQuarter"> {
  const fallback = { ticksPerQuarter: FALLBACK_TICKS_PER_QUARTER, fixedMicrosecondsPerQuarter: null };
  if (division === 0) {
    log.add("bad-division", `ticks per quarter note is 0; read as ${FALLBACK_TICKS_PER_QUARTER}`, {
      byteOffset: at,
    });
    return fallback;
  }
  if ((division & 0x8000) === 0) return { ticksPerQuarter: division, fixedMicrosecondsPerQuarter: null };
  // SMPTE: the high byte is minus the frame rate (-24, -25, -29 for 29.97 drop frame, -30), the
  // low byte ticks per frame. Time is then absolute: no beats, and tempo events do not apply.
  const frames = 256 - (division >> 8);
  const ticksPerFrame = division & 0xff;
  const described = `SMPTE time division (${hex(division >> 8)} ${hex(ticksPerFrame)}: ${frames === 29 ? "29.97 drop-frame" : frames} frames per second, ${ticksPerFrame} ticks per frame)`;
  if (ticksPerFrame === 0) {
    log.add(
      "bad-division",
      `${described} has 0 ticks per frame; read as ${FALLBACK_TICKS_PER_QUARTER} ticks per quarter`,
      { byteOffset: at },
    );
    return fallback;
  }
  // 29 means 30 nominal frames played at 30000/1001 per second.
  const nominal = frames === 29 ? 30 : frames;
  const microsecondsPerQuarter = frames === 29 ? 1_001_000 : 1_000_000;
  const ticksPerQuarter = nominal * ticksPerFrame;
  const unusual = [24, 25, 29, 30].includes(frames) ? "" : " (not a standard frame rate)";
  log.add(
    "smpte-division",
    `${described}${unusual}: read as ${ticksPerQuarter} ticks per quarter at ${60e6 / microsecondsPerQuarter === 60 ? "60" : (60e6 / microsecondsPerQuarter).toFixed(2)} bpm, a quarter per second; tempo events do not apply`,
    { byteOffset: at },
  );
  return { ticksPerQuarter, fixedMicrosecondsPerQuarter: microsecondsPerQuarter };
}
