// Processes of a queue-engine cluster for tests and the benchmark: web instances (queue-host.ts,
// driven over IPC) and generation workers (`pnpm --filter web worker`'s bundle), on one database.
import { fork, spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { StreamEvent } from "@/server/services/piece-service";
// @ts-expect-error -- plain .mjs build script without type declarations
import { buildNodeEntry, buildQueueWorker } from "../scripts/build-queue-worker.mjs";
import type { HostMessage, HostRequest } from "./queue-host";

const webDir = join(import.meta.dirname, "..");
const hostScript = join(webDir, "dist-worker", "queue-host.mjs");

/** Bundles the worker process and the test host from the current sources. */
export async function buildQueueProcesses(): Promise<{ workerScript: string; hostScript: string }> {
  const workerScript = await (buildQueueWorker as () => Promise<string>)();
  await (buildNodeEntry as (entry: string, out: string) => Promise<string>)(
    join(webDir, "test-support", "queue-host.ts"),
    hostScript,
  );
  return { workerScript, hostScript };
}

type Distribute<T> = T extends unknown ? Omit<T, "id"> : never;

export interface Host {
  pid: number;
  request<T>(request: Distribute<HostRequest>): Promise<T>;
  /** Subscribes at once; `events` (and their tracked ids, `eventIds`) fill as they come, `ended` resolves with all of them after done/failed. */
  stream(pieceId: string): {
    events: StreamEvent[];
    eventIds: string[];
    ended: Promise<StreamEvent[]>;
    next(predicate: (event: StreamEvent) => boolean): Promise<StreamEvent>;
  };
  close(): Promise<void>;
}

export function startHost(env: Record<string, string>): Promise<Host> {
  const child = fork(hostScript, [], {
    cwd: webDir,
    env: { ...process.env, ...env, MOTIF_WEB_DIR: webDir },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const streams = new Map<
    number,
    {
      events: StreamEvent[];
      eventIds: string[];
      waiters: { predicate(event: StreamEvent): boolean; resolve(event: StreamEvent): void }[];
      end(): void;
    }
  >();
  return new Promise((resolveHost, rejectHost) => {
    child.once("exit", (code) => rejectHost(new Error(`host exited with code ${code} before it was ready`)));
    child.on("message", (message: HostMessage) => {
      if (message.type === "ready") {
        resolveHost({
          pid: message.pid,
          request<T>(request: Distribute<HostRequest>) {
            const id = nextId++;
            return new Promise<T>((resolve, reject) => {
              pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
              child.send({ ...request, id });
            });
          },
          stream(pieceId) {
            const id = nextId++;
            const events: StreamEvent[] = [];
            const eventIds: string[] = [];
            let end!: () => void;
            const ended = new Promise<StreamEvent[]>((resolve) => (end = () => resolve(events)));
            const entry = {
              events,
              eventIds,
              waiters: [] as { predicate(event: StreamEvent): boolean; resolve(event: StreamEvent): void }[],
              end,
            };
            streams.set(id, entry);
            pending.set(id, { resolve: () => undefined, reject: (error) => console.error(error) });
            child.send({ op: "stream", pieceId, id } satisfies HostRequest);
            return {
              events,
              eventIds,
              ended,
              next: (predicate) =>
                new Promise<StreamEvent>((resolve) => {
                  const seen = events.find(predicate);
                  if (seen) resolve(seen);
                  else entry.waiters.push({ predicate, resolve });
                }),
            };
          },
          async close() {
            if (!child.connected) return;
            const exited = new Promise((resolve) => child.once("exit", resolve));
            const id = nextId++;
            child.send({ op: "close", id } satisfies HostRequest);
            await exited;
          },
        });
        return;
      }
      const stream = streams.get(message.id);
      if (message.type === "event" && stream) {
        const event = message.event as StreamEvent;
        stream.events.push(event);
        stream.eventIds.push(message.eventId);
        stream.waiters = stream.waiters.filter((waiter) =>
          waiter.predicate(event) ? (waiter.resolve(event), false) : true,
        );
        return;
      }
      if (message.type === "end" && stream) {
        streams.delete(message.id);
        stream.end();
        return;
      }
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.type === "error")
        waiter.reject(Object.assign(new Error(message.message), { code: message.code }));
      else if (message.type === "result") waiter.resolve(message.value);
    });
  });
}

export interface WorkerProcess {
  pid: number;
  child: ChildProcess;
  /** Everything it printed so far. */
  output: string[];
  exited: Promise<number | null>;
  /** SIGSTOP / SIGCONT: a paused worker takes no job and finishes none (its connections stay open). */
  pause(): void;
  resume(): void;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
}

export function startWorker(workerScript: string, env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [workerScript], {
    cwd: webDir,
    env: { ...process.env, ...env, MOTIF_WEB_DIR: webDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line === "") continue;
        output.push(line);
        if (line.includes(": ready (")) {
          resolve({
            pid: child.pid!,
            child,
            output,
            exited,
            pause: () => void child.kill("SIGSTOP"),
            resume: () => void child.kill("SIGCONT"),
            async stop() {
              if (child.exitCode !== null || child.signalCode !== null) return;
              child.kill("SIGCONT");
              child.kill("SIGTERM");
              await exited;
            },
          });
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) =>
      reject(new Error(`generation worker exited with ${code} before it was ready:\n${output.join("\n")}`)),
    );
  });
}
