import "server-only";
import type { PieceReport } from "@/lib/music-report";
import type { RollNote } from "@/lib/roll";
import type {
  BundleInspection,
  GenerateJob,
  GenerateProgress,
  GenerateResult,
  PassageResult,
  PrimerResult,
} from "@/worker/types";

export type {
  BundleInspection,
  DatasetSummary,
  GenerateJob,
  GenerateProgress,
  GenerateResult,
  PassageResult,
  PrimerResult,
} from "@/worker/types";

/** Thrown for primer input the listener can fix (not MIDI, no notes, file not found). */
export class PrimerError extends Error {
  override readonly name = "PrimerError";
}

/** The part of the app that runs models: a worker pool in production and in tests. */
export interface GenerationEngine {
  inspectBundle(modelDir: string): Promise<BundleInspection>;
  /** A file with more than `maxNotes` notes is refused (a PrimerError naming the cap) before it is tokenized. */
  primerFromMidi(args: {
    modelDir: string;
    bytes: Uint8Array;
    fileName: string;
    maxTokens: number;
    maxNotes: number;
  }): Promise<PrimerResult>;
  /** A window of one of the bundle's training songs found in `<bundle>/corpus/` or `corpusDirs`, chosen by the seed as the CLI chooses it. */
  primerFromCorpus(args: {
    modelDir: string;
    corpusDirs: string[];
    seed: number;
    maxTokens: number;
  }): Promise<PrimerResult>;
  /**
   * `onQueue` hears, while the job waits for a worker, how many generations run or wait before it
   * (again each time that number changes), and null when it starts.
   */
  generate(
    job: GenerateJob,
    onProgress: (progress: GenerateProgress) => void,
    onQueue?: (ahead: number | null) => void,
  ): Promise<GenerateResult>;
  /** The music report of a stored piece (its tokens, its notes as they sound) against its bundle. */
  pieceReport(args: {
    modelDir: string;
    bundleHash: string;
    tokens: string[];
    notes: RollNote[];
  }): Promise<PieceReport>;
  /** `count` notes of a training song from `startQuarter` on, out of the bundle's reference notes. */
  sourcePassage(args: {
    modelDir: string;
    bundleHash: string;
    source: string;
    startQuarter: number;
    count: number;
  }): Promise<PassageResult>;
  close(): Promise<void>;
}
