import "server-only";
import type { RollNote } from "@/lib/roll";
import type { Database } from "../db";
import { NotFoundError } from "../errors";
import { queueFullError } from "../services/in-process-runs";
import { isFinal, type PieceEvent } from "../services/piece-events";
import type { PieceRun, PieceRuns, StreamEvent } from "../services/piece-runs";
import { QUEUE_CHANGED, type PieceNotifications } from "./piece-notifications";
import { GENERATE_TASK, QUEUE_AHEAD_SQL } from "./queue-sql";

const streamSelect = {
  status: true,
  tokenCount: true,
  notes: true,
  durationSeconds: true,
  error: true,
  noteCount: true,
  progressSeq: true,
} as const;

/**
 * The queue engine's web side: a stored piece becomes a graphile-worker job (its key is the
 * piece's id, so a piece never gets two), run by any worker process (queue-worker.ts). The
 * database is the source of truth: every progress write is numbered (Piece.progressSeq) and
 * notified in the same transaction, so a subscriber that listens, then reads the row, applies
 * exactly the notified updates newer than what it read.
 */
export function createQueueRuns(deps: {
  db: Database;
  notifications: PieceNotifications;
  /** Unfinished generations (the whole cluster's) past which new ones are refused. */ maxQueued: number;
  /** Attempts per job before its piece is marked failed. */ attempts: number;
}): PieceRuns {
  const { db, notifications, maxQueued, attempts } = deps;
  /** Generations this instance accepted but has not stored yet (counted on top of the database's). */
  let admitting = 0;
  /** Pieces this instance queued, for idle(). */
  const started = new Set<string>();

  async function admit(): Promise<() => void> {
    // Counted before the await: this instance's concurrent requests see each other.
    const before = admitting;
    admitting += 1;
    let released = false;
    const release = () => {
      if (!released) admitting -= 1;
      released = true;
    };
    try {
      const generating = await db.piece.count({ where: { status: "generating" } });
      if (generating + before >= maxQueued) throw queueFullError(maxQueued);
      return release;
    } catch (error) {
      release();
      throw error;
    }
  }

  /** `unsafe_dedupe`: a second add for the same piece (a resume racing a create) leaves the existing job alone, even a running one. */
  async function enqueue(pieceId: string): Promise<void> {
    await addJob(pieceId).catch((error: unknown) => {
      if (error instanceof Error && /graphile_worker.* does not exist/.test(error.message)) {
        throw new Error(
          "the generation queue's schema is missing in this database: run `pnpm --filter web queue:migrate` (a starting worker does it too)",
          { cause: error },
        );
      }
      throw error;
    });
  }

  function addJob(pieceId: string) {
    return db.$executeRawUnsafe(
      `select graphile_worker.add_job($1::text, json_build_object('pieceId', $2::text), max_attempts => $3::int, job_key => $2::text, job_key_mode => 'unsafe_dedupe')`,
      GENERATE_TASK,
      pieceId,
      attempts,
    );
  }

  async function start({ pieceId }: PieceRun): Promise<void> {
    started.add(pieceId);
    await enqueue(pieceId);
  }

  async function queueAhead(pieceId: string): Promise<number | null> {
    const rows = await db.$queryRawUnsafe<{ ahead: number | null }[]>(QUEUE_AHEAD_SQL, pieceId);
    return rows[0]?.ahead ?? null;
  }

  /** A piece left "generating" without a job (its instance stopped between storing and queueing) is queued again. */
  async function resumeInterrupted(): Promise<number> {
    const orphans = await db.$queryRawUnsafe<{ id: string }[]>(
      `select p.id from "Piece" as p where p.status = 'generating' and not exists (select 1 from graphile_worker.jobs as j where j.task_identifier = $1 and j.key = p.id)`,
      GENERATE_TASK,
    );
    for (const { id } of orphans) await enqueue(id);
    return orphans.length;
  }

  async function* stream(id: string, signal?: AbortSignal): AsyncGenerator<StreamEvent> {
    const heard = notifications.listen(id, signal);
    try {
      // Listening before reading: every update stored after this read is notified to us.
      await notifications.whenListening();
      const piece = await db.piece.findUnique({ where: { id }, select: streamSelect });
      if (!piece) throw new NotFoundError(`no piece with id ${id}`);
      let ahead = piece.status === "generating" ? await queueAhead(id) : null;
      let seq = piece.progressSeq;
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
      for await (const news of heard) {
        if (news === QUEUE_CHANGED) {
          if (ahead === null) continue;
          const now = await queueAhead(id);
          if (now !== ahead) {
            ahead = now;
            yield { type: "queued", ahead };
          }
          continue;
        }
        const { seq: at, event } = news;
        if (event.type === "queued") {
          if (ahead !== null && event.ahead === null) yield event;
          ahead = event.ahead;
          continue;
        }
        if (at <= seq) continue;
        const caughtUp = event.type === "resync" ? await storedProgress(id) : { seq: at, events: [event] };
        if (!caughtUp) return;
        seq = caughtUp.seq;
        if (ahead !== null) {
          ahead = null;
          yield { type: "queued", ahead: null };
        }
        for (const next of caughtUp.events) {
          yield next;
          if (isFinal(next)) return;
        }
      }
    } finally {
      await heard.return?.();
    }
  }

  /** A resync: the stored row as events (all its notes, then its end if it has one); null when the piece is gone. */
  async function storedProgress(id: string): Promise<{ seq: number; events: PieceEvent[] } | null> {
    const row = await db.piece.findUnique({ where: { id }, select: streamSelect });
    if (!row) return null;
    const events: PieceEvent[] = [
      { type: "notes", tokenCount: row.tokenCount, from: 0, notes: row.notes as unknown as RollNote[] },
    ];
    if (row.status === "done")
      events.push({ type: "done", durationSeconds: row.durationSeconds, noteCount: row.noteCount });
    if (row.status === "failed") events.push({ type: "failed", error: row.error ?? "generation failed" });
    return { seq: row.progressSeq, events };
  }

  /** Waits (on the pieces' notifications, re-reading the rows) until every piece this instance queued is stored. */
  async function idle(): Promise<void> {
    for (;;) {
      const ids = [...started];
      if (ids.length === 0) return;
      const waiting = await db.piece.findMany({
        where: { id: { in: ids }, status: "generating" },
        select: { id: true },
      });
      for (const id of ids) if (!waiting.some((piece) => piece.id === id)) started.delete(id);
      if (waiting.length === 0) return;
      // Wait for the first of them to finish, then look again.
      const first = waiting[0]!.id;
      const events = stream(first);
      for await (const event of events) if (event.type === "done" || event.type === "failed") break;
    }
  }

  return { admit, start, queueAhead, stream, resumeInterrupted, idle, close: () => notifications.close() };
}
