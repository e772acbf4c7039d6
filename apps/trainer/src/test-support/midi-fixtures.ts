// Small MIDI files built in code for tests (no third-party files).
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { writeMidi, type QuarterNote } from "@motif/midi";

/** A C-major phrase over a bass note, `bars` bars long. */
function phrase(bars: number, transpose = 0): QuarterNote[] {
  const melody = [0, 2, 4, 5, 7, 5, 4, 2];
  const notes: QuarterNote[] = [];
  for (let bar = 0; bar < bars; bar++) {
    melody.forEach((step, i) =>
      notes.push({
        pitch: 60 + step + transpose,
        velocity: 80,
        startQuarter: bar * 4 + i * 0.5,
        endQuarter: bar * 4 + i * 0.5 + 0.5,
      }),
    );
    notes.push({ pitch: 48 + transpose, velocity: 60, startQuarter: bar * 4, endQuarter: bar * 4 + 4 });
  }
  return notes;
}

/**
 * A format-0 file written byte by byte: a piano C4 (note-off), a channel-10 kick and a D4
 * ended by note-on velocity 0. Three note-ons with velocity > 0, one of them a drum.
 */
export function midiWithDrums(): Uint8Array {
  const track = [
    0x00,
    0x90,
    60,
    80, // piano C4 on
    0x00,
    0x99,
    36,
    100, // drum (channel 10) kick on
    0x83,
    0x60,
    0x80,
    60,
    64, // 480 ticks later: C4 off
    0x00,
    0x89,
    36,
    64, // kick off
    0x00,
    0x90,
    62,
    80, // D4 on
    0x83,
    0x60,
    0x90,
    62,
    0, // 480 ticks later: D4 "on" with velocity 0 = off
    0x00,
    0xff,
    0x2f,
    0x00, // end of track
  ];
  const header = [0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xe0];
  const trackHeader = [0x4d, 0x54, 0x72, 0x6b, 0, 0, 0, track.length];
  return new Uint8Array([...header, ...trackHeader, ...track]);
}

export const BROKEN_MIDI = new TextEncoder().encode("this is not a MIDI file, just text with a .mid name");

/** Writes `files` (relative path → bytes) under `dir`, creating folders. */
export async function writeFiles(dir: string, files: Record<string, Uint8Array | string>): Promise<void> {
  for (const [relative, bytes] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
    await writeFile(path.join(dir, relative), bytes);
  }
}

export function phraseFile(bars: number, transpose = 0, title = "phrase"): Uint8Array {
  return writeMidi({ notes: phrase(bars, transpose), title });
}
