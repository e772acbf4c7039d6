import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { backendLabel, selectBackend } from "./backend.js";
import { CliError } from "./command-args.js";

const require = createRequire(import.meta.url);
const tfjsNodeLoads = (() => {
  try {
    require("@tensorflow/tfjs-node");
    return true;
  } catch {
    return false;
  }
})();

describe("backend selection", () => {
  it("uses a single tfjs-core for tfjs and the wasm backend", () => {
    const coreFrom = (pkg: string) => require.resolve("@tensorflow/tfjs-core", { paths: [path.dirname(require.resolve(`${pkg}/package.json`))] });
    expect(coreFrom("@tensorflow/tfjs-backend-wasm")).toBe(coreFrom("@tensorflow/tfjs"));
  });

  it("initialises wasm offline from the package's own files and computes on it", async () => {
    const selected = await selectBackend("wasm");
    expect(selected.name).toBe("wasm");
    expect(backendLabel(selected)).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    const result = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0]);
    expect(result).toBe(11);
  });

  it.skipIf(tfjsNodeLoads)("refuses --backend node with the loader's reason when tfjs-node is missing (skipped when it loads)", async () => {
    await expect(selectBackend("node")).rejects.toThrow(CliError);
    await expect(selectBackend("node")).rejects.toThrow(/--backend node: tfjs-node unavailable: .*tfjs_binding\.node\) can not be found$/);
  });

  it.skipIf(tfjsNodeLoads)("auto falls back to wasm and says why (skipped when tfjs-node loads)", async () => {
    const selected = await selectBackend("auto");
    expect(selected.name).toBe("wasm");
    expect(selected.fallbacks).toEqual([expect.stringContaining("tfjs-node unavailable")]);
  });

  it("selects cpu on request", async () => {
    const selected = await selectBackend("cpu");
    expect(selected.description).toBe("cpu (plain JavaScript)");
    expect(tf.getBackend()).toBe("cpu");
  });
});
