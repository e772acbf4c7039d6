import "server-only";
import { EventEmitter } from "node:events";
import { PrismaPg } from "@prisma/adapter-pg";
import { PIECE_CHANNEL, QUEUE_CHANNEL, pieceNotificationSchema, type PieceNotification } from "./queue-sql";

/** How long a lost listener connection waits before it connects again. */
const RECONNECT_MS = 1000;

/**
 * One LISTEN connection per web instance, fanned out to the pieces' subscribers in this process.
 * After a lost connection every subscriber hears a resync (notifications sent meanwhile are gone;
 * the database has them).
 */
export function createPieceNotifications(url: string) {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  // The pg pool comes from the driver adapter the app already uses (pg is its dependency, not ours).
  const pool = new PrismaPg({ connectionString: url, max: 1 }).connect().then((adapter) => adapter.underlyingDriver());
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
      console.error(`generation queue: listener connection lost${error ? ` (${error.message})` : ""}; listening again`);
      setTimeout(() => void listen(true).catch(onListenError), RECONNECT_MS);
    };
    client.on("error", drop);
    client.on("notification", (message) => {
      if (message.channel === QUEUE_CHANNEL) emitter.emit(QUEUE_CHANNEL);
      if (message.channel !== PIECE_CHANNEL || !message.payload) return;
      const parsed = pieceNotificationSchema.safeParse(safeJson(message.payload));
      if (parsed.success) emitter.emit(`piece:${parsed.data.id}`, parsed.data);
    });
    await client.query(`LISTEN ${PIECE_CHANNEL}; LISTEN ${QUEUE_CHANNEL}`);
    release = () => drop();
    resolveReady();
    if (reconnecting) {
      for (const name of emitter.eventNames()) {
        if (typeof name === "string" && name.startsWith("piece:")) emitter.emit(name, { id: name.slice(6), seq: Number.MAX_SAFE_INTEGER, event: { type: "resync" } } satisfies PieceNotification);
      }
      emitter.emit(QUEUE_CHANNEL);
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
    subscribe(pieceId: string, listener: (notification: PieceNotification) => void): () => void {
      emitter.on(`piece:${pieceId}`, listener);
      return () => emitter.off(`piece:${pieceId}`, listener);
    },
    onQueueChange(listener: () => void): () => void {
      emitter.on(QUEUE_CHANNEL, listener);
      return () => emitter.off(QUEUE_CHANNEL, listener);
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
