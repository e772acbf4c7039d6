import "server-only";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { PrismaPg } from "@prisma/adapter-pg";
import { Logger, run, type JobHelpers, type Runner } from "graphile-worker";
import { finishedTitle } from "@/lib/piece-title";
import { applyNotesUpdate, type RollNote } from "@/lib/roll";
import type { Database } from "../db";
import type { GenerateProgress, GenerationEngine } from "../generation/engine";
import { finishedColumns, jobOf, recipeColumnsSelect } from "../services/piece-columns";
import {
  GENERATE_TASK,
  PIECE_CHANNEL,
  QUEUE_CHANNEL,
  generatePayloadSchema,
  pieceNotification,
  type NotifiedEvent,
} from "./queue-sql";

/** Worker ids this app makes (workerIdFor); the sweep judges only those. */
const WORKER_ID_PREFIX = "motif/";
/** Advisory-lock namespace of the workers' liveness locks ("motf"). */
const LIVENESS_NAMESPACE = 0x6d6f7466;
/** How often each worker process looks for jobs held by dead workers; only how soon a crash is noticed. */
const SWEEP_EVERY_MS = 1000;
/** graphile-worker polls this often for due jobs besides its LISTEN on new ones (a retry, a job freed from a dead worker). */
const POLL_EVERY_MS = 1000;

interface QueueWorkerOptions {
  db: Database;
  /** PostgreSQL URL of `db` (graphile-worker and the liveness session connect on their own). */
  url: string;
  /** The worker-thread pool that composes (generation/worker-pool.ts); its size is `concurrency`. */
  engine: GenerationEngine;
  concurrency: number;
  log?: (line: string) => void;
  /** The liveness session died: this process can no longer prove it is alive, so it must stop. */
  onFatal?: (error: Error) => void;
}

/**
 * A generation worker process: takes `generate` jobs from graphile-worker, composes them on the
 * worker-thread pool, writes progress and the result to the piece (each write notified), and frees
 * the jobs of workers that died. Each of its `concurrency` graphile-worker runners has an id made
 * here (`motif/<pid>/<n>/<host>/<random>`) whose session advisory lock this process takes before
 * the runner starts and holds while it lives. So a job locked by a `motif/` worker whose lock is
 * free was left by a crash: graphile-worker's force_unlock_workers gives it back to the queue,
 * where that attempt counts (after `max_attempts` the piece is marked failed, with the reason).
 */
export async function startQueueWorker(
  options: QueueWorkerOptions,
): Promise<{ workerIds: string[]; stop(): Promise<void>; sweep(): Promise<number> }> {
  const { db, url, engine, concurrency } = options;
  const log = options.log ?? ((line) => console.log(line));
  const liveness = await openLiveness(url, (error) =>
    (
      options.onFatal ??
      ((e) => {
        throw e;
      })
    )(error),
  );
  const workerIds = Array.from({ length: concurrency }, (_, n) => workerIdFor(process.pid, n));
  for (const id of workerIds) await liveness.hold(id);

  async function generate(payload: unknown, helpers: JobHelpers): Promise<void> {
    const { pieceId } = generatePayloadSchema.parse(payload);
    const { job } = helpers;
    const workerId = job.locked_by;
    if (!workerId) throw new Error("graphile-worker gave a job without its worker id");
    const piece = await db.piece.findUnique({
      where: { id: pieceId },
      select: {
        status: true,
        title: true,
        bundleHash: true,
        ...recipeColumnsSelect,
        model: { select: { path: true } },
      },
    });
    // Stored already: a retry of a job whose worker stopped between storing and completing it.
    if (!piece || piece.status !== "generating") return;
    const claimed = await db.piece.updateMany({
      where: { id: pieceId, status: "generating" },
      data: { runner: workerId },
    });
    if (claimed.count === 0) return;
    log(`piece ${pieceId}: attempt ${job.attempts}/${job.max_attempts} on ${workerId} (pid ${process.pid})`);
    await notify(db, QUEUE_CHANNEL, "");
    await notify(db, PIECE_CHANNEL, pieceNotification(pieceId, 0, { type: "queued", ahead: null }));
    const progress = progressWriter(db, pieceId, workerId);
    try {
      await refuseChangedBundle(engine, piece.model.path, piece.bundleHash);
      const recipe = jobOf(piece.model.path, piece.bundleHash, piece);
      const result = await engine.generate(recipe, progress.push);
      await progress.flush();
      if (result.reportError) log(`piece ${pieceId}: no music report: ${result.reportError}`);
      const final = finishedTitle(recipe.seed, result.notes);
      await storeAndNotify(
        db,
        pieceId,
        workerId,
        finishedColumns(result),
        { type: "done", durationSeconds: result.durationSeconds, noteCount: result.notes.length },
        { from: piece.title, to: final },
      );
    } catch (error) {
      await progress.flush();
      const message = error instanceof Error ? error.message : String(error);
      const permanent = error instanceof Error && error.name === "PrimerError";
      // graphile-worker retries it (with its backoff) unless this was the last attempt.
      if (!permanent && job.attempts < job.max_attempts) throw error;
      const reason = permanent ? message : `${message} (attempt ${job.attempts} of ${job.max_attempts})`;
      await storeAndNotify(
        db,
        pieceId,
        workerId,
        { status: "failed", error: reason, finishedAt: new Date() },
        { type: "failed", error: reason },
      );
    } finally {
      await notify(db, QUEUE_CHANNEL, "").catch(() => undefined);
    }
  }

  /** Frees the jobs of dead workers; returns how many it freed. */
  async function sweep(): Promise<number> {
    const held = await db.$queryRawUnsafe<
      { id: string; key: string; locked_by: string; attempts: number; max_attempts: number }[]
    >(
      `select j.id::text as id, j.key, j.locked_by, j.attempts, j.max_attempts from graphile_worker.jobs as j
        where j.task_identifier = $1 and j.locked_by like '${WORKER_ID_PREFIX}%'`,
      GENERATE_TASK,
    );
    let freed = 0;
    for (const job of held) {
      const [probe] = await db.$queryRawUnsafe<{ dead: boolean }[]>(
        `select case when pg_try_advisory_lock($1::int, hashtext($2)) then pg_advisory_unlock($1::int, hashtext($2)) else false end as dead`,
        LIVENESS_NAMESPACE,
        job.locked_by,
      );
      if (!probe?.dead) continue;
      log(
        `piece ${job.key}: worker ${job.locked_by} is gone (attempt ${job.attempts}/${job.max_attempts}); freeing its job`,
      );
      await db.$executeRawUnsafe(
        `select graphile_worker.force_unlock_workers(array[$1::text])`,
        job.locked_by,
      );
      if (job.attempts >= job.max_attempts) {
        const reason = `the generation worker stopped during generation (attempt ${job.attempts} of ${job.max_attempts})`;
        await storeAndNotify(
          db,
          job.key,
          null,
          { status: "failed", error: reason, finishedAt: new Date() },
          { type: "failed", error: reason },
        );
        await db.$executeRawUnsafe(`select graphile_worker.complete_jobs(array[$1::bigint])`, job.id);
      }
      await notify(db, QUEUE_CHANNEL, "");
      freed += 1;
    }
    return freed;
  }

  // One runner per worker id (graphile-worker takes a given id only with concurrency 1).
  const runners: Runner[] = [];
  for (const workerId of workerIds) {
    const runnerOptions = {
      connectionString: url,
      concurrency: 1,
      workerId,
      maxPoolSize: 3,
      noHandleSignals: true,
      pollInterval: POLL_EVERY_MS,
      logger: quietLogger(log),
      taskList: { [GENERATE_TASK]: generate },
    };
    runners.push(await run(runnerOptions));
  }
  let sweeping = Promise.resolve(0);
  const timer = setInterval(() => {
    sweeping = sweeping.then(sweep).catch((error: unknown) => {
      log(`sweep failed: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    });
  }, SWEEP_EVERY_MS);

  return {
    workerIds,
    sweep,
    async stop() {
      clearInterval(timer);
      await sweeping;
      await Promise.all(runners.map((runner) => runner.stop()));
      await liveness.close();
    },
  };
}

/** `motif/<pid>/<n>/<host>/<random>`: unique, and it names the process that holds the job. */
function workerIdFor(pid: number, n: number): string {
  return `${WORKER_ID_PREFIX}${pid}/${n}/${hostname()}/${randomBytes(4).toString("hex")}`;
}

/** The process id in a worker id made by workerIdFor; null for other ids. */
export function pidOfWorker(workerId: string): number | null {
  const match = /^motif\/(\d+)\//.exec(workerId);
  return match ? Number(match[1]) : null;
}

/** Throws when the bundle on this worker's storage is not the one the piece was made with. */
async function refuseChangedBundle(
  engine: GenerationEngine,
  modelDir: string,
  bundleHash: string,
): Promise<void> {
  const inspection = await engine.inspectBundle(modelDir);
  if (!inspection.ok)
    throw new Error(
      `refused: the bundle in ${modelDir} is not usable here (${inspection.reasons.join("; ")})`,
    );
  if (inspection.info.bundleHash !== bundleHash) {
    throw new Error(
      `refused: the bundle in ${modelDir} is ${inspection.info.bundleHash.slice(0, 12)} on this worker, but the piece was made with ${bundleHash.slice(0, 12)}`,
    );
  }
}

async function notify(db: Database, channel: string, payload: string): Promise<void> {
  await db.$executeRawUnsafe(`select pg_notify($1, $2)`, channel, payload);
}

/**
 * Stores an update of a piece this worker runs and notifies it in one transaction (NOTIFY is sent
 * on commit), numbered by progressSeq; nothing happens when the piece is finished or another worker
 * than `workerId` runs it now (null: whoever runs it). `title`: the finished piece's title, unless it was renamed meanwhile.
 */
async function storeAndNotify(
  db: Database,
  pieceId: string,
  workerId: string | null,
  data: Parameters<Database["piece"]["updateMany"]>[0]["data"],
  event: NotifiedEvent,
  title?: { from: string; to: string },
): Promise<boolean> {
  return db.$transaction(
    async (tx) => {
      const updated = await tx.piece.updateMany({
        where: { id: pieceId, status: "generating", ...(workerId ? { runner: workerId } : {}) },
        data: { ...data, progressSeq: { increment: 1 } },
      });
      if (updated.count === 0) return false;
      if (title)
        await tx.piece.updateMany({ where: { id: pieceId, title: title.from }, data: { title: title.to } });
      const row = await tx.piece.findUniqueOrThrow({ where: { id: pieceId }, select: { progressSeq: true } });
      await tx.$executeRawUnsafe(
        `select pg_notify($1, $2)`,
        PIECE_CHANNEL,
        pieceNotification(pieceId, row.progressSeq, event),
      );
      return true;
    },
    { maxWait: 10_000, timeout: 30_000 },
  );
}

/**
 * Progress of one run, written one update at a time; updates that arrive while a write is under
 * way are merged into the next (from the earliest changed note), so a slow database never queues
 * writes. The run's first write starts from note 0: a retry replaces what a dead attempt stored.
 */
function progressWriter(db: Database, pieceId: string, workerId: string) {
  let notes: RollNote[] = [];
  let tokenCount = 0;
  let dirtyFrom: number | null = 0;
  let writing: Promise<void> | null = null;

  function writeNext(): Promise<void> {
    if (dirtyFrom === null) return Promise.resolve();
    const from = Math.min(dirtyFrom, notes.length);
    dirtyFrom = null;
    const event: NotifiedEvent = { type: "notes", tokenCount, from, notes: notes.slice(from) };
    return storeAndNotify(db, pieceId, workerId, { notes, noteCount: notes.length, tokenCount }, event).then(
      () => writeNext(),
      (error: unknown) => console.error(`piece ${pieceId}: could not store progress`, error),
    );
  }

  return {
    push(progress: GenerateProgress) {
      notes = applyNotesUpdate(notes, progress.from, progress.notes);
      tokenCount = progress.tokenCount;
      dirtyFrom = Math.min(dirtyFrom ?? progress.from, progress.from);
      writing ??= writeNext().finally(() => (writing = null));
    },
    async flush() {
      while (writing) await writing;
    },
  };
}

/** A session that holds one advisory lock per worker id of this process for as long as it lives. */
async function openLiveness(url: string, onLost: (error: Error) => void) {
  const pool = new PrismaPg({ connectionString: url, max: 1 })
    .connect()
    .then((adapter) => adapter.underlyingDriver());
  const client = await (await pool).connect();
  let closing = false;
  client.on("error", (error) => {
    if (!closing) onLost(new Error(`the liveness session to PostgreSQL was lost: ${error.message}`));
  });
  const held = new Set<string>();
  return {
    async hold(workerId: string) {
      if (held.has(workerId)) return;
      await client.query("select pg_advisory_lock($1::int, hashtext($2))", [LIVENESS_NAMESPACE, workerId]);
      held.add(workerId);
    },
    async close() {
      closing = true;
      client.release();
      await (await pool).end();
    },
  };
}

/** graphile-worker logs every job; keep its warnings and errors. */
function quietLogger(log: (line: string) => void): Logger {
  return new Logger(() => (level, message) => {
    if (level === "error" || level === "warning") log(`graphile-worker ${level}: ${message}`);
  });
}
