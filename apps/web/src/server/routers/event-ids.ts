import "server-only";
import { tracked } from "@trpc/server";

/**
 * Gives every event a tracked() id, counting on from the `lastEventId` a reconnecting client sends
 * back in its input (httpSubscriptionLink does so after a lost connection), so one client's ids
 * keep increasing across its reconnections. The ids say nothing about the piece: a reconnection
 * is answered with a fresh snapshot, which replaces whatever the client had.
 */
export async function* withEventIds<T>(events: AsyncIterable<T>, lastEventId: string | null | undefined) {
  let id = eventNumber(lastEventId);
  for await (const event of events) {
    id += 1;
    yield tracked(String(id), event);
  }
}

/** The number of a client's last event id; 0 without one (or one this server did not give). */
export function eventNumber(lastEventId: string | null | undefined): number {
  const number = Number(lastEventId);
  return lastEventId && Number.isSafeInteger(number) && number > 0 ? number : 0;
}
