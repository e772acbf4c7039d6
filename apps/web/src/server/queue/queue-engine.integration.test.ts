// The queue engine end to end on a real PostgreSQL: two web instances (each its own process with
// its own services, driven through the tRPC router over IPC: test-support/queue-host.ts) and two
// generation worker processes (`pnpm --filter web worker`'s bundle) on one database. Ordering is
// made with explicit synchronization (paused workers, a row lock), never with sleeps.
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveDatabaseTarget } from "@/database-url";
import { applyNotesUpdate, type RollNote } from "@/lib/roll";
import type { Database } from "@/server/db";
import type { StreamEvent } from "@/server/services/piece-service";
import {
  buildQueueProcesses,
  startHost,
  startWorker,
  type Host,
  type WorkerProcess,
} from "../../../test-support/queue-cluster";
import { createTestDatabase, webDir } from "../../../test-support/test-database";
import { writeTinyBundle } from "../../../test-support/tiny-bundle";
import { pidOfWorker } from "./queue-worker";

const onPostgres = resolveDatabaseTarget(process.env.DATABASE_URL, webDir).provider === "postgresql";
// The shipped 2×256 model: its long pieces take seconds each.
const builtinModelsDir = join(webDir, "..", "..", "builtin-models");

type Piece = { id: string; status: string; queueAhead: number | null; notes: RollNote[] };

/** The roll a client builds from a stream: the snapshot's notes with every notes event applied. */
function rollOf(events: StreamEvent[]): RollNote[] {
  let notes: RollNote[] = [];
  for (const event of events) {
    if (event.type === "snapshot") notes = event.notes;
    if (event.type === "notes") notes = applyNotesUpdate(notes, event.from, event.notes);
  }
  return notes;
}

/** Waits for a condition the database will reach (the processes under test make it true); no fixed delays. */
async function until<T>(
  read: () => Promise<T | null | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(!onPostgres)(
  onPostgres
    ? "the queue engine: two web instances and two worker processes on one PostgreSQL"
    : "the queue engine (skipped: it needs PostgreSQL, e.g. DATABASE_URL=postgresql://… pnpm --filter web test:db; this run is on SQLite)",
  () => {
    let db: Database;
    let url: string;
    let modelsDir: string;
    let tinyId: string;
    let slowId: string;
    const hosts: Host[] = [];
    const workers: WorkerProcess[] = [];
    const tiny = (seed: number) => ({
      modelId: tinyId,
      length: 24,
      temperature: 1,
      topK: null,
      topP: 0.95,
      seed,
      primer: { kind: "none" },
    });
    const slow = (seed: number) => ({
      modelId: slowId,
      length: 2000,
      temperature: 1,
      topK: null,
      topP: 0.95,
      seed,
      primer: { kind: "none" },
    });
    const create = (host: Host, input: Record<string, unknown>, client = "203.0.113.1") =>
      host.request<{ id: string }>({ op: "create", client, input });
    const byId = (host: Host, pieceId: string) => host.request<Piece>({ op: "byId", pieceId });
    const tokensOf = async (id: string) =>
      (await db.piece.findUniqueOrThrow({ where: { id }, select: { tokens: true } })).tokens as string[];

    beforeAll(async () => {
      ({ db, url } = await createTestDatabase());
      await db.$executeRawUnsafe(
        `do $$ begin if exists (select 1 from pg_namespace where nspname = 'graphile_worker') then delete from graphile_worker._private_jobs; end if; end $$`,
      );
      await db.rateLimit.deleteMany();
      modelsDir = mkdtempSync(join(tmpdir(), "motif-web-queue-"));
      await writeTinyBundle(modelsDir, { name: "tiny", version: "v1" });
      const { workerScript } = await buildQueueProcesses();
      const env = {
        DATABASE_URL: url,
        MOTIF_ENGINE: "queue",
        MOTIF_MODELS_DIR: modelsDir,
        MOTIF_BUILTIN_MODELS_DIR: builtinModelsDir,
        MOTIF_RATE_LIMIT_GENERATIONS: "100000",
        MOTIF_MAX_QUEUED_GENERATIONS: "1000",
        MOTIF_GENERATION_ATTEMPTS: "3",
      };
      // Workers first: the first one creates graphile-worker's schema.
      workers.push(await startWorker(workerScript, env));
      workers.push(await startWorker(workerScript, env));
      // One instance scans the models (two scanning at once would race on the same rows).
      hosts.push(await startHost({ ...env, MOTIF_HOST_SCAN: "1" }));
      hosts.push(await startHost(env));
      const models = await db.model.findMany({ select: { id: true, name: true } });
      tinyId = models.find((m) => m.name === "tiny")!.id;
      slowId = models.find((m) => m.name === "mutopia-piano")!.id;
    }, 300_000);

    afterAll(async () => {
      for (const host of hosts) await host.close();
      for (const worker of workers) await worker.stop();
      await db?.$disconnect();
      if (modelsDir) await rm(modelsDir, { recursive: true, force: true });
    }, 120_000);

    it("shows waiting pieces their place in FIFO order, and a subscriber on instance A sees the notes of a job queued on instance B", async () => {
      const [a, b] = hosts as [Host, Host];
      for (const worker of workers) worker.pause();
      const first = await create(b, slow(1));
      const second = await create(b, slow(2));
      const third = await create(b, slow(3));
      const stream = a.stream(first.id);
      const snapshot = await stream.next((event) => event.type === "snapshot");
      expect(snapshot).toMatchObject({
        type: "snapshot",
        status: "generating",
        tokenCount: 0,
        notes: [],
        ahead: 0,
      });
      expect((await byId(a, second.id)).queueAhead).toBe(1);
      expect((await byId(b, third.id)).queueAhead).toBe(2);
      const thirdStream = b.stream(third.id);
      expect(await thirdStream.next((event) => event.type === "snapshot")).toMatchObject({ ahead: 2 });

      for (const worker of workers) worker.resume();
      const events = await stream.ended;
      expect(events.at(-1)).toMatchObject({ type: "done" });
      const notesEvents = events.filter((event) => event.type === "notes");
      expect(notesEvents.length).toBeGreaterThan(0);
      // It starts (ahead null) before its first notes, and the client's roll is exactly the stored one.
      expect(events.findIndex((event) => event.type === "queued" && event.ahead === null)).toBeLessThan(
        events.indexOf(notesEvents[0]!),
      );
      const stored = await db.piece.findUniqueOrThrow({
        where: { id: first.id },
        select: { notes: true, status: true, runner: true, tokenCount: true },
      });
      expect(stored.status).toBe("done");
      expect(rollOf(events)).toEqual(stored.notes);
      expect(notesEvents.at(-1)).toMatchObject({ tokenCount: stored.tokenCount });
      // Every event carries its tracked id, counting from 1.
      expect(stream.eventIds).toEqual(events.map((_, i) => String(i + 1)));
      expect(workers.map((worker) => worker.pid)).toContain(pidOfWorker(stored.runner!));

      // The third piece's subscriber heard its place shrink to its start.
      const thirdEvents = await thirdStream.ended;
      const places = thirdEvents
        .filter((event) => event.type === "queued")
        .map((event) => (event as { ahead: number | null }).ahead);
      expect(places.at(-1)).toBeNull();
      expect(
        places.slice(0, -1).every((ahead, i, all) => ahead !== null && (i === 0 || ahead < all[i - 1]!)),
      ).toBe(true);
      await b.stream(second.id).ended;
    });

    it("runs 40 generate requests spread over both instances: every piece finishes exactly once, the same recipe gives the same tokens", async () => {
      const ids = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          create(hosts[i % 2]!, tiny(100 + (i % 10)), `203.0.113.${10 + (i % 4)}`).then((piece) => piece.id),
        ),
      );
      expect(new Set(ids).size).toBe(40);
      // Each piece watched from the other instance than the one that queued it.
      const streams = await Promise.all(ids.map((id, i) => hosts[(i + 1) % 2]!.stream(id).ended));
      for (const events of streams) {
        const finishes = events.filter(
          (event) =>
            event.type === "done" ||
            event.type === "failed" ||
            (event.type === "snapshot" && event.status !== "generating"),
        );
        expect(finishes).toHaveLength(1);
        expect(finishes[0]).toMatchObject(
          finishes[0]!.type === "snapshot" ? { status: "done" } : { type: "done" },
        );
      }
      const rows = await db.piece.findMany({
        where: { id: { in: ids } },
        select: { id: true, status: true, seed: true, tokens: true },
      });
      expect(rows).toHaveLength(40);
      expect(rows.every((row) => row.status === "done")).toBe(true);
      for (const seed of new Set(rows.map((row) => row.seed))) {
        const same = rows.filter((row) => row.seed === seed).map((row) => JSON.stringify(row.tokens));
        expect(new Set(same).size).toBe(1);
      }
      // One attempt each, in either worker, and no job left behind.
      const attempts = workers
        .flatMap((worker) => worker.output)
        .filter((line) => ids.some((id) => line.startsWith(`piece ${id}: attempt`)));
      expect(attempts).toHaveLength(40);
      expect(attempts.every((line) => line.includes(": attempt 1/3 "))).toBe(true);
      const [left] = await db.$queryRawUnsafe<{ count: number }[]>(
        `select count(*)::int as count from graphile_worker.jobs where key = any($1::text[])`,
        ids,
      );
      expect(left!.count).toBe(0);
    });

    it("refuses a job whose bundle hash differs from the piece's, and marks the piece failed with the reason after the last attempt", async () => {
      for (const worker of workers) worker.pause();
      const piece = await create(hosts[0]!, tiny(5));
      // As if the shared models folder now held another bundle under the same name and version.
      await db.piece.update({
        where: { id: piece.id },
        data: { bundleHash: "f".repeat(64) },
        select: { id: true },
      });
      const stream = hosts[1]!.stream(piece.id);
      await stream.next((event) => event.type === "snapshot");
      for (const worker of workers) worker.resume();
      const events = await stream.ended;
      const reason =
        /^refused: the bundle in .+ is [0-9a-f]{12} on this worker, but the piece was made with ffffffffffff \(attempt 3 of 3\)$/;
      expect(events.at(-1)).toMatchObject({ type: "failed", error: expect.stringMatching(reason) });
      expect(
        await db.piece.findUniqueOrThrow({ where: { id: piece.id }, select: { status: true, error: true } }),
      ).toMatchObject({ status: "failed", error: expect.stringMatching(reason) });
      const attempts = workers
        .flatMap((worker) => worker.output)
        .filter((line) => line.startsWith(`piece ${piece.id}: attempt`));
      expect(attempts.map((line) => /attempt (\d)\/3/.exec(line)![1]).sort()).toEqual(["1", "2", "3"]);
      const [left] = await db.$queryRawUnsafe<{ count: number }[]>(
        `select count(*)::int as count from graphile_worker.jobs where key = $1`,
        piece.id,
      );
      expect(left!.count).toBe(0);
    });

    it("frees a job held by a dead worker for another attempt, and fails the piece with the reason when that was its last attempt", async () => {
      // A worker that died holding each job: its id is ours, but nobody holds its liveness lock.
      const gone = "motif/4000000/0/gone/deadbeef";
      for (const worker of workers) worker.pause();
      const retried = await create(hosts[0]!, tiny(6));
      const lastTry = await create(hosts[0]!, tiny(7));
      const hold = (id: string, attempts: number) =>
        db.$executeRawUnsafe(
          `update graphile_worker._private_jobs set locked_by = $1, locked_at = now(), attempts = $2 where key = $3`,
          gone,
          attempts,
          id,
        );
      await hold(retried.id, 1);
      await hold(lastTry.id, 3);
      await db.piece.updateMany({ where: { id: { in: [retried.id, lastTry.id] } }, data: { runner: gone } });
      const streams = [hosts[1]!.stream(retried.id), hosts[1]!.stream(lastTry.id)];
      for (const stream of streams) await stream.next((event) => event.type === "snapshot");
      for (const worker of workers) worker.resume();

      const [retriedEvents, lastEvents] = await Promise.all(streams.map((stream) => stream.ended));
      expect(retriedEvents!.at(-1)).toMatchObject({ type: "done" });
      const output = workers.flatMap((worker) => worker.output);
      expect(output.some((line) => line.startsWith(`piece ${retried.id}: attempt 2/3 on motif/`))).toBe(true);
      const reason = "the generation worker stopped during generation (attempt 3 of 3)";
      expect(lastEvents!.at(-1)).toEqual({ type: "failed", error: reason });
      expect(
        await db.piece.findUniqueOrThrow({
          where: { id: lastTry.id },
          select: { status: true, error: true },
        }),
      ).toEqual({ status: "failed", error: reason });
      expect(output.some((line) => line.startsWith(`piece ${lastTry.id}: attempt`))).toBe(false);
      // The end is notified before the job is completed (the task returns, or the sweep's complete_jobs, after it).
      const jobsLeft = async () =>
        (
          await db.$queryRawUnsafe<{ count: number }[]>(
            `select count(*)::int as count from graphile_worker.jobs where key = any($1::text[])`,
            [retried.id, lastTry.id],
          )
        )[0]!.count;
      await until(async () => ((await jobsLeft()) === 0 ? true : null), "both jobs completed");
    });

    it("keeps a stream exact across a lost LISTEN connection: the instance listens again and re-reads the piece", async () => {
      for (const worker of workers) worker.pause();
      const piece = await create(hosts[1]!, slow(8));
      const stream = hosts[0]!.stream(piece.id);
      await stream.next((event) => event.type === "snapshot");
      const listeners = `select pid from pg_stat_activity where datname = current_database() and query like 'LISTEN motif_piece%'`;
      const before = (await db.$queryRawUnsafe<{ pid: number }[]>(listeners)).map((row) => row.pid);
      // Instance A listens (its stream); B too once it has streamed (earlier tests).
      expect(before.length).toBeGreaterThan(0);
      await db.$executeRawUnsafe(`select pg_terminate_backend(pid) from (${listeners}) as l`);
      // Notes produced while the instances are not listening are recovered from the row.
      for (const worker of workers) worker.resume();
      const events = await stream.ended;
      expect(events.at(-1)).toMatchObject({ type: "done" });
      const stored = await db.piece.findUniqueOrThrow({ where: { id: piece.id }, select: { notes: true } });
      expect(rollOf(events)).toEqual(stored.notes);
      const after = await until(async () => {
        const pids = (await db.$queryRawUnsafe<{ pid: number }[]>(listeners)).map((row) => row.pid);
        return pids.length === before.length ? pids : null;
      }, "the instances to listen again");
      expect(after.some((pid) => before.includes(pid))).toBe(false);
    });

    it("finishes a job on the other worker with the same tokens when its worker is killed (kill -9) mid-job", async () => {
      for (const worker of workers) worker.pause();
      const piece = await create(hosts[0]!, slow(77));
      // Hold the piece's row: the worker that takes the job blocks on its first write, so it is
      // certainly mid-job (job locked, nothing stored) when it is killed.
      const pool = (await new PrismaPg({ connectionString: url, max: 1 }).connect()).underlyingDriver();
      const locker = await pool.connect();
      await locker.query("begin");
      await locker.query(`select id from "Piece" where id = $1 for update`, [piece.id]);
      const stream = hosts[1]!.stream(piece.id);
      await stream.next((event) => event.type === "snapshot");
      for (const worker of workers) worker.resume();

      const lockedBy = await until(async () => {
        const [job] = await db.$queryRawUnsafe<{ locked_by: string | null }[]>(
          `select locked_by from graphile_worker.jobs where key = $1`,
          piece.id,
        );
        return job?.locked_by;
      }, "a worker to take the job");
      const victim = workers.find((worker) => worker.pid === pidOfWorker(lockedBy))!;
      const survivor = workers.find((worker) => worker !== victim)!;
      victim.child.kill("SIGKILL");
      expect(await victim.exited).toBeNull();
      await locker.query("rollback");
      locker.release();
      await pool.end();

      const events = await stream.ended;
      expect(events.at(-1)).toMatchObject({ type: "done" });
      const stored = await db.piece.findUniqueOrThrow({
        where: { id: piece.id },
        select: { status: true, runner: true, notes: true, error: true },
      });
      expect(stored).toMatchObject({ status: "done", error: null });
      expect(pidOfWorker(stored.runner!)).toBe(survivor.pid);
      expect(rollOf(events)).toEqual(stored.notes);
      expect(survivor.output.some((line) => line.startsWith(`piece ${piece.id}: attempt 2/3 on`))).toBe(true);
      expect(
        survivor.output.some((line) => line.startsWith(`piece ${piece.id}: worker ${lockedBy} is gone`)),
      ).toBe(true);

      // The recipe is deterministic: replaying it gives the tokens the retried job stored.
      const replay = await hosts[1]!.request<{ id: string }>({
        op: "regenerate",
        client: "203.0.113.9",
        pieceId: piece.id,
      });
      await hosts[0]!.stream(replay.id).ended;
      expect(await tokensOf(replay.id)).toEqual(await tokensOf(piece.id));
      expect(await byId(hosts[0]!, replay.id)).toMatchObject({ status: "done", matchesOriginal: true });
      workers.splice(workers.indexOf(victim), 1);
    });
  },
);
