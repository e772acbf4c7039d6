import "server-only";
import type { Database } from "../db";
import type { GenerationEngine } from "../generation/engine";
import type { ModelRegistry } from "./model-registry";
import { createPieceQueries } from "./piece-queries";
import { createPieceRecipes } from "./piece-recipes";
import type { PieceRuns } from "./piece-runs";

export { MAX_PRIMER_NOTES, MAX_UPLOAD_BYTES } from "@/lib/gallery-recipe";
export type { StreamEvent } from "./piece-runs";

/**
 * The pieces as the routers see them, put together from three parts with one job each: the
 * gallery's reads and edits (piece-queries), recipes into stored pieces (piece-recipes) and the
 * runs of their generations with their streams (`runs`: in-process-runs or queue-runs).
 */
export function createPieceService(deps: {
  db: Database;
  engine: GenerationEngine;
  registry: ModelRegistry;
  runs: PieceRuns;
  corpusDirs: string[];
}) {
  const { runs } = deps;
  const queries = createPieceQueries({ db: deps.db, queueAhead: runs.queueAhead });
  const recipes = createPieceRecipes(deps);
  return {
    ...queries,
    ...recipes,
    stream: runs.stream,
    resumeInterrupted: runs.resumeInterrupted,
    idle: runs.idle,
  };
}
