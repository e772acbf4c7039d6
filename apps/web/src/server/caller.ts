import "server-only";
import { cookies } from "next/headers";
import { getServices } from "./app-services";
import { EDIT_COOKIE, checkedEditToken } from "./edit-token";
import { appRouter } from "./routers/app-router";
import { createCallerFactory, createContextInner } from "./trpc";

const createCaller = createCallerFactory(appRouter);

/** Server components call the same procedures (same validation) without HTTP, as the visitor (its edit cookie). */
export async function serverCaller() {
  const editToken = checkedEditToken((await cookies()).get(EDIT_COOKIE)?.value);
  return createCaller(createContextInner(await getServices(), { editToken }));
}
