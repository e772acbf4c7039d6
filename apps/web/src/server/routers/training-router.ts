import "server-only";
import { publicProcedure, router } from "../trpc";

export const trainingRouter = router({
  /** Training runs under the models root with their validation curves, newest first. */
  runs: publicProcedure.query(({ ctx }) => ctx.services.training.list()),
});
