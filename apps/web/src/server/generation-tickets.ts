import "server-only";
import { randomUUID } from "node:crypto";

// Rate-limit points the front door (generation-gate.ts) took for calls it passed on to Next. A
// ticket is a random id only this process knows, so a client cannot forge one; each is redeemed
// at most once, by the procedure (which then takes no point of its own) or by the front door when
// the answer went out without the procedure running (bad input: the point is given back).
// One set per process: Next may load this module once per bundle layer (instrumentation, pages,
// route handlers), and the gate is made by whichever asked for the services first.
const globalForTickets = globalThis as unknown as { motifGenerationTickets?: Set<string> };
const outstanding = (globalForTickets.motifGenerationTickets ??= new Set<string>());

export function issueGenerationTicket(): string {
  const ticket = randomUUID();
  outstanding.add(ticket);
  return ticket;
}

/** True once per ticket the front door issued; false for null, unknown or spent ones. */
export function redeemGenerationTicket(ticket: string | null): boolean {
  return ticket !== null && outstanding.delete(ticket);
}

/** The request header the front door passes a ticket in (it removes any the client sent). */
export const GENERATION_TICKET_HEADER = "x-motif-generation-ticket";
