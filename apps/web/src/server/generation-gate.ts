import "server-only";
import { TRPCError, getTRPCErrorShape } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { API_CONTENT_SECURITY_POLICY, COMMON_SECURITY_HEADERS } from "@/security-headers";
import { clientAddress } from "./client-address";
import { domainErrorKind, retryAfterSeconds } from "./errors";
import {
  GENERATION_TICKET_HEADER,
  issueGenerationTicket,
  redeemGenerationTicket,
} from "./generation-tickets";
import { appRouter } from "./routers/app-router";
import type { GenerationLimiter } from "./services/generation-limits";
import { startsGeneration } from "./trpc";

// The production server's front door (scripts/next-server.mjs) asks this gate about every request
// before Next sees it. A burst of generation calls from clients past their limit is then refused
// for a fraction of a millisecond each, where a trip through Next's routing and the tRPC handler
// costs the request thread 5–10 ms: with 200 calls at once that queue alone was the 3 s p95 of
// `pnpm --filter web load-test`. The gate takes the same rate-limit point the procedure would; the
// call then carries a ticket (generation-tickets.ts) so the procedure takes none of its own. The
// only difference a client sees: past its limit a call is refused before its input is read, so bad
// input gets the 429 rather than the 400.

export type FrontDoorVerdict =
  /** Not a single generation call: Next answers it as always. */
  | { kind: "pass" }
  /** A point was taken: pass the ticket on in the header; `settle` it once the answer is out. */
  | { kind: "ticket"; header: string; ticket: string }
  /** The rate limit's answer, written as the tRPC handler would write it. */
  | { kind: "refuse"; status: number; headers: Record<string, string>; body: string };

export interface GenerationGate {
  admit(request: {
    method: string;
    url: string;
    forwardedFor: string | undefined;
  }): Promise<FrontDoorVerdict>;
  /** The answer went out: a ticket no procedure redeemed (bad input, a dropped connection) gives its point back. */
  settle(ticket: string, forwardedFor: string | undefined): Promise<void>;
}

const TRPC_PREFIX = "/api/trpc/";

/** The procedures counted by the generation rate limit, by their tRPC path ("pieces.create"). */
function generationPaths(): Set<string> {
  // Flat at run time ("pieces.create" → procedure), whatever the nested type says.
  const procedures = appRouter._def.procedures as unknown as Record<
    string,
    Parameters<typeof startsGeneration>[0]
  >;
  return new Set(Object.keys(procedures).filter((path) => startsGeneration(procedures[path]!)));
}

/** The one procedure a POST to /api/trpc/<path> calls, or null (another route, a batch of several). */
export function singleProcedureCall(method: string, url: string): { path: string; batched: boolean } | null {
  if (method !== "POST" || !url.startsWith(TRPC_PREFIX)) return null;
  const parsed = new URL(url, "http://front-door");
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname.slice(TRPC_PREFIX.length));
  } catch {
    return null;
  }
  if (path.includes(",")) return null;
  return { path, batched: parsed.searchParams.get("batch") === "1" };
}

/** The tRPC error response (body shape, status, headers) a refusal from the procedure would have had. */
function refusal(
  error: Error,
  path: string,
  batched: boolean,
): Extract<FrontDoorVerdict, { kind: "refuse" }> {
  const trpcError = new TRPCError({ code: "TOO_MANY_REQUESTS", message: error.message, cause: error });
  const shape = getTRPCErrorShape({
    config: appRouter._def._config,
    error: trpcError,
    type: "mutation",
    path,
    input: undefined,
    ctx: undefined,
  });
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "cache-control": "no-store, no-transform",
    "retry-after": String(retryAfterSeconds(error)),
    "content-security-policy": API_CONTENT_SECURITY_POLICY,
  };
  for (const { key, value } of COMMON_SECURITY_HEADERS) headers[key.toLowerCase()] = value;
  return {
    kind: "refuse",
    status: getHTTPStatusCodeFromError(trpcError),
    headers,
    body: JSON.stringify(batched ? [{ error: shape }] : { error: shape }),
  };
}

export function createGenerationGate(limiter: GenerationLimiter, trustedProxies: number): GenerationGate {
  const counted = generationPaths();
  const client = (forwardedFor: string | undefined) =>
    clientAddress(new Headers(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}), trustedProxies);
  return {
    async admit({ method, url, forwardedFor }) {
      const call = singleProcedureCall(method, url);
      if (!call || !counted.has(call.path)) return { kind: "pass" };
      try {
        await limiter.consume(client(forwardedFor));
      } catch (error) {
        if (domainErrorKind(error) !== "too-many") throw error;
        return refusal(error as Error, call.path, call.batched);
      }
      return { kind: "ticket", header: GENERATION_TICKET_HEADER, ticket: issueGenerationTicket() };
    },
    async settle(ticket, forwardedFor) {
      if (redeemGenerationTicket(ticket)) await limiter.refund(client(forwardedFor));
    },
  };
}

const GATE = Symbol.for("motif.generation-gate");

/** Makes the gate visible to scripts/next-server.mjs, which runs in this process but outside Next's bundle. */
export function publishGenerationGate(gate: GenerationGate): void {
  (globalThis as Record<symbol, unknown>)[GATE] = gate;
}
