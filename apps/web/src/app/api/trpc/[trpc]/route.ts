import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { env } from "@/env";
import { getServices } from "@/server/app-services";
import { clientAddress } from "@/server/client-address";
import { limitRequestBody } from "@/server/request-body-limit";
import { readEditToken } from "@/server/edit-token";
import { MAX_BATCH_CALLS } from "@/lib/trpc-limits";
import { appRouter } from "@/server/routers/app-router";
import { createContextInner } from "@/server/trpc";

async function handler(request: Request) {
  const req = await limitRequestBody(request);
  if (req instanceof Response) return req;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    // A batch is an array of inputs too: bounded like every other (the client sends at most MAX_BATCH_CALLS).
    maxBatchSize: MAX_BATCH_CALLS,
    createContext: async ({ resHeaders }) =>
      createContextInner(await getServices(), {
        clientAddress: clientAddress(req.headers, env.trustedProxies),
        editToken: readEditToken(req.headers.get("cookie")),
        resHeaders,
        // Next sets x-forwarded-proto from the socket (or keeps a proxy's).
        secure: req.headers.get("x-forwarded-proto") === "https",
      }),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed`, error);
    },
  });
}

export { handler as GET, handler as POST };
