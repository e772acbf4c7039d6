// Entry of a gradient worker thread: the same tfjs backend as the main thread, its own copy of
// the model (weights arrive with every "weights" message), and core's shard function.
import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { createModel, createShardComputer, type ShardComputer } from "@motif/core";
import { selectBackend } from "../backend.js";
import type { BackendChoice } from "../backend-choice.js";
import type { FromWorker, ToWorker, WorkerSetup } from "./messages.js";

const setup = workerData as WorkerSetup;
const port = parentPort;
if (!port) throw new Error("gradient-worker.ts runs as a worker thread only");
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

const CHOICE_OF_BACKEND: Record<string, BackendChoice> = { tensorflow: "node", wasm: "wasm", cpu: "cpu" };

async function start(): Promise<{ model: tf.LayersModel; compute: ShardComputer }> {
  const choice = CHOICE_OF_BACKEND[setup.backend];
  if (!choice) throw new Error(`unknown tfjs backend "${setup.backend}"`);
  await selectBackend(choice);
  // The init seed does not matter: the weights come from the main thread before the first shard.
  const model = createModel(setup.modelConfig, 0);
  return { model, compute: createShardComputer(model, setup.modelConfig) };
}

try {
  const { model, compute } = await start();
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  port.on("message", (message: ToWorker) => {
    if (message.type === "weights") {
      if (message.weights.length !== variables.length)
        throw new Error(
          `got ${message.weights.length} weight arrays for ${variables.length} trainable weights`,
        );
      variables.forEach((variable, i) =>
        tf.tidy(() => variable.assign(tf.tensor(message.weights[i] as Float32Array, variable.shape))),
      );
      return;
    }
    try {
      const result = compute(message.request);
      // Carried state: the rows' final LSTM states travel back with the gradients.
      const arrays = [...result.gradients, ...(result.finalStates ?? [])];
      post(
        { type: "result", id: message.id, result },
        arrays.map((a) => a.buffer as ArrayBuffer),
      );
    } catch (error) {
      post({
        type: "compute-failed",
        id: message.id,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  });
  post({ type: "ready", backend: tf.getBackend() });
} catch (error) {
  post({ type: "start-failed", message: error instanceof Error ? error.message : String(error) });
}
