import "server-only";
import { finishedTitle } from "@/lib/piece-title";
import { applyNotesUpdate, type RollNote } from "@/lib/roll";
import type { Database } from "../db";
import { NotFoundError, TooManyRequestsError } from "../errors";
import type { GenerationEngine } from "../generation/engine";
import { finishedColumns, jobOf, recipeColumnsSelect } from "./piece-columns";
import { isFinal, type PieceEvents } from "./piece-events";
import type { PieceRun, PieceRuns, StreamEvent } from "./piece-runs";

/** What a full queue's 429 suggests waiting: about what a few pieces take on one worker. */
const QUEUE_FULL_RETRY_SECONDS = 10;
const PROGRESS_WRITE_INTERVAL_MS = 1000;

export function queueFullError(maxQueued: number): TooManyRequestsError {
  return new TooManyRequestsError(
    `the queue is full (${maxQueued} pieces waiting or being generated); try again in ${QUEUE_FULL_RETRY_SECONDS} s`,
    QUEUE_FULL_RETRY_SECONDS,
    true,
  );
}

/**
 * The embedded engine: generations run on this process's worker pool, progress is broadcast
 * through an in-process emitter and kept in memory (a new subscriber's snapshot must match the
 * live stream, not the lagging database, which is written at most once a second).
 */
export function createInProcessRuns(deps: {
  db: Database;
  engine: GenerationEngine;
  events: PieceEvents;
  /** Generations accepted and unfinished past which new ones are refused. */ maxQueued: number;
}): PieceRuns {
  const { db, engine, events, maxQueued } = deps;
  const running = new Map<string, Promise<void>>();
  /** Notes so far of each running piece. */
  const live = new Map<string, { notes: RollNote[]; tokenCount: number }>();
  /** Pieces waiting for a worker: how many generations run or wait before each. */
  const waiting = new Map<string, number>();
  /** Generations accepted but not yet in `running` (a create between its checks and its job, a share's replay). */
  let admitting = 0;

  // Not `async`-awaiting anything before the check: concurrent calls are counted in order.
  function admit(): Promise<() => void> {
    if (running.size + admitting >= maxQueued) return Promise.reject(queueFullError(maxQueued));
    admitting += 1;
    let released = false;
    return Promise.resolve(() => {
      if (!released) admitting -= 1;
      released = true;
    });
  }

  /** Runs the job in the engine; progress is broadcast at once and written at most once a second. */
  function start({ pieceId, job, title }: PieceRun): Promise<void> {
    let notes: RollNote[] = [];
    let tokenCount = 0;
    let lastWrite = 0;
    let writes = Promise.resolve();
    const write = (data: Parameters<Database["piece"]["update"]>[0]["data"]) => {
      writes = writes
        .then(() => db.piece.update({ where: { id: pieceId }, data, select: { id: true } }))
        .then(
          () => undefined,
          (error: unknown) => console.error(`piece ${pieceId}: could not store progress`, error),
        );
      return writes;
    };
    const onQueue = (ahead: number | null) => {
      if (ahead === null) waiting.delete(pieceId);
      else waiting.set(pieceId, ahead);
      events.emit(pieceId, { type: "queued", ahead });
    };
    const run = engine
      .generate(
        job,
        (progress) => {
          notes = applyNotesUpdate(notes, progress.from, progress.notes);
          tokenCount = progress.tokenCount;
          live.set(pieceId, { notes, tokenCount });
          events.emit(pieceId, { type: "notes", tokenCount, from: progress.from, notes: progress.notes });
          if (Date.now() - lastWrite >= PROGRESS_WRITE_INTERVAL_MS) {
            lastWrite = Date.now();
            void write({ notes, noteCount: notes.length, tokenCount });
          }
        },
        onQueue,
      )
      .then(
        async (result) => {
          await write(finishedColumns(result));
          if (result.reportError) console.error(`piece ${pieceId}: no music report: ${result.reportError}`);
          await db.piece.updateMany({
            where: { id: pieceId, title },
            data: { title: finishedTitle(job.seed, result.notes) },
          });
          live.delete(pieceId);
          events.emit(pieceId, {
            type: "done",
            durationSeconds: result.durationSeconds,
            noteCount: result.notes.length,
          });
        },
        async (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          await write({
            status: "failed",
            error: message,
            notes,
            noteCount: notes.length,
            tokenCount,
            finishedAt: new Date(),
          });
          live.delete(pieceId);
          events.emit(pieceId, { type: "failed", error: message });
        },
      )
      .finally(() => {
        running.delete(pieceId);
        waiting.delete(pieceId);
      });
    running.set(pieceId, run);
    return Promise.resolve();
  }

  async function resumeInterrupted(): Promise<number> {
    const stuck = await db.piece.findMany({
      where: { status: "generating" },
      select: {
        id: true,
        title: true,
        bundleHash: true,
        ...recipeColumnsSelect,
        model: { select: { path: true, usable: true, bundleHash: true } },
      },
    });
    let resumed = 0;
    for (const piece of stuck) {
      if (running.has(piece.id)) continue;
      if (!piece.model.usable || piece.model.bundleHash !== piece.bundleHash) {
        await db.piece.update({
          where: { id: piece.id },
          data: {
            status: "failed",
            error: "the server stopped during generation and the model is no longer available",
            finishedAt: new Date(),
          },
          select: { id: true },
        });
        continue;
      }
      await start({
        pieceId: piece.id,
        job: jobOf(piece.model.path, piece.bundleHash, piece),
        title: piece.title,
      });
      resumed += 1;
    }
    return resumed;
  }

  async function* stream(id: string, signal?: AbortSignal): AsyncGenerator<StreamEvent> {
    const updates = events.listen(id, signal);
    // Read synchronously with starting to listen: every later event applies on top of exactly this state.
    const current = live.get(id);
    const ahead = waiting.get(id) ?? null;
    try {
      if (current) {
        yield {
          type: "snapshot",
          status: "generating",
          tokenCount: current.tokenCount,
          notes: current.notes,
          durationSeconds: 0,
          error: null,
          ahead: null,
        };
      }
      const piece = current
        ? null
        : await db.piece.findUnique({
            where: { id },
            select: { status: true, tokenCount: true, notes: true, durationSeconds: true, error: true },
          });
      if (!current && !piece) throw new NotFoundError(`no piece with id ${id}`);
      if (piece) {
        yield {
          type: "snapshot",
          status: piece.status,
          tokenCount: piece.tokenCount,
          notes: piece.notes as unknown as RollNote[],
          durationSeconds: piece.durationSeconds,
          error: piece.error,
          ahead,
        };
        if (piece.status !== "generating") return;
      }
      for await (const event of updates) {
        yield event;
        if (isFinal(event)) return;
      }
    } finally {
      await updates.return?.();
    }
  }

  async function idle(): Promise<void> {
    while (running.size > 0) await Promise.allSettled([...running.values()]);
  }

  return {
    admit,
    start,
    queueAhead: (id) => Promise.resolve(waiting.get(id) ?? null),
    stream,
    resumeInterrupted,
    idle,
    close: () => Promise.resolve(),
  };
}
