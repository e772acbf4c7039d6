import "server-only";
import { router } from "../trpc";
import { modelsRouter } from "./models-router";
import { piecesRouter } from "./pieces-router";

export const appRouter = router({ models: modelsRouter, pieces: piecesRouter });
export type AppRouter = typeof appRouter;
