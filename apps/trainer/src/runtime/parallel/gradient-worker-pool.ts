// Worker threads that compute gradient shards for core's trainModel (GradientWorkers). Each thread
// runs gradient-worker.ts: the main thread's tfjs backend, its own model copy, core's shard function.
import os from "node:os";
import { Worker } from "node:worker_threads";
import type { GradientWorkers, ModelConfig, ShardRequest, ShardResult } from "@motif/core";
import type { FromWorker, ToWorker, WorkerSetup } from "./messages.js";

interface GradientPoolOptions {
  /** Worker threads to start (the main thread computes shards too, so threads = this + 1). */
  workers: number;
  /** The main thread's tfjs backend name (tf.getBackend()): each worker selects the same one. */
  backend: string;
  modelConfig: ModelConfig;
  /** Worker entry module; tests swap it. Default: ./gradient-worker.ts next to this file. */
  entry?: URL;
}

interface Pending {
  resolve(result: ShardResult): void;
  reject(error: Error): void;
}

/** A gradient thread failed to start, crashed, exited or could not compute a shard. */
export class GradientWorkerError extends Error {
  override name = "GradientWorkerError";
}

const BOOT = new URL("./worker-boot.mjs", import.meta.url);
const DEFAULT_ENTRY = new URL("./gradient-worker.ts", import.meta.url);

/**
 * Threads computing gradients for `train --workers N`: min(N, shards), and no more than the
 * machine's cores unless asked; 1 = everything on the main thread.
 */
export function defaultThreadCount(shards: number): number {
  return Math.max(1, Math.min(os.availableParallelism(), shards));
}

/** One worker thread and the shard computations it owes. */
class GradientThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: GradientWorkerError | null = null;
  private disposing = false;
  readonly ready: Promise<void>;

  constructor(
    private readonly index: number,
    options: GradientPoolOptions,
  ) {
    const entry = (options.entry ?? DEFAULT_ENTRY).href;
    const setup: WorkerSetup = { entry, backend: options.backend, modelConfig: options.modelConfig, index };
    // Explicit execArgv: the workspace packages must resolve to their TypeScript source, however
    // the parent was started (tsx CLI, vitest, node --import tsx).
    this.worker = new Worker(BOOT, { workerData: setup, execArgv: ["--conditions=@motif/source"] });
    this.ready = new Promise<void>((resolve, reject) => {
      const onStartMessage = (message: FromWorker) => {
        if (message.type === "ready") resolve();
        else if (message.type === "start-failed")
          reject(new GradientWorkerError(`gradient worker ${index} could not start: ${message.message}`));
        else return;
        this.worker.off("message", onStartMessage);
        this.worker.on("message", (m: FromWorker) => this.onMessage(m));
      };
      this.worker.on("message", onStartMessage);
      this.worker.on("error", (error) => {
        this.fail(new GradientWorkerError(`gradient worker ${index} crashed: ${error.message}`));
        reject(this.failure);
      });
      this.worker.on("exit", (code) => {
        if (!this.disposing)
          this.fail(
            new GradientWorkerError(`gradient worker ${index} exited unexpectedly (exit code ${code})`),
          );
        reject(this.failure ?? new GradientWorkerError(`gradient worker ${index} was stopped`));
      });
    });
    // A start failure is reported by createGradientPool; never an unhandled rejection here.
    this.ready.catch(() => undefined);
  }

  setWeights(weights: Float32Array[], transfer: boolean): void {
    if (this.failure) return; // the next compute reports it
    const message: ToWorker = { type: "weights", weights };
    this.worker.postMessage(message, transfer ? weights.map((w) => w.buffer as ArrayBuffer) : []);
  }

  compute(request: ShardRequest): Promise<ShardResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<ShardResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: ToWorker = { type: "compute", id, request };
      this.worker.postMessage(message);
    });
  }

  async dispose(): Promise<void> {
    this.disposing = true;
    this.fail(new GradientWorkerError(`gradient worker ${this.index} was stopped`));
    await this.worker.terminate();
  }

  private onMessage(message: FromWorker): void {
    if (message.type !== "result" && message.type !== "compute-failed") return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.type === "result") pending.resolve(message.result);
    else pending.reject(new GradientWorkerError(`gradient worker ${this.index}: ${message.message}`));
  }

  private fail(error: GradientWorkerError): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
  }
}

/**
 * Starts `options.workers` gradient threads and waits until each has built its model. Shard k of
 * the ones sent to the pool goes to thread k mod workers (which thread computes a shard never
 * changes its result). A thread that crashes or exits rejects its pending and later shards with an
 * error naming it. Always `dispose()` (it terminates the threads).
 */
export async function createGradientPool(options: GradientPoolOptions): Promise<GradientWorkers> {
  if (!Number.isInteger(options.workers) || options.workers < 1)
    throw new Error(`a gradient pool needs at least 1 worker thread, got ${options.workers}`);
  const threads = Array.from({ length: options.workers }, (_, i) => new GradientThread(i + 1, options));
  const dispose = async () => {
    await Promise.all(threads.map((thread) => thread.dispose()));
  };
  try {
    await Promise.all(threads.map((thread) => thread.ready));
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    count: threads.length,
    setWeights(weights) {
      // Every thread but the last gets a copy; the last takes the arrays themselves (transferred).
      threads.forEach((thread, i) => {
        const last = i === threads.length - 1;
        thread.setWeights(last ? weights : weights.map((w) => w.slice()), last);
      });
    },
    compute(request) {
      return (threads[request.shard % threads.length] as GradientThread).compute(request);
    },
    dispose,
  };
}
