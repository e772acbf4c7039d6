import "server-only";
import { z } from "zod";
import type { PieceEvent } from "../services/piece-events";

/**
 * The generation queue's names shared by web instances and worker processes. Jobs are
 * graphile-worker's (schema `graphile_worker`, its documented SQL API); progress and queue
 * changes travel as PostgreSQL NOTIFY on two channels.
 */
export const GENERATE_TASK = "generate";
/** One notification per stored update of a piece: `{ id, seq, event }` (pieceNotification). */
export const PIECE_CHANNEL = "motif_piece";
/** A job started or finished somewhere: waiting pieces' positions may have changed. */
export const QUEUE_CHANNEL = "motif_queue";
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; above this an update is sent as a resync. */
export const MAX_NOTIFY_PAYLOAD = 7000;

/** What a generate job carries: only the piece; its recipe, bundle and hash are read from the database. */
export const generatePayloadSchema = z.object({ pieceId: z.string().min(1) });

/** Re-read the piece from the database (an update too large for NOTIFY, or a lost listener connection). */
export type NotifiedEvent = PieceEvent | { type: "resync" };

export const pieceNotificationSchema = z.object({
  id: z.string(),
  /** The piece's progressSeq once this update was stored; 0 for events that change no stored state (queue position). */
  seq: z.number().int(),
  event: z.custom<NotifiedEvent>(
    (value) =>
      typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string",
  ),
});
export type PieceNotification = z.infer<typeof pieceNotificationSchema>;

/** The NOTIFY payload of one update; an update too large for NOTIFY becomes a resync (the row holds it). */
export function pieceNotification(id: string, seq: number, event: NotifiedEvent): string {
  const payload = JSON.stringify({ id, seq, event });
  return payload.length <= MAX_NOTIFY_PAYLOAD
    ? payload
    : JSON.stringify({ id, seq, event: { type: "resync" } });
}

/** Jobs (running, then waiting in graphile-worker's order) before a piece's own; null when it runs or has no job. */
export const QUEUE_AHEAD_SQL = `
  with mine as (
    select id, priority, run_at, locked_at from graphile_worker.jobs
    where task_identifier = '${GENERATE_TASK}' and key = $1
  )
  select case when mine.locked_at is not null then null else (
    select count(*)::int from graphile_worker.jobs as j
    where j.task_identifier = '${GENERATE_TASK}' and j.id <> mine.id
      and (j.locked_at is not null or (j.attempts < j.max_attempts and (j.priority, j.run_at, j.id) < (mine.priority, mine.run_at, mine.id)))
  ) end as ahead
  from mine`;
