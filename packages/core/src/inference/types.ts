// The step-model interface every step implements (plain JS, WebAssembly, windowed tfjs), apart from
// step-model.ts so the WebAssembly step can implement it without importing the module that picks it.
/** Feeds one token at a time and returns the logits for the next token. */
export interface StepModel {
  /** `stateful` carries LSTM h/c between steps; `windowed` re-runs the model over the last seqLen tokens. */
  readonly kind: "stateful" | "windowed";
  /** Which code computes a step: core's WebAssembly SIMD or plain-JS float64 step, or tfjs ops. */
  readonly implementation?: "wasm-simd" | "js" | "tfjs";
  /** Logits (pre-softmax scores) for the token after `tokenId`. */
  step(tokenId: number): Float32Array;
  reset(): void;
  dispose(): void;
}
