import "server-only";
import type { RollNote } from "@/lib/roll";
import type { GenerateJob } from "../generation/engine";
import type { PieceEvent } from "./piece-events";

export type StreamEvent =
  /** `ahead`: generations running or waiting before this piece while it waits for a worker, else null. */
  | {
      type: "snapshot";
      status: string;
      tokenCount: number;
      notes: RollNote[];
      durationSeconds: number;
      error: string | null;
      ahead: number | null;
    }
  | PieceEvent;

/** A stored piece waiting to be generated: its id, the job its recipe makes and the title it was created with. */
export interface PieceRun {
  pieceId: string;
  job: GenerateJob;
  title: string;
}

/**
 * How generations of stored pieces are run and watched: in this process (in-process-runs.ts) or
 * through the PostgreSQL job queue and separate worker processes (queue-runs.ts). Both keep one
 * contract: a bounded queue, the position while waiting, and a stream that starts with a snapshot
 * every later event applies to exactly.
 */
export interface PieceRuns {
  /**
   * Takes a place in the bounded queue (a TooManyRequestsError when it is full). In-process the
   * check is synchronous, so concurrent requests cannot all pass it; the queue engine counts the
   * database's unfinished pieces plus this instance's admissions in flight. The caller releases the
   * place once its run is started or abandoned.
   */
  admit(): Promise<() => void>;
  /** Starts (or queues) the run of a stored, still "generating" piece. */
  start(run: PieceRun): Promise<void>;
  /** Generations running or waiting before a waiting piece; null when it runs or is not queued. */
  queueAhead(pieceId: string): Promise<number | null>;
  /** Snapshot first, then live events until the piece is done or failed (or the listener leaves); NotFoundError for an unknown id. */
  stream(pieceId: string, signal?: AbortSignal): AsyncGenerator<StreamEvent>;
  /** Pieces left "generating" by a stopped server get their run again (generation is deterministic). */
  resumeInterrupted(): Promise<number>;
  /** Resolves when every run this instance started so far has been stored (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}
