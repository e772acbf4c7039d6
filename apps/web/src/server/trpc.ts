import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError, z } from "zod";
import { domainErrorKind } from "./errors";
import type { Services } from "./services/services";

/** The testable part of the context: everything a procedure may touch. */
export interface Context {
  services: Services;
}

const t = initTRPC.context<Context>().create({
  // Zod failures become one readable sentence the forms can show as-is.
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      message: zodError ? describeZodError(zodError) : shape.message,
      data: { ...shape.data, fieldErrors: zodError ? z.flattenError(zodError).fieldErrors : null },
    };
  },
});

export function describeZodError(error: ZodError): string {
  const letters = (text: string) => text.toLowerCase().replace(/[^a-z]/g, "");
  return error.issues
    .map((issue) => {
      const last = issue.path.at(-1);
      // Our own messages already name their field ("temperature must be…"); zod's generic ones do not.
      const named = last !== undefined && letters(issue.message).startsWith(letters(String(last)));
      return issue.path.length > 0 && !named ? `${issue.path.join(".")}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

export const router = t.router;
/** Services throw plain domain errors; this maps them to the HTTP-meaningful tRPC codes. */
export const publicProcedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    const kind = domainErrorKind(cause);
    if (kind === "not-found") throw new TRPCError({ code: "NOT_FOUND", message: cause!.message, cause });
    if (kind === "input") throw new TRPCError({ code: "BAD_REQUEST", message: cause!.message, cause });
  }
  return result;
});
export const createCallerFactory = t.createCallerFactory;
