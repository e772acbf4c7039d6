// A gradient worker that starts fine and crashes on its first shard (tests the pool's error path).
import { parentPort } from "node:worker_threads";
import type { FromWorker, ToWorker } from "../messages.js";

parentPort?.on("message", (message: ToWorker) => {
  if (message.type === "compute")
    setTimeout(() => {
      throw new Error("simulated crash in shard " + message.request.shard);
    });
});
parentPort?.postMessage({ type: "ready", backend: "none" } satisfies FromWorker);
