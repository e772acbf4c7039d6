// Locates the real corpus (third-party files, never copied into the repo) for tests and the
// benchmark: <repoRoot>/../shared/datasets/final-fantasy, or $MOTIF_CORPUS_DIR.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(fileURLToPath(new URL("../../../../", import.meta.url)));
const DEFAULT_CORPUS_DIR = resolve(repoRoot, "../shared/datasets/final-fantasy");
const configured = process.env.MOTIF_CORPUS_DIR;

export const corpusDir: string | null = (() => {
  const dir = configured ? resolve(configured) : DEFAULT_CORPUS_DIR;
  return existsSync(dir) && statSync(dir).isDirectory() ? dir : null;
})();

/** True when the tests run on the seed's 92-file corpus (not a user-supplied folder). */
export const isDefaultCorpus = corpusDir !== null && !configured;

export const corpusSkipReason = `(skipped: ${configured ?? "../shared/datasets/final-fantasy"} not found)`;

interface CorpusFile {
  name: string;
  bytes: Uint8Array;
}

export function readCorpus(): CorpusFile[] {
  if (!corpusDir) return [];
  return readdirSync(corpusDir)
    .filter((name) => /\.midi?$/i.test(name))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(corpusDir!, name))) }));
}

/** The clean corpora recovery must never change, beside the repo in ../shared/datasets. */
export const REGRESSION_CORPORA = ["final-fantasy", "mutopia-keyboard/midi"].map((relative) => ({
  relative,
  dir: resolve(repoRoot, "../shared/datasets", relative),
}));

/** Every .mid/.midi file below `dir`, recursively, sorted, named by its path from `dir`. */
export function readMidiTree(dir: string): CorpusFile[] {
  const walk = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return walk(path);
      return /\.midi?$/i.test(entry.name) ? [path] : [];
    });
  return walk(dir)
    .map((path) => path.slice(dir.length + 1))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) }));
}
