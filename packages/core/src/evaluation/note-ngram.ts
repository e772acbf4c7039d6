// The baseline a music model must beat: counting which note follows the previous n notes.
// Notes are the pitched tokens of a stream (the tokenizer's order: onset, then pitch); no
// smoothing, and an unseen context backs off to the longest seen suffix (down to note frequencies).
import type { TonalitySummary } from "./tonality.js";

type Counts = Map<number, number>;

/** Count-based note n-gram over token ids (`order` = notes of context). */
export class NoteNgram {
  private readonly tables: Map<string, Counts>[];

  constructor(readonly order: number) {
    if (!Number.isInteger(order) || order < 1)
      throw new Error(`n-gram order must be a positive integer, got ${order}`);
    this.tables = Array.from({ length: order + 1 }, () => new Map<string, Counts>());
  }

  /** Counts every note of one song's note-id sequence under each context length 0..order. */
  addSong(notes: readonly number[]): void {
    notes.forEach((note, i) => {
      for (let k = 0; k <= Math.min(this.order, i); k++) {
        const table = this.tables[k] as Map<string, Counts>;
        const context = notes.slice(i - k, i).join(",");
        let counts = table.get(context);
        if (counts === undefined) table.set(context, (counts = new Map()));
        counts.set(note, (counts.get(note) ?? 0) + 1);
      }
    });
  }

  /** Continuation counts after `history` (its last `order` notes), from the longest context seen in training. */
  predict(history: readonly number[]): Counts | null {
    for (let k = Math.min(this.order, history.length); k >= 0; k--) {
      const counts = (this.tables[k] as Map<string, Counts>).get(history.slice(history.length - k).join(","));
      if (counts !== undefined) return counts;
    }
    return null;
  }
}

/** The note ids of a token-id stream, in order (ids whose mask is 0 sound no note and are left out). */
export function noteIds(ids: ArrayLike<number>, masks: Uint16Array): number[] {
  const notes: number[] = [];
  for (let i = 0; i < ids.length; i++) if (masks[ids[i] as number] !== 0) notes.push(ids[i] as number);
  return notes;
}

/**
 * Tonality of the n-gram on held-out songs, with the same definitions as `TonalityMeter`:
 * accuracy of the most counted continuation (ties: the lower id), and the in-key share of the counts.
 */
export function scoreNgram(
  model: NoteNgram,
  songs: readonly { notes: readonly number[]; weights: Float32Array }[],
): TonalitySummary {
  let scored = 0;
  let massSum = 0;
  let correct = 0;
  let targetsInKey = 0;
  for (const song of songs) {
    for (let i = 1; i < song.notes.length; i++) {
      const target = song.notes[i] as number;
      const counts = model.predict(song.notes.slice(Math.max(0, i - model.order), i));
      scored++;
      targetsInKey += song.weights[target] as number;
      if (counts === null) continue;
      let total = 0;
      let inKey = 0;
      let best = -1;
      let bestCount = 0;
      for (const [id, count] of counts) {
        total += count;
        inKey += count * (song.weights[id] as number);
        if (count > bestCount || (count === bestCount && id < best)) {
          bestCount = count;
          best = id;
        }
      }
      massSum += inKey / total;
      if (best === target) correct++;
    }
  }
  const n = Math.max(1, scored);
  return { notes: scored, inKeyMass: massSum / n, noteAccuracy: correct / n, targetsInKey: targetsInKey / n };
}
