import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { backendLabel, selectBackend } from "./backend.js";
import type { BundleManifest, EpochMetrics } from "@motif/core";
import { CliError } from "../errors.js";
import { runCli } from "../test-support/run-cli.js";

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
    const coreFrom = (pkg: string) =>
      require.resolve("@tensorflow/tfjs-core", {
        paths: [path.dirname(require.resolve(`${pkg}/package.json`))],
      });
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

  it.skipIf(tfjsNodeLoads)(
    "refuses --backend node with the loader's reason when tfjs-node is missing (skipped when it loads)",
    async () => {
      await expect(selectBackend("node")).rejects.toThrow(CliError);
      await expect(selectBackend("node")).rejects.toThrow(
        /--backend node: tfjs-node unavailable: .*tfjs_binding\.node\) can not be found at path: .* Please run command 'npm rebuild @tensorflow\/tfjs-node --build-addon-from-source'.* With pnpm: `pnpm rebuild @tensorflow\/tfjs-node`/,
      );
    },
  );

  it.skipIf(tfjsNodeLoads)(
    "auto falls back to wasm and says why (skipped when tfjs-node loads)",
    async () => {
      const selected = await selectBackend("auto");
      expect(selected.name).toBe("wasm");
      expect(selected.fallbacks).toEqual([expect.stringContaining("tfjs-node unavailable")]);
    },
  );

  it.skipIf(!tfjsNodeLoads)(
    "trains two epochs on tfjs-node with the same history as wasm, to float precision (skipped here: the tfjs-node addon does not load)",
    async () => {
      const work = await mkdtemp(path.join(tmpdir(), "motif-node-"));
      try {
        const tiny = [
          "train",
          "--out",
          work,
          "--units",
          "16",
          "--seq-len",
          "16",
          "--batch",
          "16",
          "--epochs",
          "2",
          "--workers",
          "1",
        ];
        const histories: EpochMetrics[][] = [];
        for (const backend of ["node", "wasm"]) {
          const run = await runCli([...tiny, "--name", backend, "--backend", backend]);
          expect(run.code, run.stderr).toBe(0);
          const manifest = JSON.parse(
            await readFile(path.join(work, backend, "v1", "bundle.json"), "utf8"),
          ) as BundleManifest;
          expect(manifest.backend).toBe(backend);
          histories.push(manifest.metrics);
        }
        const [node, wasm] = histories as [EpochMetrics[], EpochMetrics[]];
        expect(node).toHaveLength(2);
        node.forEach((epoch, i) => {
          expect(Math.abs(epoch.loss - wasm[i]!.loss)).toBeLessThan(1e-2);
          expect(Math.abs(epoch.valLoss! - wasm[i]!.valLoss!)).toBeLessThan(1e-2);
        });
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
    300_000,
  );

  it("selects cpu on request", async () => {
    const selected = await selectBackend("cpu");
    expect(selected.description).toBe("cpu (plain JavaScript)");
    expect(tf.getBackend()).toBe("cpu");
  });
});
