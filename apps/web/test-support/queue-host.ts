// A web instance without HTTP, for the queue engine's tests and benchmark: its own services
// (MOTIF_ENGINE=queue from the environment, its own database clients and LISTEN connection),
// driven over the parent's IPC channel through the tRPC router (createCaller), as requests would.
// Bundled by scripts/build-queue-worker.mjs (buildNodeEntry) and run with child_process.fork.
import { env } from "@/env";
import { createDatabase } from "@/server/db";
import { createWorkerPool } from "@/server/generation/worker-pool";
import { appRouter } from "@/server/routers/app-router";
import { createServices, startServices } from "@/server/services/services";
import { createCallerFactory, createContextInner } from "@/server/trpc";
import { trackedEvents } from "./tracked-events";

export type HostRequest =
  | { id: number; op: "create"; client: string; input: Record<string, unknown> }
  | { id: number; op: "regenerate"; client: string; pieceId: string }
  | { id: number; op: "byId"; pieceId: string }
  | { id: number; op: "list"; limit: number }
  | { id: number; op: "stream"; pieceId: string }
  | { id: number; op: "close" };

export type HostMessage =
  | { type: "ready"; pid: number }
  | { type: "result"; id: number; value: unknown }
  | { type: "error"; id: number; code: string; message: string }
  | { type: "event"; id: number; eventId: string; event: unknown }
  | { type: "end"; id: number };

const send = (message: HostMessage): void => void process.send!(message);

const db = createDatabase(env.database);
const engine = createWorkerPool({ script: env.workerScript, size: 1 });
const services = createServices({
  db,
  engine,
  modelsDir: env.modelsDir,
  builtinModelsDir: env.builtinModelsDir,
  corpusDirs: env.corpusDirs,
  limits: { ...env.generationLimits, store: env.database },
  runs: env.engine,
});
const createCaller = createCallerFactory(appRouter);
const caller = (client: string) =>
  createCaller(
    createContextInner(services, { clientAddress: client, editToken: null, resHeaders: new Headers() }),
  );

async function handle(request: HostRequest): Promise<void> {
  try {
    if (request.op === "create")
      return send({
        type: "result",
        id: request.id,
        value: await caller(request.client).pieces.create(request.input as never),
      });
    if (request.op === "regenerate")
      return send({
        type: "result",
        id: request.id,
        value: await caller(request.client).pieces.regenerate({ id: request.pieceId }),
      });
    if (request.op === "byId")
      return send({
        type: "result",
        id: request.id,
        value: JSON.parse(
          JSON.stringify(await caller("host").pieces.byId({ id: request.pieceId })),
        ) as unknown,
      });
    if (request.op === "list")
      return send({
        type: "result",
        id: request.id,
        value: JSON.parse(
          JSON.stringify(await caller("host").pieces.list({ limit: request.limit })),
        ) as unknown,
      });
    if (request.op === "stream") {
      const events = trackedEvents(await caller("host").pieces.stream({ id: request.pieceId }));
      for await (const { id: eventId, data: event } of events)
        send({ type: "event", id: request.id, eventId, event });
      return send({ type: "end", id: request.id });
    }
    await services.runs.close();
    await services.limiter.close();
    await engine.close();
    await db.$disconnect();
    send({ type: "result", id: request.id, value: null });
    process.disconnect();
  } catch (error) {
    const code =
      typeof error === "object" && error !== null && "code" in error
        ? String((error as { code: unknown }).code)
        : "ERROR";
    send({
      type: "error",
      id: request.id,
      code,
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

process.on("message", (request: HostRequest) => void handle(request));
// The parent scans the models first (two instances scanning at once would race on the same rows).
if (process.env.MOTIF_HOST_SCAN === "1") await startServices(services);
send({ type: "ready", pid: process.pid });
