// What the gradient pool and its worker threads say to each other (structured-cloned; typed
// arrays are transferred, not copied).
import type { ModelConfig, ShardRequest, ShardResult } from "@motif/core";

/** Given to each worker as workerData. */
export interface WorkerSetup {
  /** File URL of the worker's entry module (read by worker-boot.mjs). */
  entry: string;
  /** tfjs backend name of the main thread: "tensorflow", "wasm" or "cpu". */
  backend: string;
  modelConfig: ModelConfig;
  /** 1-based number of this worker, for messages. */
  index: number;
}

export type ToWorker =
  { type: "weights"; weights: Float32Array[] } | { type: "compute"; id: number; request: ShardRequest };

export type FromWorker =
  | { type: "ready"; backend: string }
  | { type: "start-failed"; message: string }
  | { type: "result"; id: number; result: ShardResult }
  | { type: "compute-failed"; id: number; message: string };
