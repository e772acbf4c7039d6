import "server-only";
import type { Database } from "../db";
import type { GenerationEngine } from "../generation/engine";
import { createGenerationLimiter, type GenerationLimits } from "./generation-limits";
import { createModelRegistry } from "./model-registry";
import { PieceEvents } from "./piece-events";
import { createPieceReports } from "./piece-reports";
import { createPieceService } from "./piece-service";
import { createTrainingRuns } from "./training-runs";

export function createServices(deps: { db: Database; engine: GenerationEngine; modelsDir: string; builtinModelsDir?: string; corpusDirs: string[]; limits: GenerationLimits }) {
  const models = createModelRegistry(deps);
  const events = new PieceEvents();
  const pieces = createPieceService({ ...deps, registry: models, events, maxQueued: deps.limits.maxQueued });
  const reports = createPieceReports(deps);
  const training = createTrainingRuns(deps);
  const limiter = createGenerationLimiter(deps.limits);
  return { models, pieces, reports, training, limiter, engine: deps.engine, db: deps.db };
}

export type Services = ReturnType<typeof createServices>;

/** Scan the models root, then replay pieces a stopped server left unfinished. */
export async function startServices(services: Services): Promise<void> {
  const summary = await services.models.refresh();
  console.log(`models: ${summary.found} bundle(s), ${summary.usable} usable${summary.unusable.length ? `; unusable: ${summary.unusable.map((u) => `${u.name}/${u.version} (${u.reason})`).join(", ")}` : ""}`);
  const resumed = await services.pieces.resumeInterrupted();
  if (resumed > 0) console.log(`pieces: resumed ${resumed} interrupted generation(s)`);
}
