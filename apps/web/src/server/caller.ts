import "server-only";
import { getServices } from "./app-services";
import { appRouter } from "./routers/app-router";
import { createCallerFactory } from "./trpc";

const createCaller = createCallerFactory(appRouter);

/** Server components call the same procedures (same validation) without HTTP. */
export async function serverCaller() {
  return createCaller({ services: await getServices() });
}
