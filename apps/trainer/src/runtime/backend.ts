// Backend selection at the app edge: tfjs-node when its native addon loads, else wasm, else cpu.
// Everything goes through the single @tensorflow/tfjs instance that @motif/core also imports.
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { BackendChoice } from "./backend-choice.js";
import { CliError } from "../errors.js";

interface SelectedBackend {
  /** tfjs backend name: "tensorflow", "wasm" or "cpu". */
  name: string;
  /** Human-readable line, e.g. "wasm (SIMD, single thread)". */
  description: string;
  /** Why better backends were passed over (auto only). */
  fallbacks: string[];
}

const require = createRequire(import.meta.url);

async function tryNode(): Promise<string | null> {
  try {
    require("@tensorflow/tfjs-node");
  } catch (error) {
    // The loader's whole message, hint included (it says how to rebuild the addon), on one line.
    const message = (error instanceof Error ? error.message : String(error))
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .join(" ");
    return `tfjs-node unavailable: ${message} With pnpm: \`pnpm rebuild @tensorflow/tfjs-node\` (apps/trainer/README.md, "Bigger machines").`;
  }
  if (!(await tf.setBackend("tensorflow")))
    return "tfjs-node loaded but the tensorflow backend failed to initialise";
  return null;
}

async function tryWasm(): Promise<string | null> {
  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    // Offline: load the .wasm binaries from the package's own dist folder on disk.
    const distDir = path.join(
      path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")),
      "dist",
    );
    wasm.setWasmPaths(distDir + path.sep);
    // Threads need worker scripts by URL, which fail in Node (ERR_WORKER_PATH); SIMD alone works.
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    if (!(await tf.setBackend("wasm"))) return "wasm backend failed to initialise";
    return null;
  } catch (error) {
    return `wasm unavailable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function describe(name: string): string {
  if (name === "wasm")
    return `wasm (${tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "SIMD" : "no SIMD"}, single thread)`;
  if (name === "tensorflow") return "node (@tensorflow/tfjs-node, native TensorFlow)";
  return "cpu (plain JavaScript)";
}

/** Selects and initialises a backend. An explicit choice that cannot load is an error, never a silent fallback. */
export async function selectBackend(choice: BackendChoice): Promise<SelectedBackend> {
  const fallbacks: string[] = [];
  const attempts: [string, () => Promise<string | null>][] =
    choice === "node"
      ? [["tensorflow", tryNode]]
      : choice === "wasm"
        ? [["wasm", tryWasm]]
        : choice === "cpu"
          ? []
          : [
              ["tensorflow", tryNode],
              ["wasm", tryWasm],
            ];
  for (const [name, attempt] of attempts) {
    const failure = await attempt();
    if (failure === null) return { name, description: describe(name), fallbacks };
    if (choice !== "auto") throw new CliError(`--backend ${choice}: ${failure}`);
    fallbacks.push(failure);
  }
  if (!(await tf.setBackend("cpu"))) throw new CliError("the cpu backend failed to initialise");
  return { name: "cpu", description: describe("cpu"), fallbacks };
}

/** The short name written into bundles: "node", "wasm" or "cpu". */
export function backendLabel(selected: SelectedBackend): string {
  return selected.name === "tensorflow" ? "node" : selected.name;
}
