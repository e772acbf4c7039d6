import "server-only";
import { publicProcedure, router } from "../trpc";
import { idSchema } from "./schemas";
import { z } from "zod";

export const modelsRouter = router({
  list: publicProcedure.query(({ ctx }) => ctx.services.models.list()),
  byId: publicProcedure
    .input(z.object({ id: idSchema }))
    .query(({ ctx, input }) => ctx.services.models.get(input.id)),
  /** Public, so shared and reused (model-registry's rescan): the folders are scanned at most once per MODEL_RESCAN_REUSE_MS unless they change. */
  refresh: publicProcedure.mutation(({ ctx }) => ctx.services.models.rescan()),
});
