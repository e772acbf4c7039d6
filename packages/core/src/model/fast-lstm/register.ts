import * as tf from "@tensorflow/tfjs";
import { MotifEmbedding } from "./motif-embedding.js";
import { MotifLSTM } from "./motif-lstm.js";

let registered = false;

/** Registers the Motif layers with tfjs serialization so saved models load (idempotent). */
export function registerMotifLayers(): void {
  if (registered) return;
  tf.serialization.registerClass(MotifLSTM);
  tf.serialization.registerClass(MotifEmbedding);
  registered = true;
}
