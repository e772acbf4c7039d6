// Builds the generation worker from the current sources before any test spawns it.
// @ts-expect-error -- plain .mjs build script without type declarations
import { buildWorker } from "../scripts/build-worker.mjs";

export default async function setup() {
  await (buildWorker as () => Promise<string>)();
}
