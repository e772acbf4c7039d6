// Loads the hand-written SIMD kernel (step-kernel.wat, embedded as bytes) and lays matrices out in
// its memory. core's tsconfig has no DOM/Node types, so the few WebAssembly pieces used here are
// declared locally.
import { STEP_KERNEL_WASM } from "./generated/step-kernel-bytes.js";

interface KernelExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  accumulate(weights: number, x: number, rows: number, sums: number, blocks: number): void;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
}

/** Columns per block in the packed layout (the kernel keeps 16 float64 sums in registers). */
const BLOCK = 16;
const PAGE_BYTES = 65_536;

let compiled: { api: WasmApi; module: object } | null | undefined;

/** The compiled kernel, or null where WebAssembly or its SIMD128 instructions are unavailable. */
function kernelModule(): { api: WasmApi; module: object } | null {
  if (compiled !== undefined) return compiled;
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  try {
    // validate() is false on engines without SIMD128; the module is tiny, so compile synchronously.
    compiled =
      api && api.validate(STEP_KERNEL_WASM) ? { api, module: new api.Module(STEP_KERNEL_WASM) } : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** True where the WebAssembly SIMD step can run (Node 16.4+, current browsers). */
export function isWasmStepSupported(): boolean {
  return kernelModule() !== null;
}

/** A matrix W resident in kernel memory, with its input x and its sums z there too. */
export interface KernelMatrix {
  /** x: `rows` float64 values, a view of wasm memory (write the input here). */
  readonly input: Float64Array;
  /** z: `columns` float64 values, a view of wasm memory (set the bias here; holds x·W + bias after run). */
  readonly sums: Float64Array;
  /** z_j = z_j + x_i·W[i][j] for i = 0..rows-1 in order, in float64: the JS step's exact sums. */
  run(): void;
}

/** A matrix given as row-major parts with one column count, stacked top to bottom ([kernel; recurrent]). */
interface StackedMatrix {
  columns: number;
  parts: Float32Array[];
}

/**
 * Packs `matrices` into one new kernel instance whose memory is grown to fit them. Per block of
 * 16 columns every row's 16 float32 weights follow each other, zero-padded past the last column,
 * so the kernel streams memory in order. Drop every returned matrix to free the memory.
 */
export function createKernelMatrices(matrices: StackedMatrix[]): KernelMatrix[] {
  const loaded = kernelModule();
  if (!loaded)
    throw new Error("WebAssembly with SIMD128 is not available here: use createJsStepModel (same logits)");
  const kernel = new loaded.api.Instance(loaded.module, {}).exports as KernelExports;
  let size = 0;
  const take = (bytes: number) => {
    const at = size;
    size += Math.ceil(bytes / 16) * 16; // v128 accesses stay 16-byte aligned
    return at;
  };
  const slots = matrices.map(({ columns, parts }) => {
    const rows = parts.reduce((sum, part) => {
      if (part.length % columns !== 0)
        throw new Error(`a matrix part of ${part.length} values does not have ${columns} columns`);
      return sum + part.length / columns;
    }, 0);
    const blocks = Math.ceil(columns / BLOCK);
    return {
      rows,
      columns,
      blocks,
      weights: take(blocks * rows * BLOCK * 4),
      input: take(rows * 8),
      sums: take(blocks * BLOCK * 8),
    };
  });
  kernel.memory.grow(Math.ceil(size / PAGE_BYTES));
  // Views are taken after the only grow (growing detaches the old buffer).
  const float32 = new Float32Array(kernel.memory.buffer);
  const float64 = new Float64Array(kernel.memory.buffer);
  return slots.map((slot, index) => {
    let row = 0;
    for (const part of (matrices[index] as StackedMatrix).parts) {
      for (let r = 0; r < part.length / slot.columns; r++, row++) {
        for (let block = 0; block < slot.blocks; block++) {
          const first = r * slot.columns + block * BLOCK;
          const width = Math.min(BLOCK, slot.columns - block * BLOCK);
          float32.set(
            part.subarray(first, first + width),
            slot.weights / 4 + (block * slot.rows + row) * BLOCK,
          );
        }
      }
    }
    const { weights, input, rows, sums, blocks } = slot;
    return {
      input: float64.subarray(input / 8, input / 8 + rows),
      sums: float64.subarray(sums / 8, sums / 8 + slot.columns),
      run: () => kernel.accumulate(weights, input, rows, sums, blocks),
    };
  });
}
