import { afterEach, describe, expect, it, vi } from "vitest";
import type { QuarterNote } from "@motif/midi";
import { GALLERY_RECIPE } from "../lib/gallery-recipe";
import { applyNotesUpdate, type RollNote } from "../lib/roll";
import { galleryRecipe, progressBatcher } from "./gallery-job";
import type { GenerateJob, GenerateProgress } from "./types";

const note = (pitch: number, start: number): QuarterNote => ({
  pitch,
  velocity: 80,
  startQuarter: start,
  endQuarter: start + 1 / 3,
});
const job: GenerateJob = {
  modelDir: "/m",
  bundleHash: "h",
  seed: 7,
  temperature: 1,
  topK: null,
  topP: 0.95,
  length: 40,
  primerTokens: [],
  primerLabel: null,
  primerKeyShift: 0,
  key: "as-trained",
  streamOffset: null,
};

afterEach(() => vi.useRealTimers());

describe("gallery job", () => {
  it('is the CLI\'s recipe with --primer-length 48 --keep-primer; a stored primer replays as its tokens, none as "none"', () => {
    expect(galleryRecipe(job)).toMatchObject({
      seed: 7,
      length: 40,
      primerLength: 48,
      keepPrimer: true,
      repetitionGuard: true,
      style: "motif",
      bpm: 120,
      key: "as-trained",
    });
    expect(galleryRecipe(job).primer).toEqual({
      kind: "tokens",
      tokens: [],
      description: "none",
      keyShift: 0,
    });
    const primed = galleryRecipe({
      ...job,
      primerTokens: ["N60", "D6"],
      primerLabel: "file:a.mid sha256=0123456789abcdef tokens=2",
      primerKeyShift: -4,
      key: "primer",
    });
    expect(primed.primer).toEqual({
      kind: "tokens",
      tokens: ["N60", "D6"],
      description: "file:a.mid sha256=0123456789abcdef tokens=2",
      keyShift: -4,
    });
    expect(GALLERY_RECIPE.bpm).toBe(120);
  });

  it("batches note updates into one message per 80 ms (the first at once), and a replacement from 0 supersedes the batch", () => {
    vi.useFakeTimers({ now: 1_000 });
    const sent: GenerateProgress[] = [];
    const progress = progressBatcher((update) => sent.push(update));
    progress.update({ from: 0, notes: [note(60, 0)], tokenCount: 2 });
    expect(sent).toEqual([{ from: 0, notes: [[60, 80, 0, 0.3333]], tokenCount: 2 }]);
    vi.setSystemTime(1_040);
    progress.update({ from: 1, notes: [note(62, 1)], tokenCount: 4 });
    progress.update({ from: 2, notes: [note(64, 2), note(65, 2)], tokenCount: 7 });
    expect(sent).toHaveLength(1);
    vi.setSystemTime(1_081);
    progress.update({ from: 4, notes: [note(67, 3)], tokenCount: 9 });
    expect(sent[1]).toEqual({
      from: 1,
      notes: [
        [62, 80, 1, 1.3333],
        [64, 80, 2, 2.3333],
        [65, 80, 2, 2.3333],
        [67, 80, 3, 3.3333],
      ],
      tokenCount: 9,
    });
    progress.update({ from: 5, notes: [note(69, 4)], tokenCount: 11 });
    progress.update({ from: 0, notes: [note(61, 0), note(63, 1)], tokenCount: 12 });
    progress.flush();
    progress.flush();
    expect(sent).toHaveLength(3);
    expect(sent[2]).toEqual({
      from: 0,
      notes: [
        [61, 80, 0, 0.3333],
        [63, 80, 1, 1.3333],
      ],
      tokenCount: 12,
    });
    const roll = sent.reduce<RollNote[]>(
      (notes, update) => applyNotesUpdate(notes, update.from, update.notes),
      [],
    );
    expect(roll).toEqual(sent[2]!.notes);
  });
});
