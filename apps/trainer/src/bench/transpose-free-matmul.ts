// The wasm backend's BatchMatMul is fast for plain products but 7-30x slower when asked to
// transpose an operand (transposeA/transposeB). tfjs's own gradients of matMul, dense layers and
// fused matMul all use those flags, so on wasm a dense layer's backward pass costs more than its
// forward by an order of magnitude. This wraps the kernel: transposed operands are transposed
// explicitly first (a cheap copy), then the plain product runs. Same numbers, opt-in, reversible.
import * as tf from "@tensorflow/tfjs";

type KernelConfig = NonNullable<ReturnType<typeof tf.getKernel>>;
type KernelArgs = Parameters<KernelConfig["kernelFunc"]>[0];
type TensorInfo = tf.TensorInfo;
type Backend = KernelArgs["backend"] & { disposeData(dataId: object): void };

const originals = new Map<string, KernelConfig>();

/**
 * Installs the transpose-free BatchMatMul on `backendName` (default wasm). Returns false when the
 * backend has no BatchMatMul/Transpose kernels (e.g. not registered), true when installed.
 */
export function installTransposeFreeMatMul(backendName = "wasm"): boolean {
  if (originals.has(backendName)) return true;
  const original = tf.getKernel("BatchMatMul", backendName);
  const transposeKernel = tf.getKernel("Transpose", backendName);
  if (!original || !transposeKernel) return false;

  const transposeLastTwo = (x: TensorInfo, backend: Backend): TensorInfo => {
    const rank = x.shape.length;
    const perm = [...Array(rank).keys()];
    [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
    return transposeKernel.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
  };

  const kernelFunc = (args: KernelArgs) => {
    const { inputs, attrs } = args;
    const backend = args.backend as Backend;
    const transposeA = Boolean(attrs?.["transposeA"]);
    const transposeB = Boolean(attrs?.["transposeB"]);
    if (!transposeA && !transposeB) return original.kernelFunc(args);
    const temporaries: TensorInfo[] = [];
    const a = transposeA ? transposeLastTwo(inputs["a"]!, backend) : inputs["a"]!;
    const b = transposeB ? transposeLastTwo(inputs["b"]!, backend) : inputs["b"]!;
    if (transposeA) temporaries.push(a);
    if (transposeB) temporaries.push(b);
    try {
      return original.kernelFunc({
        inputs: { a, b },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };

  tf.unregisterKernel("BatchMatMul", backendName);
  tf.registerKernel({ ...original, kernelFunc: kernelFunc as KernelConfig["kernelFunc"] });
  originals.set(backendName, original);
  return true;
}

/** Restores the backend's own BatchMatMul kernel. */
export function uninstallTransposeFreeMatMul(backendName = "wasm"): void {
  const original = originals.get(backendName);
  if (!original) return;
  tf.unregisterKernel("BatchMatMul", backendName);
  tf.registerKernel(original);
  originals.delete(backendName);
}
