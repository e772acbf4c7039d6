import "server-only";
import type { GenerateJob, GenerateResult } from "../generation/engine";
import { reportColumns } from "./piece-reports";

/** What the gallery's cards show of a piece. */
export const pieceCardSelect = {
  id: true,
  title: true,
  status: true,
  durationSeconds: true,
  noteCount: true,
  notes: true,
  playCount: true,
  createdAt: true,
  heavyCopy: true,
  longestCopyNotes: true,
  model: { select: { id: true, name: true, version: true } },
} as const;

/** What the piece page shows (never the edit token's hash, the tokens or the MIDI bytes). */
export const pieceDetailSelect = {
  ...pieceCardSelect,
  error: true,
  modelId: true,
  bundleHash: true,
  seed: true,
  temperature: true,
  topK: true,
  topP: true,
  length: true,
  primerKind: true,
  primerLabel: true,
  primerTokens: true,
  primerKeyShift: true,
  key: true,
  streamOffset: true,
  tokenCount: true,
  regeneratedFromId: true,
  finishedAt: true,
  report: true,
} as const;

/** The Piece columns a generation job replays (the recipe as stored). */
export const recipeColumnsSelect = {
  seed: true,
  temperature: true,
  topK: true,
  topP: true,
  length: true,
  primerTokens: true,
  primerLabel: true,
  primerKeyShift: true,
  key: true,
  streamOffset: true,
} as const;

type RecipeColumns = {
  seed: number;
  temperature: number;
  topK: number | null;
  topP: number | null;
  length: number;
  primerTokens: unknown;
  primerLabel: string | null;
  primerKeyShift: number;
  key: string;
  streamOffset: number | null;
};

/** A stored recipe as the job the engine runs on a bundle. */
export function jobOf(modelDir: string, bundleHash: string, recipe: RecipeColumns): GenerateJob {
  return {
    modelDir,
    bundleHash,
    seed: recipe.seed,
    temperature: recipe.temperature,
    topK: recipe.topK,
    topP: recipe.topP,
    length: recipe.length,
    primerTokens: recipe.primerTokens as string[],
    primerLabel: recipe.primerLabel,
    primerKeyShift: recipe.primerKeyShift,
    key: recipe.key,
    streamOffset: recipe.streamOffset,
  };
}

/** The columns of a finished piece: its tokens, notes, MIDI and, stored with it so no view recomputes it, its music report. */
export function finishedColumns(result: GenerateResult) {
  return {
    status: "done",
    tokens: result.tokens,
    tokenCount: result.tokens.length,
    notes: result.notes,
    noteCount: result.notes.length,
    midi: new Uint8Array(result.midi),
    durationSeconds: result.durationSeconds,
    finishedAt: new Date(),
    // Without a report the first view of the piece computes it.
    ...(result.report ? reportColumns(result.report) : {}),
  };
}
