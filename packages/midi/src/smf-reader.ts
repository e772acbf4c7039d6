// A strict, recovering Standard MIDI File reader: header, chunk walk, and each track's events.
// Strict: every byte is read as the spec says, or the reader says what it did instead (a
// warning with its code, byte offset and track). Recovering: a wrong chunk length, a cut file or
// a stray byte costs the bytes it spoils and no more. Only unusable input throws MidiParseError.
import { chunkId, count, findTrackId, isChunkId, isTrackIdAt, u32, withArticle } from "./byte-reading.js";
import { MidiParseError } from "./errors.js";
import { MAX_TRACKS } from "./limits.js";
import type { RawTrack, SmfFile, SmfHeader } from "./raw-smf.js";
import { findSmf, readHeader } from "./smf-header.js";
import { TrackParser, type ParseBudget, type TrackEnding } from "./track-parser.js";
import { WarningLog } from "./warnings.js";

const CHUNK_HEADER_BYTES = 8;

/** A chunk header whose length fits the file ("MTrk" always counts: a cut last track is still one). */
function isChunkAt(bytes: Uint8Array, at: number, end: number): boolean {
  if (at + CHUNK_HEADER_BYTES > end || !isChunkId(bytes, at, end)) return false;
  return isTrackIdAt(bytes, at, end) || at + CHUNK_HEADER_BYTES + u32(bytes, at + 4) <= end;
}

interface Walk {
  bytes: Uint8Array;
  end: number;
  log: WarningLog;
  budget: ParseBudget;
  tracks: RawTrack[];
}

/**
 * Reads one MTrk chunk at `at`; returns where the next chunk starts. A declared length that
 * lands at the end of the file or on another chunk is trusted; any other (past the end of the
 * file, or into the middle of something) is not, and the track is read up to its end-of-track
 * event or the next "MTrk" instead.
 */
function readTrackChunk(walk: Walk, at: number): number {
  const { bytes, end } = walk;
  const start = at + CHUNK_HEADER_BYTES;
  const declaredEnd = start + u32(bytes, at + 4);
  const trusted = declaredEnd <= end && (declaredEnd === end || isChunkAt(bytes, declaredEnd, end));
  const parser = new TrackParser(bytes, walk.tracks.length, start, walk.budget, walk.log);
  walk.tracks.push(parser.track);
  const ending = parser.read(trusted ? declaredEnd : end, !trusted);
  if (ending.how === "end-of-track") return afterEndOfTrack(walk, parser, ending.end, at, trusted);
  return trusted
    ? afterTrustedTrack(walk, parser.track.index, ending, declaredEnd)
    : afterUntrustedTrack(walk, parser.track.index, ending, at);
}

/**
 * An end-of-track event with more of its declared chunk after it came too early: mido and
 * @tonejs/midi read on to the declared end, and so does this reader, up to an "MTrk" that the
 * length swallowed (then the length was too long, and the next track starts there).
 */
function afterEndOfTrack(
  walk: Walk,
  parser: TrackParser,
  eotEnd: number,
  at: number,
  trusted: boolean,
): number {
  const { bytes, end, log } = walk;
  const index = parser.track.index;
  const length = u32(bytes, at + 4);
  const declaredEnd = at + CHUNK_HEADER_BYTES + length;
  const bound = Math.min(declaredEnd, end);
  const nextTrack = eotEnd < bound ? findTrackId(bytes, eotEnd, bound) : -1;
  const readOnTo = nextTrack >= 0 ? nextTrack : Math.max(bound, eotEnd);
  let ending: TrackEnding = { how: "end-of-track", end: eotEnd };
  if (readOnTo > eotEnd) {
    log.add(
      "events-after-end-of-track",
      `${count(readOnTo - eotEnd, "byte")} of the chunk follow its end-of-track event at byte ${eotEnd - 4}; read them as events too, up to byte ${readOnTo}`,
      {
        byteOffset: eotEnd - 4,
        track: index,
      },
    );
    while (ending.how === "end-of-track" && ending.end < readOnTo) ending = parser.read(readOnTo, false);
    // The track had ended: what fails to read after its end-of-track event costs nothing.
    if (ending.how === "cut")
      log.add(
        "cut-event",
        `${ending.what} at byte ${ending.end} runs past byte ${readOnTo}; dropped, and the track ends there`,
        { byteOffset: ending.end, track: index, lossy: false },
      );
  }
  if (nextTrack >= 0) {
    log.add(
      "chunk-length",
      `chunk length ${length} runs past the next "MTrk" at byte ${nextTrack}; the track ends there`,
      { byteOffset: at + 4, track: index },
    );
    return nextTrack;
  }
  if (!trusted && declaredEnd !== readOnTo) {
    const declared =
      declaredEnd > end ? `runs past end of file at byte ${end}` : `ends at byte ${declaredEnd}`;
    const found =
      readOnTo === eotEnd
        ? `its end-of-track event ends at byte ${readOnTo}`
        : `the file ends at byte ${readOnTo}`;
    log.add("chunk-length", `chunk length ${length} ${declared}, but ${found}; read up to there`, {
      byteOffset: at + 4,
      track: index,
    });
  }
  return readOnTo;
}

function afterTrustedTrack(walk: Walk, index: number, ending: TrackEnding, declaredEnd: number): number {
  const { log } = walk;
  switch (ending.how) {
    case "limit":
      log.add(
        "no-end-of-track",
        `chunk ends at byte ${declaredEnd} without an end-of-track event; the track ends at its last event`,
        { byteOffset: declaredEnd, track: index },
      );
      return declaredEnd;
    case "cut":
      log.add(
        "cut-event",
        `${ending.what} at byte ${ending.end} runs past the end of its chunk at byte ${declaredEnd}; dropped, and the track ends there`,
        { byteOffset: ending.end, track: index },
      );
      return declaredEnd;
    default:
      return declaredEnd;
  }
}

function afterUntrustedTrack(walk: Walk, index: number, ending: TrackEnding, at: number): number {
  const { bytes, end, log } = walk;
  const length = u32(bytes, at + 4);
  const declaredEnd = at + CHUNK_HEADER_BYTES + length;
  const where = { byteOffset: at + 4, track: index };
  const lengthNote = `chunk length ${length} ${declaredEnd > end ? `runs past end of file at byte ${end}` : `ends at byte ${declaredEnd}`}`;
  switch (ending.how) {
    case "next-track":
      log.add(
        "chunk-length",
        `${lengthNote}, but the next "MTrk" starts at byte ${ending.end}, with no end-of-track before it; read up to there`,
        where,
      );
      return ending.end;
    case "cut":
      log.add(
        "truncated",
        `${lengthNote}: the file ends inside ${withArticle(ending.what)} at byte ${ending.end}; kept the events before it`,
        where,
      );
      return end;
    default:
      if (declaredEnd > end)
        log.add(
          "truncated",
          `${lengthNote}; kept the events up to the cut, without an end-of-track event`,
          where,
        );
      else
        log.add(
          "chunk-length",
          `${lengthNote}, inside its events; read to the end of the file and found no end-of-track event`,
          where,
        );
      return end;
  }
}

/** Skips a chunk that is not MTrk (as the SMF spec asks), or bytes that are no chunk at all. */
function skipOther(walk: Walk, at: number): number {
  const { bytes, end, log } = walk;
  if (isChunkId(bytes, at, end) && at + CHUNK_HEADER_BYTES <= end) {
    const id = chunkId(bytes, at);
    const length = u32(bytes, at + 4);
    const next = at + CHUNK_HEADER_BYTES + length;
    if (next <= end) {
      log.add("unknown-chunk", `skipped "${id}" chunk of ${count(length, "byte")} at byte ${at}`, {
        byteOffset: at,
      });
      return next;
    }
    const track = findTrackId(bytes, at + CHUNK_HEADER_BYTES, end);
    const then = track >= 0 ? `read on at the "MTrk" at byte ${track}` : "nothing after it was read";
    log.add("truncated", `"${id}" chunk length ${length} runs past end of file at byte ${end}; ${then}`, {
      byteOffset: at + 4,
    });
    return track >= 0 ? track : end;
  }
  const track = findTrackId(bytes, at, end);
  const next = track >= 0 ? track : end;
  const what = end - at < CHUNK_HEADER_BYTES && track < 0 ? ", too few for a chunk" : " that are not a chunk";
  const until = track >= 0 ? `, up to the "MTrk" at byte ${track}` : "";
  log.add("skipped-bytes", `skipped ${count(next - at, "byte")} at byte ${at}${what}${until}`, {
    byteOffset: at,
  });
  return next;
}

/** Walks every chunk after the header, reading each MTrk chunk (all of them, whatever the header declares). */
function readChunks(walk: Walk, start: number): void {
  for (let at = start; at < walk.end;) {
    if (isTrackIdAt(walk.bytes, at, walk.end)) {
      if (walk.tracks.length >= MAX_TRACKS) {
        throw new MidiParseError(
          "too-many-tracks",
          `more than ${MAX_TRACKS} track chunks; the limit is ${MAX_TRACKS} tracks`,
          { byteOffset: at },
        );
      }
      at = at + CHUNK_HEADER_BYTES <= walk.end ? readTrackChunk(walk, at) : cutChunkHeader(walk, at);
    } else {
      at = skipOther(walk, at);
    }
  }
}

function cutChunkHeader(walk: Walk, at: number): number {
  // No track was read from it, so the warning names none.
  walk.log.add(
    "truncated",
    `track chunk header at byte ${at} is cut off by end of file at byte ${walk.end}`,
    { byteOffset: at },
  );
  return walk.end;
}

/** Format and track count as found, against what the header declared. */
function reconcileHeader(header: SmfHeader, found: number, headerStart: number, log: WarningLog): SmfHeader {
  if (found !== header.declaredTracks) {
    const detail =
      found < header.declaredTracks
        ? `header declares ${count(header.declaredTracks, "track")} but the file holds only ${count(found, "track chunk")}`
        : `header declares ${count(header.declaredTracks, "track")} but the file holds ${count(found, "track chunk")}; read them all`;
    log.add("track-count", detail, { byteOffset: headerStart + 10, lossy: found < header.declaredTracks });
  }
  if (header.format === 0 && found > 1) {
    log.add("format-0-tracks", `format 0 file holds ${found} track chunks; read as format 1`, {
      byteOffset: headerStart + 8,
    });
    return { ...header, format: 1 };
  }
  return header;
}

/**
 * Header, chunk walk, then the events of every track chunk. Throws MidiParseError for input
 * with nothing to read (see `parseMidi`); everything else comes back with its warnings.
 */
export function readSmf(bytes: Uint8Array): SmfFile & { warnings: WarningLog } {
  const log = new WarningLog();
  const window = findSmf(bytes, log);
  const { header: declared, end: headerEnd } = readHeader(bytes, window, log);
  const walk: Walk = { bytes, end: window.end, log, budget: { events: 0, notes: 0 }, tracks: [] };
  readChunks(walk, headerEnd);
  const header = reconcileHeader(declared, walk.tracks.length, window.start, log);
  if (walk.tracks.length === 0) {
    const detail =
      header.declaredTracks === 0
        ? "header declares 0 tracks and the file holds no track chunks"
        : `header declares ${count(header.declaredTracks, "track")} but the file holds no track chunks`;
    throw new MidiParseError(
      header.declaredTracks === 0 ? "bad-header" : "too-many-tracks",
      `${detail} (file ends at byte ${window.end})`,
      { byteOffset: headerEnd },
    );
  }
  const lossy = log.lossy();
  if (walk.budget.notes === 0 && lossy) {
    throw new MidiParseError(lossy.code, `${lossy.detail} (no notes could be recovered)`, {
      byteOffset: lossy.byteOffset,
      track: lossy.track,
    });
  }
  return { header, tracks: walk.tracks, warnings: log };
}
