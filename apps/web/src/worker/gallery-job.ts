// What a gallery job gives core's Composer and takes from it: the recipe (the listener's choices
// plus GALLERY_RECIPE), the corpus songs in the CLI's order, and note updates batched for the pool.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  NO_PRIMER,
  createRecipe,
  type BundleManifest,
  type CorpusSong,
  type NotesUpdate,
  type PrimerSource,
  type Recipe,
} from "@motif/core/compose";
import { GALLERY_RECIPE } from "../lib/gallery-recipe";
import { toRoll } from "../lib/roll";
import type { GenerateJob, GenerateProgress } from "./types";

export const PROGRESS_EVERY_MS = 80;

/**
 * The bundle's training songs found on disk (by name and sha256), sorted by name as the CLI's
 * `--data` folder is: the Composer picks by index, so the same seed picks the same song.
 */
export async function trainingSongs(manifest: BundleManifest, dirs: string[]): Promise<CorpusSong[]> {
  const songs: CorpusSong[] = [];
  for (const file of manifest.dataset.files) {
    if (file.split !== "train") continue;
    const bytes = await findCorpusFile(dirs, file);
    if (bytes) songs.push({ name: file.name, bytes });
  }
  return songs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function findCorpusFile(
  dirs: string[],
  candidate: { name: string; sha256: string },
): Promise<Uint8Array | null> {
  for (const dir of dirs) {
    const path = join(dir, candidate.name);
    if (!(await stat(path).catch(() => null))?.isFile()) continue;
    const bytes = new Uint8Array(await readFile(path));
    if (createHash("sha256").update(bytes).digest("hex") === candidate.sha256) return bytes;
  }
  return null;
}

/** The Composer recipe of a gallery job: the listener's choices, the stored primer, the gallery's fixed fields. */
export function galleryRecipe(job: GenerateJob): Recipe {
  // A stored primer is its tokens; no primer is none of them, described as the Composer describes none.
  const primer: PrimerSource = {
    kind: "tokens",
    tokens: job.primerTokens,
    description: job.primerLabel ?? NO_PRIMER.description,
    keyShift: job.primerKeyShift,
  };
  return createRecipe({
    ...GALLERY_RECIPE,
    seed: job.seed,
    length: job.length,
    temperature: job.temperature,
    topK: job.topK,
    topP: job.topP,
    primer,
    key: job.key,
    ...(job.streamOffset === null ? {} : { offset: job.streamOffset }),
  });
}

/** The Composer's note updates, one message at most every `everyMs` (the first at once). */
export function progressBatcher(post: (progress: GenerateProgress) => void, everyMs = PROGRESS_EVERY_MS) {
  let pending: GenerateProgress | null = null;
  let lastSent = 0;
  const flush = () => {
    if (pending === null) return;
    post(pending);
    pending = null;
    lastSent = Date.now();
  };
  const update = ({ from, notes, tokenCount }: NotesUpdate) => {
    // Appends extend the batch; an update from an earlier note (from 0, when the key shift needs the finished piece) replaces it.
    if (pending === null || from <= pending.from) {
      pending = { from, notes: toRoll(notes), tokenCount };
    } else {
      pending.notes.length = from - pending.from;
      pending.notes.push(...toRoll(notes));
      pending.tokenCount = tokenCount;
    }
    if (Date.now() - lastSent >= everyMs) flush();
  };
  return { update, flush };
}
