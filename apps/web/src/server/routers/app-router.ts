import "server-only";
import { router } from "../trpc";
import { modelsRouter } from "./models-router";
import { piecesRouter } from "./pieces-router";
import { trainingRouter } from "./training-router";

export const appRouter = router({ models: modelsRouter, pieces: piecesRouter, training: trainingRouter });
export type AppRouter = typeof appRouter;
