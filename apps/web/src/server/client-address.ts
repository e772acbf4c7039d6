import "server-only";

/**
 * The address the generation rate limit is keyed by, from `X-Forwarded-For`.
 *
 * Route handlers get no socket, so the production server (scripts/next-server.mjs) appends the
 * socket's address to the header of every request, whatever the client sent. The last entry is
 * therefore always one the client could not choose, and:
 * - `trustedProxies` = 0 (the app faces clients itself): the last entry, the client's socket.
 * - `trustedProxies` = N (N reverse proxies that each append the address they saw, e.g. nginx's
 *   `$proxy_add_x_forwarded_for`): the (N+1)-th entry from the right, the address the outermost
 *   proxy saw; entries left of it were written by the client and are ignored.
 *
 * @example clientAddress(new Headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.7, 127.0.0.1" }), 1) // "203.0.113.7"
 */
export function clientAddress(headers: Headers, trustedProxies: number): string {
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) return "unknown";
  const entry = entries[Math.max(0, entries.length - 1 - trustedProxies)]!;
  // "::ffff:1.2.3.4" is the IPv4 client on a dual-stack socket: one client, one key.
  return entry.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "").slice(0, 100);
}
