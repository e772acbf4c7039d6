// The page's side of the device worker: one worker per page (it keeps the loaded bundle), one
// composition at a time, its messages turned into callbacks and a promise.
import type { RollNote } from "../lib/roll";
import type { DevicePrimer, DeviceRecipe, DeviceResult, FromWorker, ToWorker } from "./device-protocol";

export const DEVICE_WORKER_URL = "/workers/device-worker.js";

export interface LoadState {
  loadedBytes: number;
  totalBytes: number;
  fromCache: boolean;
  label: string;
}

/** Generation on this device needs a Web Worker and WebAssembly (core's step; the plain-JS step covers missing SIMD). */
export function deviceGenerationSupported(): boolean {
  return typeof Worker !== "undefined" && typeof WebAssembly === "object";
}

let worker: Worker | null = null;
let nextRequestId = 1;

type Handlers = {
  onLoad(state: LoadState): void;
  onNotes?(update: { from: number; notes: RollNote[]; tokenCount: number }): void;
};

/** Sends one request to the page's worker (started on first use) and settles with its last message. */
function request<T>(
  message: ToWorker,
  handlers: Handlers,
  settle: (message: FromWorker & { type: "ready" | "done" | "primer" }) => T,
): Promise<T> {
  worker ??= new Worker(DEVICE_WORKER_URL);
  const active = worker;
  return new Promise<T>((resolve, reject) => {
    const stop = () => {
      active.removeEventListener("message", onMessage);
      active.removeEventListener("error", onError);
    };
    const onMessage = (event: MessageEvent<FromWorker>) => {
      const reply = event.data;
      if (reply.requestId !== message.requestId) return;
      if (reply.type === "load")
        handlers.onLoad({
          loadedBytes: reply.loadedBytes,
          totalBytes: reply.totalBytes,
          fromCache: reply.fromCache,
          label: `${reply.name}/${reply.version}`,
        });
      else if (reply.type === "notes") handlers.onNotes?.(reply);
      else if (reply.type === "error") {
        stop();
        reject(new Error(reply.message));
      } else if (reply.type === "ready" || reply.type === "done" || reply.type === "primer") {
        stop();
        resolve(settle(reply));
      }
    };
    const onError = (event: ErrorEvent) => {
      stop();
      // A crashed worker loses its bundle; the next request starts a fresh one.
      if (worker === active) worker = null;
      active.terminate();
      reject(
        new Error(
          `the device worker failed: ${event.message || "could not start (is public/workers/device-worker.js built?)"}`,
        ),
      );
    };
    active.addEventListener("message", onMessage);
    active.addEventListener("error", onError);
    active.postMessage(message);
  });
}

export function composeOnDevice(recipe: DeviceRecipe, handlers: Handlers): Promise<DeviceResult> {
  return request({ type: "compose", requestId: nextRequestId++, recipe }, handlers, (reply) => {
    if (reply.type !== "done") throw new Error("the device worker answered a composition with no piece");
    return reply.result;
  });
}

/** Loads the model's bundle into the worker ahead of Generate; resolves when it is ready. */
export function preloadOnDevice(modelId: string, onLoad: (state: LoadState) => void): Promise<void> {
  return request({ type: "preload", requestId: nextRequestId++, modelId }, { onLoad }, () => undefined);
}

/** An uploaded file's primer, read by the worker's Composer: the file does not leave the browser. */
export function primerOnDevice(
  modelId: string,
  file: { name: string; bytes: Uint8Array },
  onLoad: (state: LoadState) => void,
): Promise<Omit<DevicePrimer, "kind">> {
  return request(
    { type: "primer-midi", requestId: nextRequestId++, modelId, fileName: file.name, bytes: file.bytes },
    { onLoad },
    (reply) => {
      if (reply.type !== "primer") throw new Error("the device worker answered a primer with no tokens");
      return reply.primer;
    },
  );
}
