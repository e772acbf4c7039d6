// Test helper: switch tfjs between the cpu and wasm (SIMD, single thread) backends in Node.
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

let wasmPathsSet = false;

export async function useBackend(name: "cpu" | "wasm"): Promise<void> {
  if (name === "wasm" && !wasmPathsSet) {
    const require = createRequire(import.meta.url);
    setWasmPaths(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm")) + path.sep);
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} failed to initialise`);
  await tf.ready();
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}
