import type { ModelConfig, TrainingConfig } from "../model/config.js";
import { createRng, randomInt, shuffleInPlace } from "../primitives/rng.js";

/** Mixes integers into one 31-bit seed (per-step dropout seeds, per-epoch augmentation draws). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return h & 0x7fffffff;
}

/** One song's token ids (after the app tokenized and, if asked, transposed it). */
export interface SongTokens {
  name: string;
  ids: Int32Array;
  /** The 12-bit mask of the song's scale (evaluation/tonality.ts scaleMask), for the in-key mass of validation songs. */
  scaleMask?: number;
}

/** A training example: seqLen input tokens starting at `start` in `songs[song]`, plus what follows. */
export interface Window {
  song: number;
  start: number;
}

function validationCount(total: number, share: number): number {
  if (total < 2 || share <= 0) return 0;
  return Math.min(total - 1, Math.max(1, Math.round(total * share)));
}

/**
 * Song-level split: whole songs go to validation (seeded shuffle), at least one song on each side
 * when there are ≥ 2 songs and validationShare > 0, so no window is shared with training.
 * For `split: "random-windows"` (the seed's test_size) every song stays in `train` and
 * trainModel splits the windows at random instead; `validation` is then [].
 */
export function splitSongs(
  songs: SongTokens[],
  training: TrainingConfig,
): { train: SongTokens[]; validation: SongTokens[] } {
  if (training.split === "random-windows") return { train: [...songs], validation: [] };
  const order = shuffleInPlace(
    songs.map((_, index) => index),
    createRng(training.seed),
  );
  const count = validationCount(songs.length, training.validationShare);
  const validationSet = new Set(order.slice(0, count));
  return {
    train: songs.filter((_, index) => !validationSet.has(index)),
    validation: songs.filter((_, index) => validationSet.has(index)),
  };
}

/**
 * Windows of seqLen inputs + 1 target token inside each song (never across songs), every
 * `stride` tokens. Many-to-many models also get one last window aligned to the song's end, so
 * the tail of a song is not lost when the stride does not divide it.
 */
export function songWindows(songs: readonly SongTokens[], model: ModelConfig, stride: number): Window[] {
  const span = model.seqLen + 1;
  const windows: Window[] = [];
  songs.forEach((song, index) => {
    const lastStart = song.ids.length - span;
    if (lastStart < 0) return;
    let start = 0;
    for (; start <= lastStart; start += stride) windows.push({ song: index, start });
    if (model.target === "every-step" && start - stride < lastStart)
      windows.push({ song: index, start: lastStart });
  });
  return windows;
}

/** The seed's random 60/40 split of windows (within songs), seeded. */
export function splitWindowsAtRandom(
  windows: Window[],
  share: number,
  seed: number,
): { train: Window[]; validation: Window[] } {
  const shuffled = shuffleInPlace([...windows], createRng(seed));
  const count = validationCount(shuffled.length, share);
  return { train: shuffled.slice(count), validation: shuffled.slice(0, count) };
}

/** Input ids [batch, seqLen] and targets ([batch, seqLen] for every-step, [batch] for last). */
export function materializeBatch(
  songs: readonly SongTokens[],
  windows: readonly Window[],
  model: ModelConfig,
): { inputs: Int32Array; targets: Int32Array } {
  const time = model.seqLen;
  const everyStep = model.target === "every-step";
  const inputs = new Int32Array(windows.length * time);
  const targets = new Int32Array(everyStep ? windows.length * time : windows.length);
  windows.forEach((window, row) => {
    const ids = (songs[window.song] as SongTokens).ids;
    inputs.set(ids.subarray(window.start, window.start + time), row * time);
    if (everyStep) targets.set(ids.subarray(window.start + 1, window.start + time + 1), row * time);
    else targets[row] = ids[window.start + time] as number;
  });
  return { inputs, targets };
}

/** What random augmentation does to one training song in one epoch. */
export interface AugmentationDraw {
  /** Semitones; 0 = the song as it was given (key-normalised when the config normalises keys). */
  shift: number;
  /** Time factor: 1 = as written, 1.05 = 5% slower. */
  stretch: number;
}

/** Keeps the augmentation stream apart from the dropout seeds, which mix the same run seed. */
const AUGMENT_STREAM = 0x41554721;

/**
 * Random augmentation of epoch `epoch` (1-based) for `count` training songs, in song order: a
 * transposition drawn uniformly from 0 and `training.augment` (the copies `all` mode would make)
 * and a tempo factor uniform in [1 - tempoStretch, 1 + tempoStretch]. A pure function of the run
 * seed and the epoch, so a resumed run draws exactly what the uninterrupted one did.
 * @example augmentationDraws({ seed: 1, augment: [-1, 1], tempoStretch: 0.05 }, 3, 2) // [{ shift: 1, stretch: 0.98… }, …]
 */
export function augmentationDraws(
  training: Pick<TrainingConfig, "seed" | "augment" | "tempoStretch">,
  epoch: number,
  count: number,
): AugmentationDraw[] {
  const rng = createRng(mixSeed(training.seed, epoch, AUGMENT_STREAM));
  const shifts = [...new Set([0, ...training.augment])];
  const spread = training.tempoStretch ?? 0;
  return Array.from({ length: count }, () => {
    const shift = shifts[randomInt(rng, shifts.length)] as number;
    return { shift, stretch: spread > 0 ? 1 - spread + 2 * spread * rng.next() : 1 };
  });
}
