import "server-only";
import { initTRPC, TRPCError, type AnyTRPCProcedure as AnyProcedure } from "@trpc/server";
import { ZodError, z } from "zod";
import { domainErrorKind, isQueueFull, retryAfterSeconds } from "./errors";
import { redeemGenerationTicket } from "./generation-tickets";
import type { Services } from "./services/services";

/** What a procedure knows of the request that called it. */
export interface RequestInfo {
  /** The rate limit's key (client-address.ts); "server" for calls from server components. */
  clientAddress: string;
  /** The caller's edit token (edit-token.ts) or null; set when one is issued, so a batch shares it. */
  editToken: string | null;
  /** The HTTP response's headers (the fetch adapter's resHeaders; Set-Cookie, Retry-After), null without one. */
  resHeaders: Headers | null;
  /** Reached over https: the edit cookie is Secure. */
  secure: boolean;
  /** The point the front door (generation-gate.ts) already took for this call, or null. */
  generationTicket: string | null;
}

/** The testable part of the context: everything a procedure may touch. */
interface Context {
  services: Services;
  request: RequestInfo;
}

/** A context without HTTP (tests, server components): no token, no response headers unless given. */
export function createContextInner(services: Services, request: Partial<RequestInfo> = {}): Context {
  return {
    services,
    request: {
      clientAddress: "server",
      editToken: null,
      resHeaders: null,
      secure: false,
      generationTicket: null,
      ...request,
    },
  };
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
export const publicProcedure = t.procedure.use(async ({ ctx, next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    const kind = domainErrorKind(cause);
    if (kind === "not-found") throw new TRPCError({ code: "NOT_FOUND", message: cause!.message, cause });
    if (kind === "input") throw new TRPCError({ code: "BAD_REQUEST", message: cause!.message, cause });
    if (kind === "forbidden") throw new TRPCError({ code: "FORBIDDEN", message: cause!.message, cause });
    if (kind === "too-many") {
      ctx.request.resHeaders?.set("Retry-After", String(retryAfterSeconds(cause)));
      throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: cause!.message, cause });
    }
  }
  return result;
});
/**
 * Procedures that start a generation: counted against the caller's rate limit once their input is
 * valid. The point is taken before the queue's admission and given back when the queue refuses:
 * both checks are atomic on their own, so neither order lets concurrent requests over-admit, and
 * this one never lets a client past its limit hold a place in the queue, even for the limiter's
 * round trip to PostgreSQL (others would meet a full queue that is not). Its cost: a client's
 * concurrent calls against a full queue may briefly lack the points the first ones are about to
 * get back, and get the rate limit's 429 (counted, as every attempt past the limit is) where the
 * queue's would have come a moment later. Other refusals keep their point:
 * some are only found after work in a worker (an upload's notes, a share's replay). A call the
 * front door already counted (generation-gate.ts) brings a ticket instead and takes no second point.
 */
export const generationLimit = t.middleware(async ({ ctx, next }) => {
  const client = ctx.request.clientAddress;
  if (!redeemGenerationTicket(ctx.request.generationTicket)) await ctx.services.limiter.consume(client);
  const result = await next();
  if (!result.ok && isQueueFull(result.error.cause)) await ctx.services.limiter.refund(client);
  return result;
});

/** A procedure that counts against the generation rate limit (it uses `generationLimit`). */
export function startsGeneration(procedure: AnyProcedure): boolean {
  const [counting] = generationLimit._middlewares;
  // tRPC keeps a procedure's middlewares in its _def (not in the type): the same function objects.
  return ((procedure._def as { middlewares?: unknown[] }).middlewares ?? []).includes(counting);
}
export const createCallerFactory = t.createCallerFactory;
