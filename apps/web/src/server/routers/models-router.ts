import "server-only";
import { publicProcedure, router } from "../trpc";
import { idSchema } from "./schemas";
import { z } from "zod";

export const modelsRouter = router({
  list: publicProcedure.query(({ ctx }) => ctx.services.models.list()),
  byId: publicProcedure.input(z.object({ id: idSchema })).query(({ ctx, input }) => ctx.services.models.get(input.id)),
  refresh: publicProcedure.mutation(({ ctx }) => ctx.services.models.refresh()),
});
