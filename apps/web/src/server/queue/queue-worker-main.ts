// `pnpm --filter web worker`: one generation worker process (bundled by scripts/build-queue-worker.mjs).
import { env } from "@/env";
import { createDatabase } from "../db";
import { createWorkerPool } from "../generation/worker-pool";
import { startQueueWorker } from "./queue-worker";

/** Worker-thread progress batches: each is a database write and a NOTIFY here, so fewer than in-process. */
const PROGRESS_EVERY_MS = 200;

async function main(): Promise<void> {
  if (env.database.provider !== "postgresql") {
    console.error(
      "generation worker: the queue lives in PostgreSQL; set DATABASE_URL=postgresql://… (and MOTIF_ENGINE=queue on the web instances)",
    );
    process.exit(2);
  }
  if (env.engine.kind !== "queue")
    console.warn(
      "generation worker: MOTIF_ENGINE is not `queue`: web instances with this environment generate in-process and queue nothing",
    );
  const db = createDatabase(env.database);
  const engine = createWorkerPool({
    script: env.workerScript,
    size: env.generationWorkers,
    progressEveryMs: PROGRESS_EVERY_MS,
  });
  const worker = await startQueueWorker({
    db,
    url: env.database.url,
    engine,
    concurrency: env.generationWorkers,
    onFatal: (error) => {
      console.error(
        `generation worker ${process.pid}: ${error.message}; exiting so that its jobs can be taken by others`,
      );
      process.exit(1);
    },
  });
  console.log(
    `generation worker ${process.pid}: ready (${env.generationWorkers} job(s) at a time, models from the database's paths)`,
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`generation worker ${process.pid}: ${signal}, finishing running jobs`);
    await worker.stop();
    await engine.close();
    await db.$disconnect();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

await main();
