// The page's side of the radio: its own device worker (the radio page has no other), the stream's
// messages turned into callbacks, and Keep as a promise.
import type { RollNote } from "../lib/roll";
import { DEVICE_WORKER_URL, type LoadState } from "./device-composer";
import type { DeviceRecipe, DeviceResult, FromWorker, RadioStats, ToWorker } from "./device-protocol";

interface RadioHandlers {
  onLoad(state: LoadState): void;
  /** A new stream began (the start, or a skip): its notes come next, from its own time 0. */
  onStream(stream: {
    streamId: number;
    recipe: DeviceRecipe;
    modelLabel: string;
    implementation: string;
    loadMs: number;
  }): void;
  onNotes(update: { streamId: number; notes: RollNote[]; composedSeconds: number; stats: RadioStats }): void;
  onError(message: string): void;
}

export interface RadioConnection {
  /** Where the playhead is, in the current stream's seconds: the worker composes until it is far enough ahead of it. */
  playhead(seconds: number): void;
  skip(seed: number): void;
  /** Cuts the piece up to `seconds` (about `spanSeconds` long) from the stream. */
  keep(seconds: number, spanSeconds: number): Promise<{ recipe: DeviceRecipe; result: DeviceResult }>;
  stop(): void;
}

/** The stream's messages carry this id; a keep's carry REQUEST_ID + its keepId, so its error finds it. */
const REQUEST_ID = 1;

export function startRadio(
  recipe: DeviceRecipe,
  aheadSeconds: number,
  handlers: RadioHandlers,
): RadioConnection {
  const worker = new Worker(DEVICE_WORKER_URL);
  const send = (message: ToWorker) => worker.postMessage(message);
  const keeps = new Map<
    number,
    { resolve(kept: { recipe: DeviceRecipe; result: DeviceResult }): void; reject(error: Error): void }
  >();
  let keepIds = 0;
  worker.addEventListener("message", (event: MessageEvent<FromWorker>) => {
    const reply = event.data;
    if (reply.type === "load")
      handlers.onLoad({
        loadedBytes: reply.loadedBytes,
        totalBytes: reply.totalBytes,
        fromCache: reply.fromCache,
        label: `${reply.name}/${reply.version}`,
      });
    else if (reply.type === "radio-stream") handlers.onStream(reply);
    else if (reply.type === "radio-notes") handlers.onNotes(reply);
    else if (reply.type === "radio-kept") {
      keeps.get(reply.keepId)?.resolve({ recipe: reply.recipe, result: reply.result });
      keeps.delete(reply.keepId);
    } else if (reply.type === "error") {
      const keepId = reply.requestId - REQUEST_ID;
      if (keepId === 0) return handlers.onError(reply.message);
      keeps.get(keepId)?.reject(new Error(reply.message));
      keeps.delete(keepId);
    }
  });
  worker.addEventListener("error", (event) =>
    handlers.onError(
      `the device worker failed: ${event.message || "could not start (is public/workers/device-worker.js built?)"}`,
    ),
  );
  send({ type: "radio-start", requestId: REQUEST_ID, recipe, aheadSeconds });
  return {
    playhead: (seconds) => send({ type: "radio-playhead", requestId: REQUEST_ID, seconds }),
    skip: (seed) => send({ type: "radio-skip", requestId: REQUEST_ID, seed, aheadSeconds }),
    keep(seconds, spanSeconds) {
      const keepId = ++keepIds;
      return new Promise((resolve, reject) => {
        keeps.set(keepId, { resolve, reject });
        send({ type: "radio-keep", requestId: REQUEST_ID + keepId, keepId, seconds, spanSeconds });
      });
    },
    stop() {
      send({ type: "radio-stop", requestId: REQUEST_ID });
      worker.terminate();
      for (const { reject } of keeps.values()) reject(new Error("the radio stopped"));
      keeps.clear();
    },
  };
}
