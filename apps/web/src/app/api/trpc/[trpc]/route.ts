import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getServices } from "@/server/app-services";
import { appRouter } from "@/server/routers/app-router";

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async () => ({ services: await getServices() }),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed`, error);
    },
  });
}

export { handler as GET, handler as POST };
