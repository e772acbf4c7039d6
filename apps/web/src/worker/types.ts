// Plain data shared by the app and the generation worker (no server-only: the worker imports it too).
import type { ModelEvaluation, PieceReport } from "../lib/music-report";
import type { RollNote } from "../lib/roll";

/** What the registry stores about a bundle that passed (or partly passed) its checks. */
export interface BundleInfo {
  name: string;
  version: string;
  preset: string;
  tokenizer: string;
  tokenizerVersion: number;
  vocabSize: number;
  parameters: number;
  bundleHash: string;
  datasetSummary: DatasetSummary;
  finalMetrics: Record<string, number | null> | null;
  /** The bundle's evaluation.json as the model page shows it; null when it has none. */
  evaluation: ModelEvaluation | null;
}

export interface DatasetSummary {
  files: number;
  trainFiles: number;
  validationFiles: number;
  tokens: number;
  skipped: { name: string; reason: string }[];
  /** Corpus files a primer snippet may come from (validation files first). */
  primerCandidates: { name: string; sha256: string }[];
  epochs: number;
  backend: string;
  createdAt: string;
  /** The bundle a fine-tuned model started from (`train --init-from`); absent or null = trained from scratch. */
  initFrom?: { name: string; version: string } | null;
  /** The model's key memory (core sampling/key-memory.ts); absent or null = the network alone. */
  keyMemory?: { strength: number; halfLife: number | null } | null;
}

export type BundleInspection =
  { ok: true; info: BundleInfo } | { ok: false; reasons: string[]; info: Partial<BundleInfo> };

export interface GenerateJob {
  modelDir: string;
  bundleHash: string;
  seed: number;
  temperature: number;
  topK: number | null;
  topP: number | null;
  length: number;
  primerTokens: string[];
  /** How the primer was chosen (the Composer's description, or an older piece's label): the recipe's `primer` line. */
  primerLabel: string | null;
  /** Semitones normalizeKey moved the primer's notes by (0 without a primer or for a non-normalised model). */
  primerKeyShift: number;
  /** keyChoiceText form: "as-trained" | "primer" | "D minor"; only the decoded notes move, never the tokens. */
  key: string;
  /** A piece kept from the radio: its cut of the seed's stream starts at this token (core's Recipe.offset); null for a piece on its own. */
  streamOffset: number | null;
}

export interface GenerateProgress {
  tokenCount: number;
  /** Notes from index `from` on replace what the listener had (the tail may change as tokens arrive). */
  from: number;
  notes: RollNote[];
}

export interface GenerateResult {
  tokens: string[];
  notes: RollNote[];
  midi: Uint8Array;
  durationSeconds: number;
  /** The piece's music report; null (with the reason) when it could not be made. */
  report: PieceReport | null;
  reportError: string | null;
}

/** A passage of a training song, from beat 0, as the player plays it. */
export interface PassageResult {
  notes: RollNote[];
}

export interface PrimerResult {
  tokens: string[];
  /** The Composer's description (e.g. `corpus:song.mid@120+48 key=G-major`), stored as the piece's primerLabel. */
  label: string;
  /** The shift normalizeKey applied to the primer's notes for a key-normalised model; 0 otherwise. */
  keyShift: number;
}
