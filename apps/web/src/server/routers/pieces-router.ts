import "server-only";
import { z } from "zod";
import { callerEditHash, claimEditHash } from "../edit-token";
import { generationLimit, publicProcedure, router } from "../trpc";
import { withEventIds } from "./event-ids";
import {
  corpusPrimerSchema,
  createPieceSchema,
  idSchema,
  listPiecesSchema,
  randomSeed,
  sharePieceSchema,
  streamInputSchema,
  titleSchema,
} from "./schemas";

export const piecesRouter = router({
  list: publicProcedure.input(listPiecesSchema).query(({ ctx, input }) =>
    ctx.services.pieces.list({
      limit: input.limit,
      cursor: input.cursor ?? null,
      modelId: input.modelId ?? null,
      copies: input.copies,
    }),
  ),
  /** The piece's music report; computed (once) and stored if it has none yet. */
  report: publicProcedure
    .input(z.object({ id: idSchema }))
    .query(({ ctx, input }) => ctx.services.reports.report(input.id)),
  /** The notes of the training passage the piece copied most; 400 without one. */
  sourcePassage: publicProcedure
    .input(z.object({ id: idSchema }))
    .query(({ ctx, input }) => ctx.services.reports.sourcePassage(input.id)),
  /** With `canEdit` (the caller made it) and `queueAhead` (generations before it while it waits). */
  byId: publicProcedure
    .input(z.object({ id: idSchema }))
    .query(({ ctx, input }) => ctx.services.pieces.get(input.id, callerEditHash(ctx.request))),
  create: publicProcedure
    .input(createPieceSchema)
    .use(generationLimit)
    .mutation(({ ctx, input }) => {
      const { primer, ...recipe } = input;
      return ctx.services.pieces.create(
        recipe,
        primer.kind === "upload"
          ? {
              kind: "upload",
              fileName: primer.fileName,
              bytes: new Uint8Array(Buffer.from(primer.base64, "base64")),
            }
          : primer,
        claimEditHash(ctx.request),
      );
    }),
  /** A piece made on the listener's device: stored only if the server's replay gives the same tokens (else 400). */
  share: publicProcedure
    .input(sharePieceSchema)
    .use(generationLimit)
    .mutation(({ ctx, input }) => {
      const { primer, tokens, ...recipe } = input;
      return ctx.services.pieces.share(recipe, primer, tokens, claimEditHash(ctx.request));
    }),
  /** A corpus primer for a device composition (tokens, description, key shift); a job in the pool, so rate-limited. */
  primer: publicProcedure
    .input(corpusPrimerSchema)
    .use(generationLimit)
    .mutation(({ ctx, input }) => ctx.services.pieces.corpusPrimer(input.modelId, input.seed)),
  variation: publicProcedure
    .input(z.object({ id: idSchema }))
    .use(generationLimit)
    .mutation(({ ctx, input }) =>
      ctx.services.pieces.derive(input.id, "variation", randomSeed(), claimEditHash(ctx.request)),
    ),
  regenerate: publicProcedure
    .input(z.object({ id: idSchema }))
    .use(generationLimit)
    .mutation(({ ctx, input }) =>
      ctx.services.pieces.derive(input.id, "regenerate", 0, claimEditHash(ctx.request)),
    ),
  /** Only the piece's creator (its edit cookie); 403 otherwise. */
  rename: publicProcedure
    .input(titleSchema)
    .mutation(({ ctx, input }) =>
      ctx.services.pieces.rename(input.id, input.title, callerEditHash(ctx.request)),
    ),
  countPlay: publicProcedure
    .input(z.object({ id: idSchema }))
    .mutation(({ ctx, input }) => ctx.services.pieces.countPlay(input.id)),
  /**
   * Notes as they are produced (SSE through httpSubscriptionLink): a snapshot, then live events,
   * each with an id; a client reconnecting with its `lastEventId` gets a fresh snapshot first.
   */
  stream: publicProcedure.input(streamInputSchema).subscription(async function* ({ ctx, input, signal }) {
    yield* withEventIds(ctx.services.pieces.stream(input.id, signal), input.lastEventId);
  }),
});
