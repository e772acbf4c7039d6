import "server-only";
import type { Database } from "../db";
import type { GenerationEngine } from "../generation/engine";
import { createPieceNotifications } from "../queue/piece-notifications";
import { createQueueRuns } from "../queue/queue-runs";
import { createGenerationLimiter, type GenerationLimits } from "./generation-limits";
import { createInProcessRuns } from "./in-process-runs";
import { createModelRegistry } from "./model-registry";
import { PieceEvents } from "./piece-events";
import { createPieceReports } from "./piece-reports";
import type { PieceRuns } from "./piece-runs";
import { createPieceService } from "./piece-service";
import { createTrainingRuns } from "./training-runs";

/** `inprocess`: generations on `engine`'s threads. `queue`: jobs in PostgreSQL for worker processes (`engine` still resolves primers, reports, a share's replay). */
type EngineChoice = { kind: "inprocess" } | { kind: "queue"; attempts: number };

export function createServices(deps: {
  db: Database;
  engine: GenerationEngine;
  modelsDir: string;
  builtinModelsDir?: string;
  corpusDirs: string[];
  limits: GenerationLimits;
  runs?: EngineChoice;
}) {
  const models = createModelRegistry(deps);
  const runs = createRuns(deps);
  const pieces = createPieceService({ ...deps, registry: models, runs });
  const reports = createPieceReports(deps);
  const training = createTrainingRuns(deps);
  const limiter = createGenerationLimiter(deps.limits);
  return { models, pieces, reports, training, limiter, engine: deps.engine, db: deps.db, runs };
}

function createRuns(deps: {
  db: Database;
  engine: GenerationEngine;
  limits: GenerationLimits;
  runs?: EngineChoice;
}): PieceRuns {
  const choice = deps.runs ?? { kind: "inprocess" };
  if (choice.kind === "inprocess")
    return createInProcessRuns({
      db: deps.db,
      engine: deps.engine,
      events: new PieceEvents(),
      maxQueued: deps.limits.maxQueued,
    });
  if (deps.limits.store.provider !== "postgresql")
    throw new Error("the queue engine needs PostgreSQL (a postgresql:// DATABASE_URL)");
  return createQueueRuns({
    db: deps.db,
    notifications: createPieceNotifications(deps.limits.store.url),
    maxQueued: deps.limits.maxQueued,
    attempts: choice.attempts,
  });
}

export type Services = ReturnType<typeof createServices>;

/** Scan the models root, then replay pieces a stopped server left unfinished. */
export async function startServices(services: Services): Promise<void> {
  const summary = await services.models.refresh();
  console.log(
    `models: ${summary.found} bundle(s), ${summary.usable} usable${summary.unusable.length ? `; unusable: ${summary.unusable.map((u) => `${u.name}/${u.version} (${u.reason})`).join(", ")}` : ""}`,
  );
  const resumed = await services.pieces.resumeInterrupted();
  if (resumed > 0) console.log(`pieces: resumed ${resumed} interrupted generation(s)`);
}
