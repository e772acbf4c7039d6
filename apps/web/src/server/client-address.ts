import "server-only";

/**
 * The address the generation rate limit is keyed by, from `X-Forwarded-For`.
 *
 * Route handlers get no socket. Next's server fills the header from the socket's remote address
 * only when the request has none (`req.headers['x-forwarded-for'] ??= socket.remoteAddress` in
 * next/dist/server/base-server.js), so:
 * - `trustedProxies` = 0 (the app faces clients itself): the last entry is the socket address,
 *   unless the client sent the header itself, and then the client chose it. Fine on a LAN; on the
 *   internet put a proxy in front.
 * - `trustedProxies` = N (N reverse proxies that each append the address they saw, e.g. nginx's
 *   `$proxy_add_x_forwarded_for`): the N-th entry from the right is the address the outermost proxy
 *   saw; entries left of it were written by the client and are ignored.
 *
 * @example clientAddress(new Headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.7" }), 1) // "203.0.113.7"
 */
export function clientAddress(headers: Headers, trustedProxies: number): string {
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) return "unknown";
  const entry = entries[Math.max(0, entries.length - Math.max(1, trustedProxies))]!;
  // "::ffff:1.2.3.4" is the IPv4 client on a dual-stack socket: one client, one key.
  return entry.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "").slice(0, 100);
}
