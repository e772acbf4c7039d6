import "server-only";
import { EventEmitter } from "node:events";
import { PrismaPg } from "@prisma/adapter-pg";
import { listen as listenTo } from "../services/piece-events";
import { PIECE_CHANNEL, QUEUE_CHANNEL, pieceNotificationSchema, type PieceNotification } from "./queue-sql";

/** A job started or finished somewhere: a waiting piece's position may have moved. */
export const QUEUE_CHANGED = "queue-changed";
/** What a piece's subscriber hears: its stored updates, and changes of the queue. */
type PieceNews = PieceNotification | typeof QUEUE_CHANGED;

/** How long a lost listener connection waits before it connects again. */
const RECONNECT_MS = 1000;

/**
 * One LISTEN connection per web instance, fanned out to the pieces' subscribers in this process.
 * Queue changes are told to every subscribed piece, on its own channel, so a subscriber reads one
 * stream. After a lost connection every subscriber hears a resync (notifications sent meanwhile
 * are gone; the database has them).
 */
export function createPieceNotifications(url: string) {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  // The pg pool comes from the driver adapter the app already uses (pg is its dependency, not ours).
  const pool = new PrismaPg({ connectionString: url, max: 1 })
    .connect()
    .then((adapter) => adapter.underlyingDriver());
  let closed = false;
  let release: (() => void) | null = null;
  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));

  async function listen(reconnecting: boolean): Promise<void> {
    const client = await (await pool).connect();
    let ended = false;
    const drop = (error?: Error) => {
      if (ended) return;
      ended = true;
      client.removeAllListeners("notification");
      client.release(error ?? true);
      if (closed) return;
      console.error(
        `generation queue: listener connection lost${error ? ` (${error.message})` : ""}; listening again`,
      );
      setTimeout(() => void listen(true).catch(onListenError), RECONNECT_MS);
    };
    client.on("error", drop);
    client.on("notification", (message) => {
      if (message.channel === QUEUE_CHANNEL) tellEveryPiece(() => QUEUE_CHANGED);
      if (message.channel !== PIECE_CHANNEL || !message.payload) return;
      const parsed = pieceNotificationSchema.safeParse(safeJson(message.payload));
      if (parsed.success) emitter.emit(`piece:${parsed.data.id}`, parsed.data);
    });
    await client.query(`LISTEN ${PIECE_CHANNEL}; LISTEN ${QUEUE_CHANNEL}`);
    release = () => drop();
    resolveReady();
    if (reconnecting) {
      tellEveryPiece((id) => ({ id, seq: Number.MAX_SAFE_INTEGER, event: { type: "resync" } }));
      tellEveryPiece(() => QUEUE_CHANGED);
    }
  }

  function tellEveryPiece(news: (pieceId: string) => PieceNews) {
    for (const name of emitter.eventNames()) {
      if (typeof name === "string" && name.startsWith("piece:")) emitter.emit(name, news(name.slice(6)));
    }
  }

  function onListenError(error: unknown) {
    if (closed) return;
    console.error("generation queue: cannot LISTEN", error);
    setTimeout(() => void listen(true).catch(onListenError), RECONNECT_MS);
  }

  let started: Promise<void> | null = null;
  /** Resolves once this instance is listening: a subscriber that then reads the database misses nothing. */
  function whenListening(): Promise<void> {
    started ??= listen(false).catch((error: unknown) => {
      onListenError(error);
      return ready;
    });
    return started.then(() => ready);
  }

  return {
    whenListening,
    /** The piece's news from this call on; ends quietly when `signal` aborts (piece-events.ts `listen`). */
    listen(pieceId: string, signal?: AbortSignal): AsyncIterableIterator<PieceNews> {
      return listenTo<PieceNews>(emitter, `piece:${pieceId}`, signal);
    },
    async close(): Promise<void> {
      closed = true;
      release?.();
      await (await pool).end();
    },
  };
}

export type PieceNotifications = ReturnType<typeof createPieceNotifications>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
