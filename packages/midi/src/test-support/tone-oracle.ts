// @tonejs/midi as an independent lenient reader: every note it finds must be found here too.
import pkg from "@tonejs/midi";
import { MAX_TICK } from "../limits.js";
import type { Note } from "../types.js";

const { Midi } = pkg;

/**
 * The notes @tonejs/midi finds in `bytes` that `ours` lacks, counted as a multiset; null when it
 * refuses the file. `by: "pitch@tick"` compares placement too; `by: "pitch"` only counts notes
 * per pitch, for corrupted files where readers may place notes differently (it trusts a chunk
 * length that swallows the next track, so it plays that track late). Its notes no reader can
 * keep are left out: pitches and velocities above 127 (it keeps raw data bytes, so a status byte
 * read as data makes a note) and ticks outside 0..MAX_TICK (its 32-bit delta arithmetic overflows).
 */
export function notesOnlyToneFinds(
  bytes: Uint8Array,
  ours: readonly Note[],
  by: "pitch@tick" | "pitch" = "pitch@tick",
): string[] | null {
  if (declaresMoreThanFile(bytes)) return null;
  let theirs: string[];
  try {
    theirs = new Midi(bytes).tracks.flatMap((track) =>
      track.notes
        .filter((n) => n.midi >= 0 && n.midi <= 127 && n.velocity <= 1 && n.ticks >= 0 && n.ticks <= MAX_TICK)
        .map((n) => (by === "pitch" ? `${n.midi}` : `${n.midi}@${n.ticks}`)),
    );
  } catch {
    return null;
  }
  const left = new Map<string, number>();
  for (const note of ours) {
    const key = by === "pitch" ? `${note.pitch}` : `${note.pitch}@${note.startTick}`;
    left.set(key, (left.get(key) ?? 0) + 1);
  }
  return theirs.filter((key) => {
    const count = left.get(key) ?? 0;
    left.set(key, count - 1);
    return count <= 0;
  });
}

/**
 * True when a meta or sysex event declares more bytes than the whole file: @tonejs/midi then
 * allocates that many (midi-file pushes byte by byte past the end) and runs out of memory, as it
 * did on a 1,432-byte file declaring a 234 GB meta event (structure fuzz, seed 99, case 1436).
 * Found by scanning for the event shapes, so it errs towards skipping.
 */
function declaresMoreThanFile(bytes: Uint8Array): boolean {
  for (let at = 0; at + 2 < bytes.length; at++) {
    const status = bytes[at]!;
    const lengthAt = status === 0xff ? at + 2 : status === 0xf0 || status === 0xf7 ? at + 1 : -1;
    if (lengthAt < 0) continue;
    let length = 0;
    for (let i = lengthAt; i < bytes.length && i < lengthAt + 8; i++) {
      length = length * 128 + (bytes[i]! & 0x7f);
      if (bytes[i]! < 0x80) break;
    }
    if (length > bytes.length) return true;
  }
  return false;
}
