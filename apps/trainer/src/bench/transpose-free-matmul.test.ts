import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { selectBackend } from "../runtime/backend.js";
import { installTransposeFreeMatMul, uninstallTransposeFreeMatMul } from "./transpose-free-matmul.js";

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe("transpose-free BatchMatMul (wasm)", () => {
  afterAll(() => uninstallTransposeFreeMatMul("wasm"));

  it("gives the same products for every transpose combination and batch rank, and leaks nothing", async () => {
    await selectBackend("wasm");
    const cases: [number[], number[], boolean, boolean][] = [
      [[5, 3], [3, 4], false, false],
      [[3, 5], [3, 4], true, false],
      [[5, 3], [4, 3], false, true],
      [[3, 5], [4, 3], true, true],
      [[2, 3, 5], [2, 4, 3], true, true],
      [[1, 6, 3], [1, 6, 2], true, false],
    ];
    const inputs = cases.map(
      ([sa, sb], i) =>
        [tf.randomNormal(sa, 0, 1, "float32", i), tf.randomNormal(sb, 0, 1, "float32", 100 + i)] as const,
    );
    const expected = cases.map(([, , ta, tb], i) => tf.matMul(inputs[i]![0], inputs[i]![1], ta, tb));
    expect(installTransposeFreeMatMul("wasm")).toBe(true);
    expect(installTransposeFreeMatMul("wasm")).toBe(true); // idempotent
    const before = tf.memory().numTensors;
    cases.forEach(([, , ta, tb], i) => {
      const actual = tf.matMul(inputs[i]![0], inputs[i]![1], ta, tb);
      expect(actual.shape).toEqual(expected[i]!.shape);
      expect(maxAbsDiff(actual, expected[i]!)).toBeLessThan(1e-5);
      actual.dispose();
    });
    expect(tf.memory().numTensors).toBe(before);
    // The gradient of a dense layer (which uses the transposed forms) is unchanged too.
    const x = tf.randomNormal([4, 3, 5], 0, 1, "float32", 9);
    const w = tf.randomNormal([5, 2], 0, 1, "float32", 10);
    const grad = () =>
      tf.grad((kernel: tf.Tensor) => tf.sum(tf.square(tf.matMul(tf.reshape(x, [12, 5]), kernel))))(w);
    const withFix = grad();
    uninstallTransposeFreeMatMul("wasm");
    const stock = grad();
    expect(maxAbsDiff(withFix, stock)).toBeLessThan(1e-4);
    tf.dispose([...inputs.flat(), ...expected, x, w, withFix, stock]);
  });

  it("reports backends it cannot wrap", () => {
    expect(installTransposeFreeMatMul("no-such-backend")).toBe(false);
  });
});
