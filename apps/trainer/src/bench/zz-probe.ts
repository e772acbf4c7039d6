import { selectBackend } from "../backend.js";
import { TRAIN_SHAPE, makeBatches, trainRun } from "./training.js";
const backend = process.argv[2] as "wasm" | "cpu";
await selectBackend(backend);
const cells = (process.argv[3] ?? "fast").split(",") as ("fast" | "stock")[];
const batches = makeBatches(TRAIN_SHAPE, Number(process.argv[4] ?? 3), []);
for (const cell of cells) {
  const run = trainRun(TRAIN_SHAPE, cell, batches, (s, l) => console.log(cell, s, l));
  console.log(cell, backend, run.secondsPerStep, run.tokensPerSecond);
}
