// Test and benchmark helpers for the real corpus (third-party files, read from ../shared, never copied).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { QuarterNote } from "@motif/midi";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../..");

/** The corpus folder (env MOTIF_CORPUS_DIR, else <repoRoot>/../shared/datasets/final-fantasy), or null. */
export function findCorpusDir(): string | null {
  const dir = process.env.MOTIF_CORPUS_DIR ?? join(repoRoot, "../shared/datasets/final-fantasy");
  return existsSync(dir) ? dir : null;
}

interface CorpusFile {
  name: string;
  bytes: Uint8Array;
}

export function readCorpus(dir: string): CorpusFile[] {
  return readdirSync(dir)
    .filter((name) => /\.midi?$/i.test(name))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) }));
}

const TOLERANCE = 1 / 12 + 1e-6;

/**
 * How many `original` notes reappear in `decoded` with the same pitch, and onset and duration each
 * within one grid step (1/12 quarter).
 * - `sounding` (default): a decoded note may account for several originals. Unison doublings (two
 *   tracks striking the same key at the same time) are one sound on a piano; `timed` merges them.
 * - `one-to-one`: every decoded note accounts for at most one original, so merged doublings count
 *   as lost.
 */
export function countKeptNotes(
  original: readonly QuarterNote[],
  decoded: readonly QuarterNote[],
  mode: "sounding" | "one-to-one" = "sounding",
): number {
  const byPitch = new Map<number, { note: QuarterNote; used: boolean }[]>();
  for (const note of decoded) {
    const list = byPitch.get(note.pitch) ?? [];
    list.push({ note, used: false });
    byPitch.set(note.pitch, list);
  }
  let kept = 0;
  for (const note of original) {
    const duration = note.endQuarter - note.startQuarter;
    const match = (byPitch.get(note.pitch) ?? []).find(
      (candidate) =>
        !candidate.used &&
        Math.abs(candidate.note.startQuarter - note.startQuarter) <= TOLERANCE &&
        Math.abs(candidate.note.endQuarter - candidate.note.startQuarter - duration) <= TOLERANCE,
    );
    if (match !== undefined) {
      match.used = mode === "one-to-one";
      kept++;
    }
  }
  return kept;
}
