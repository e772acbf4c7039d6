// A subscription's events as { id, data } when called through the server-side caller: it yields
// tRPC's tracked() envelopes as they are, although its type says { id, data } (httpSubscriptionLink's shape).
import { isTrackedEnvelope } from "@trpc/server";

export async function* trackedEvents<T>(
  events: AsyncIterable<{ id: string; data: T }>,
): AsyncGenerator<{ id: string; data: T }> {
  for await (const event of events as AsyncIterable<unknown>) {
    if (!isTrackedEnvelope<T>(event))
      throw new Error(`an event without a tracked id: ${JSON.stringify(event)}`);
    yield { id: event[0], data: event[1] };
  }
}
