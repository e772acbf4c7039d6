// The committed kernel bytes must be what the committed .wat assembles to (no drift).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { STEP_KERNEL_WASM } from "./generated/step-kernel-bytes.js";
import { isWasmStepSupported } from "./kernel.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const buildScript = path.resolve(here, "../../../scripts/build-wasm.mjs");

describe("step kernel bytes", () => {
  it("generated/step-kernel-bytes.ts is exactly what scripts/build-wasm.mjs makes of step-kernel.wat", async () => {
    const { assembleWat, renderGeneratedModule, watPath, generatedPath } = await import(buildScript);
    const bytes: Uint8Array = await assembleWat(await readFile(watPath, "utf8"));
    expect(Array.from(STEP_KERNEL_WASM)).toEqual(Array.from(bytes));
    expect(await readFile(generatedPath, "utf8")).toBe(renderGeneratedModule(bytes));
  });

  it("uses SIMD128 but nothing relaxed (no fused multiply-add)", async () => {
    const { assembleWat } = await import(buildScript);
    expect(isWasmStepSupported()).toBe(true); // the engine validated and compiled the bytes
    const code = (await readFile(path.resolve(here, "step-kernel.wat"), "utf8")).replace(/;;.*$/gm, "");
    expect(code).toMatch(/f64x2\.mul/);
    expect(code).not.toMatch(/relaxed|madd|fma/i);
    // An edit that would break the bit-identical sums fails to assemble without relaxed SIMD.
    await expect(
      assembleWat(
        "(module (func (param v128 v128 v128) (result v128) (f64x2.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))",
      ),
    ).rejects.toThrow();
  });
});
