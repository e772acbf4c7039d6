// Motif's fast recurrent layers for tfjs: same weights and results as the stock layers, built for
// the wasm/cpu backends (see lstm-sequence.ts for how).
import { registerMotifLayers } from "./register.js";

export { MotifLSTM, motifLstm, type MotifLstmArgs } from "./motif-lstm.js";
export { MotifEmbedding, motifEmbedding } from "./motif-embedding.js";
export { registerMotifLayers };

// Loading a saved model needs the classes registered; importing this module is enough.
registerMotifLayers();
