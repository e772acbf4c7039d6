import "server-only";
import { EventEmitter } from "node:events";
import type { RollNote } from "@/lib/roll";

export type PieceEvent =
  | { type: "notes"; tokenCount: number; from: number; notes: RollNote[] }
  | { type: "done"; durationSeconds: number; noteCount: number }
  | { type: "failed"; error: string }
  /** While the piece waits for a worker: generations running or waiting before it; null when it starts. */
  | { type: "queued"; ahead: number | null };

/** In-process fan-out of generation progress to the pieces' subscribers. */
export class PieceEvents {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  emit(pieceId: string, event: PieceEvent): void {
    this.#emitter.emit(pieceId, event);
  }

  subscribe(pieceId: string, listener: (event: PieceEvent) => void): () => void {
    this.#emitter.on(pieceId, listener);
    return () => this.#emitter.off(pieceId, listener);
  }
}
