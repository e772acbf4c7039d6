import "server-only";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { MAX_BATCH_CALLS } from "@/lib/trpc-limits";
import { clientAddress } from "./client-address";
import { readEditToken } from "./edit-token";
import { GENERATION_TICKET_HEADER } from "./generation-tickets";
import { limitRequestBody } from "./request-body-limit";
import { appRouter } from "./routers/app-router";
import type { Services } from "./services/services";
import { createContextInner } from "./trpc";

/**
 * One HTTP request to /api/trpc/… answered by the app router: the route's whole handler, apart so
 * tests (src/server/generation-gate.test.ts) answer requests exactly as the route does.
 */
export async function answerTrpcRequest(
  request: Request,
  app: { services: () => Promise<Services>; trustedProxies: number },
): Promise<Response> {
  const req = await limitRequestBody(request);
  if (req instanceof Response) return req;
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    // A batch is an array of inputs too: bounded like every other (the client sends at most MAX_BATCH_CALLS).
    maxBatchSize: MAX_BATCH_CALLS,
    createContext: async ({ resHeaders }) =>
      createContextInner(await app.services(), {
        clientAddress: clientAddress(req.headers, app.trustedProxies),
        editToken: readEditToken(req.headers.get("cookie")),
        resHeaders,
        // Next sets x-forwarded-proto from the socket (or keeps a proxy's).
        secure: req.headers.get("x-forwarded-proto") === "https",
        generationTicket: req.headers.get(GENERATION_TICKET_HEADER),
      }),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed`, error);
    },
  });
  // A POST answers mutations (an id, a count, an error): a few hundred bytes gzip does not shrink,
  // while each gzip stream costs the request thread about 1 ms (scripts/load-test.mjs's profile;
  // see the README). `no-transform` makes Next's compression pass it by; queries stay compressed.
  if (request.method === "POST") response.headers.set("Cache-Control", "no-store, no-transform");
  return response;
}
