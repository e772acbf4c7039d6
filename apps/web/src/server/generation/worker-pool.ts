import "server-only";
import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import type { WorkerMessage, WorkerRequest, WorkerResultValue } from "@/worker/protocol";
import { PrimerError, type GenerateProgress, type GenerationEngine } from "./engine";

type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

interface Task {
  id: number;
  request: Request;
  resolve(value: WorkerResultValue): void;
  reject(error: Error): void;
  onProgress?(progress: GenerateProgress): void;
  onQueue?(ahead: number | null): void;
  /** The last `ahead` told to onQueue (so it hears only changes). */
  ahead?: number;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  backend: string | null;
}

/**
 * Runs model work on `size` worker threads (each loads tfjs + bundles once), one task per worker,
 * the rest queued in order: pages stay fast while pieces are generated. A crashed worker fails
 * only its own task and is replaced.
 */
export function createWorkerPool(options: {
  script: string;
  size: number;
  /** Batch note updates at most this often (the worker's default 80 ms). */ progressEveryMs?: number;
}): GenerationEngine & { backends(): (string | null)[] } {
  if (!existsSync(options.script)) {
    throw new Error(
      `generation worker ${options.script} is missing: run \`pnpm --filter web build:worker\` (part of \`build\`)`,
    );
  }
  const slots: Slot[] = [];
  const queue: Task[] = [];
  let nextId = 1;
  let closed = false;

  function spawn(): Slot {
    const slot: Slot = {
      worker: new Worker(options.script, { workerData: { progressEveryMs: options.progressEveryMs } }),
      task: null,
      backend: null,
    };
    slot.worker.on("message", (message: WorkerMessage) => onMessage(slot, message));
    slot.worker.on("error", (error) => fail(slot, new Error(`generation worker crashed: ${error.message}`)));
    slot.worker.on("exit", (code) => {
      if (!closed) fail(slot, new Error(`generation worker exited with code ${code}`));
    });
    slot.worker.unref();
    return slot;
  }

  function fail(slot: Slot, error: Error) {
    const task = slot.task;
    slot.task = null;
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    void slot.worker.terminate();
    task?.reject(error);
    pump();
  }

  function onMessage(slot: Slot, message: WorkerMessage) {
    if (message.type === "ready") {
      slot.backend = message.backend;
      return;
    }
    const task = slot.task;
    if (!task || task.id !== message.id) return;
    if (message.type === "progress") {
      task.onProgress?.(message.progress);
      return;
    }
    slot.task = null;
    if (message.type === "result") task.resolve(message.value);
    else task.reject(message.primer ? new PrimerError(message.message) : new Error(message.message));
    pump();
  }

  function pump() {
    if (closed) return;
    while (queue.length > 0) {
      let slot = slots.find((s) => s.task === null);
      if (!slot && slots.length < options.size) {
        slot = spawn();
        slots.push(slot);
      }
      if (!slot) break;
      const task = queue.shift()!;
      slot.task = task;
      slot.worker.ref();
      slot.worker.postMessage({ ...task.request, id: task.id } as WorkerRequest);
      if (task.ahead !== undefined) task.onQueue?.(null);
    }
    for (const slot of slots) if (slot.task === null) slot.worker.unref();
    tellQueue();
  }

  /** Each waiting generation: the generations running plus those waiting before it. */
  function tellQueue() {
    let ahead = slots.filter((slot) => slot.task?.request.op === "generate").length;
    for (const task of queue) {
      if (task.request.op !== "generate") continue;
      if (task.onQueue && task.ahead !== ahead) {
        task.ahead = ahead;
        task.onQueue(ahead);
      }
      ahead += 1;
    }
  }

  function run<T extends WorkerResultValue>(
    request: Request,
    onProgress?: (progress: GenerateProgress) => void,
    onQueue?: (ahead: number | null) => void,
  ): Promise<T> {
    if (closed) return Promise.reject(new Error("the generation pool is closed"));
    return new Promise<T>((resolve, reject) => {
      queue.push({
        id: nextId++,
        request,
        resolve: resolve as (value: WorkerResultValue) => void,
        reject,
        ...(onProgress ? { onProgress } : {}),
        ...(onQueue ? { onQueue } : {}),
      });
      pump();
    });
  }

  return {
    inspectBundle: (modelDir) => run({ op: "inspect", modelDir }),
    primerFromMidi: (args) => run({ op: "primer-midi", ...args }),
    primerFromCorpus: (args) => run({ op: "primer-corpus", ...args }),
    generate: (job, onProgress, onQueue) => run({ op: "generate", job }, onProgress, onQueue),
    pieceReport: (args) => run({ op: "report", ...args }),
    sourcePassage: (args) => run({ op: "passage", ...args }),
    backends: () => slots.map((s) => s.backend),
    async close() {
      closed = true;
      for (const task of queue.splice(0)) task.reject(new Error("the generation pool was closed"));
      await Promise.all(slots.splice(0).map((slot) => slot.worker.terminate()));
    },
  };
}
