// Worker-thread bootstrap. Node 20 does not apply the parent's `--import tsx` to a worker's own
// entry module, so a TypeScript entry cannot be the Worker's file. This plain-JS file registers
// tsx's loader in the worker thread, then imports the real entry (workerData.entry, a file URL).
// The pool starts it with `--conditions=@motif/source`, so workspace packages resolve to source.
import { workerData } from "node:worker_threads";

if (/\.[cm]?ts$/.test(workerData.entry)) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import(workerData.entry);
