// Messages between the app (src/server/generation/worker-pool.ts) and a generation worker.
import type { PieceReport } from "../lib/music-report";
import type { RollNote } from "../lib/roll";
import type {
  BundleInspection,
  GenerateJob,
  GenerateProgress,
  GenerateResult,
  PassageResult,
  PrimerResult,
} from "./types";

export type WorkerRequest =
  | { id: number; op: "inspect"; modelDir: string }
  | {
      id: number;
      op: "primer-midi";
      modelDir: string;
      bytes: Uint8Array;
      fileName: string;
      maxTokens: number;
      maxNotes: number;
    }
  | {
      id: number;
      op: "primer-corpus";
      modelDir: string;
      corpusDirs: string[];
      seed: number;
      maxTokens: number;
    }
  | { id: number; op: "generate"; job: GenerateJob }
  | { id: number; op: "report"; modelDir: string; bundleHash: string; tokens: string[]; notes: RollNote[] }
  | {
      id: number;
      op: "passage";
      modelDir: string;
      bundleHash: string;
      source: string;
      startQuarter: number;
      count: number;
    };

export type WorkerResultValue =
  BundleInspection | PrimerResult | GenerateResult | PieceReport | PassageResult;

export type WorkerMessage =
  | { id: number; type: "progress"; progress: GenerateProgress }
  | { id: number; type: "result"; value: WorkerResultValue }
  | { id: number; type: "error"; message: string; primer: boolean }
  | { id: -1; type: "ready"; backend: string };
