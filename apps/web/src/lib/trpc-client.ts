// Browser-side tRPC client. Only the router's TYPE crosses over (`import type`: no server code in the browser bundle).
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
} from "@trpc/client";
import type { AppRouter } from "@/server/routers/app-router";
import { MAX_BATCH_CALLS } from "./trpc-limits";

export const trpc = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === "subscription",
      true: httpSubscriptionLink({ url: "/api/trpc" }),
      false: httpBatchLink({ url: "/api/trpc", maxItems: MAX_BATCH_CALLS }),
    }),
  ],
});

/** The message a form shows for a failed call (zod messages come pre-formatted from the server). */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
