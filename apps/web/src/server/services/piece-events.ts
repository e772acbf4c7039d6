import "server-only";
import { EventEmitter, on } from "node:events";
import type { RollNote } from "@/lib/roll";

export type PieceEvent =
  | { type: "notes"; tokenCount: number; from: number; notes: RollNote[] }
  | { type: "done"; durationSeconds: number; noteCount: number }
  | { type: "failed"; error: string }
  /** While the piece waits for a worker: generations running or waiting before it; null when it starts. */
  | { type: "queued"; ahead: number | null };

/** A done or failed event: nothing follows it. */
export function isFinal(event: PieceEvent): boolean {
  return event.type === "done" || event.type === "failed";
}

/** In-process fan-out of generation progress to the pieces' subscribers. */
export class PieceEvents {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  emit(pieceId: string, event: PieceEvent): void {
    this.#emitter.emit(pieceId, event);
  }

  /** The piece's events from this call on (see `listen`). */
  listen(pieceId: string, signal?: AbortSignal): AsyncIterableIterator<PieceEvent> {
    return listen<PieceEvent>(this.#emitter, pieceId, signal);
  }
}

/**
 * What `emitter` emits as `name` (each emit's first argument), heard from this call on and kept
 * by node:events' `on` while the reader is busy. An abort of `signal` ends it quietly (`on` throws
 * an AbortError); `return()` stops listening even when it was never read.
 */
export function listen<T>(
  emitter: EventEmitter,
  name: string,
  signal?: AbortSignal,
): AsyncIterableIterator<T> {
  // `on` throws at once for a signal already aborted; such a listener just ends at its first read.
  const source = on(emitter, name, signal?.aborted ? {} : { signal });
  const stop = async (): Promise<IteratorResult<T>> => {
    await source.return?.();
    return { done: true, value: undefined };
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (signal?.aborted) return stop();
      try {
        const heard = await source.next();
        return heard.done ? stop() : { done: false, value: (heard.value as unknown[])[0] as T };
      } catch (error) {
        if (signal?.aborted) return stop();
        throw error;
      }
    },
    return: stop,
  };
}
