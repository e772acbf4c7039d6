// `pnpm --filter web bench:queue`: the queue engine's throughput and latencies on loopback, with
// 1 and then 2 generation worker processes behind two web instances (test-support/queue-host.ts)
// on one PostgreSQL database, which it empties first: MOTIF_BENCH_DATABASE_URL=postgresql://…
// Bounded: a fixed number of pieces per round and a deadline for the whole run.
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { resolveDatabaseTarget } from "@/database-url";
import { createDatabase, type Database } from "@/server/db";
import type { StreamEvent } from "@/server/services/piece-service";
import {
  buildQueueProcesses,
  startHost,
  startWorker,
  type Host,
  type WorkerProcess,
} from "../test-support/queue-cluster";
import { deployMigrations, webDir } from "../test-support/test-database";

const url = process.env.MOTIF_BENCH_DATABASE_URL ?? "";
const pieces = Number(process.env.MOTIF_BENCH_PIECES ?? 16);
const length = Number(process.env.MOTIF_BENCH_LENGTH ?? 1000);
const deadlineMs = Number(process.env.MOTIF_BENCH_DEADLINE_SECONDS ?? 600) * 1000;
/** The gallery reader's pace: a listener paging the gallery, not a tight loop competing with the workers. */
const READ_EVERY_MS = 200;
/** Pieces made one at a time on an idle queue: the pickup latency without waiting behind others. */
const IDLE_PROBES = 4;

interface Round {
  workers: number;
  seconds: number;
  piecesPerMinute: number;
  tokensPerSecond: number;
  /** Accept (create answered) → first note seen by a subscriber on the other instance, ms. */
  firstNote: number[];
  /** Same, one piece at a time on an empty queue (what a listener waits when nobody else is generating). */
  idleFirstNote: number[];
  /** pieces.list (a gallery page) on either instance while the round runs, ms. */
  reads: number[];
  tokens: number;
  /** CPU seconds used during the timed part: each worker process, both web instances, the whole machine. */
  cpu: { workers: number[]; hosts: number; machineBusy: number; machineTotal: number };
}

/** CPU seconds a process (all its threads) has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Busy and total CPU seconds of the whole machine so far (every core, every process). */
function machineSeconds(): { busy: number; total: number } {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: (total - idle) / 100, total: total / 100 };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function emptyDatabase(db: Database): Promise<void> {
  await db.$executeRawUnsafe(`TRUNCATE TABLE "Piece", "Model" CASCADE`);
  await db.$executeRawUnsafe(
    `do $$ begin if exists (select 1 from pg_namespace where nspname = 'graphile_worker') then delete from graphile_worker._private_jobs; end if; end $$`,
  );
  await db.rateLimit.deleteMany();
}

async function round(
  workerCount: number,
  workerScript: string,
  env: Record<string, string>,
  db: Database,
  deadline: number,
): Promise<Round> {
  await emptyDatabase(db);
  const workers: WorkerProcess[] = [];
  for (let i = 0; i < workerCount; i++) workers.push(await startWorker(workerScript, env));
  const hosts: Host[] = [await startHost({ ...env, MOTIF_HOST_SCAN: "1" })];
  hosts.push(await startHost(env));
  try {
    const model = await db.model.findFirstOrThrow({ where: { name: "mutopia-piano" }, select: { id: true } });
    // Load every worker's bundle once before timing (a real worker keeps it loaded).
    const warm = await Promise.all(
      workers.map((_, i) =>
        hosts[0]!.request<{ id: string }>({
          op: "create",
          client: "198.51.100.1",
          input: {
            modelId: model.id,
            length: 16,
            temperature: 1,
            topK: null,
            topP: 0.95,
            seed: 1000 + i,
            primer: { kind: "none" },
          },
        }),
      ),
    );
    await Promise.all(warm.map((piece) => hosts[1]!.stream(piece.id).ended));
    const idleFirstNote: number[] = [];
    for (let i = 0; i < IDLE_PROBES; i++) {
      const piece = await hosts[i % 2]!.request<{ id: string }>({
        op: "create",
        client: "198.51.100.2",
        input: {
          modelId: model.id,
          length: 200,
          temperature: 1,
          topK: null,
          topP: 0.95,
          seed: 2000 + i,
          primer: { kind: "none" },
        },
      });
      const accepted = performance.now();
      const stream = hosts[(i + 1) % 2]!.stream(piece.id);
      await stream.next(
        (event) => event.type === "notes" || (event.type === "snapshot" && event.notes.length > 0),
      );
      idleFirstNote.push(performance.now() - accepted);
      await stream.ended;
    }

    const reads: number[] = [];
    let reading = true;
    const reader = (async () => {
      for (let i = 0; reading; i++) {
        const started = performance.now();
        await hosts[i % 2]!.request({ op: "list", limit: 24 });
        const took = performance.now() - started;
        reads.push(took);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, READ_EVERY_MS - took)));
      }
    })();

    const started = performance.now();
    const workerCpu = workers.map((worker) => cpuSeconds(worker.pid));
    const hostCpu = hosts.reduce((sum, host) => sum + cpuSeconds(host.pid), 0);
    const machine = machineSeconds();
    const firstNote: number[] = [];
    const runs = await Promise.all(
      Array.from({ length: pieces }, async (_, i) => {
        const piece = await hosts[i % 2]!.request<{ id: string }>({
          op: "create",
          client: `198.51.100.${10 + (i % 8)}`,
          input: {
            modelId: model.id,
            length,
            temperature: 1,
            topK: null,
            topP: 0.95,
            seed: i + 1,
            primer: { kind: "none" },
          },
        });
        const accepted = performance.now();
        const stream = hosts[(i + 1) % 2]!.stream(piece.id);
        const noted = (event: StreamEvent) =>
          event.type === "notes" || (event.type === "snapshot" && event.notes.length > 0);
        void stream.next(noted).then(() => firstNote.push(performance.now() - accepted));
        const events = await stream.ended;
        if (
          events.at(-1)?.type !== "done" &&
          !(events.length === 1 && events[0]?.type === "snapshot" && events[0].status === "done")
        )
          throw new Error(`piece ${piece.id} did not finish: ${JSON.stringify(events.at(-1))}`);
        if (performance.now() > deadline) throw new Error("the benchmark ran past its deadline");
        return piece.id;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const machineAfter = machineSeconds();
    const cpu = {
      workers: workers.map((worker, i) => cpuSeconds(worker.pid) - workerCpu[i]!),
      hosts: hosts.reduce((sum, host) => sum + cpuSeconds(host.pid), 0) - hostCpu,
      machineBusy: machineAfter.busy - machine.busy,
      machineTotal: machineAfter.total - machine.total,
    };
    reading = false;
    await reader;
    const rows = await db.piece.findMany({ where: { id: { in: runs } }, select: { tokenCount: true } });
    const tokens = rows.reduce((sum, row) => sum + row.tokenCount, 0);
    return {
      workers: workerCount,
      seconds,
      piecesPerMinute: (pieces / seconds) * 60,
      tokensPerSecond: tokens / seconds,
      firstNote,
      idleFirstNote,
      reads,
      tokens,
      cpu,
    };
  } finally {
    for (const host of hosts) await host.close();
    for (const worker of workers) await worker.stop();
  }
}

async function main(): Promise<void> {
  const target = url ? resolveDatabaseTarget(url, webDir) : null;
  if (target?.provider !== "postgresql") {
    console.error(
      "bench:queue needs a PostgreSQL database it may empty: MOTIF_BENCH_DATABASE_URL=postgresql://user:pass@127.0.0.1:5432/motif_qbench",
    );
    process.exit(2);
  }
  const deadline = performance.now() + deadlineMs;
  deployMigrations(url);
  const db = createDatabase(target);
  const { workerScript } = await buildQueueProcesses();
  const env = {
    DATABASE_URL: url,
    MOTIF_ENGINE: "queue",
    MOTIF_GENERATION_WORKERS: "1",
    MOTIF_RATE_LIMIT_GENERATIONS: "100000",
    MOTIF_MAX_QUEUED_GENERATIONS: "10000",
  };
  console.log(
    `bench:queue: ${pieces} pieces of ${length} tokens (built-in mutopia-piano 2×256) per round, 2 web instances, loopback PostgreSQL`,
  );
  const rounds: Round[] = [];
  for (const workers of [1, 2]) {
    const result = await round(workers, workerScript, env, db, deadline);
    rounds.push(result);
    console.log(
      `${workers} worker process(es): ${result.seconds.toFixed(1)} s, ${result.piecesPerMinute.toFixed(1)} pieces/min, ${result.tokensPerSecond.toFixed(0)} tokens/s; ` +
        `accept → first note under load p50 ${quantile(result.firstNote, 0.5).toFixed(0)} ms, p95 ${quantile(result.firstNote, 0.95).toFixed(0)} ms ` +
        `(idle queue p50 ${quantile(result.idleFirstNote, 0.5).toFixed(0)} ms, p95 ${quantile(result.idleFirstNote, 0.95).toFixed(0)} ms); ` +
        `gallery read (pieces.list, 24, one every ${READ_EVERY_MS} ms) p95 ${quantile(result.reads, 0.95).toFixed(1)} ms over ${result.reads.length} reads`,
    );
    const { cpu } = result;
    console.log(
      `  CPU during the round: worker process(es) ${cpu.workers.map((s) => `${s.toFixed(1)} s`).join(" + ")} (${(result.tokens / cpu.workers.reduce((a, b) => a + b, 0)).toFixed(0)} tokens per worker CPU-second), web instances ${cpu.hosts.toFixed(1)} s; ` +
        `machine busy ${((cpu.machineBusy / cpu.machineTotal) * 100).toFixed(0)}% of ${cpus().length} cores (${cpu.machineBusy.toFixed(1)} of ${cpu.machineTotal.toFixed(1)} core-seconds, other jobs included)`,
    );
  }
  console.log(
    `2 workers / 1 worker throughput: ${(rounds[1]!.tokensPerSecond / rounds[0]!.tokensPerSecond).toFixed(2)}×`,
  );
  await emptyDatabase(db);
  await db.$disconnect();
}

await main();
