// X-Forwarded-For as scripts/next-server.mjs hands it to Next: what the client (or its proxies)
// sent, then the address of the socket the request came on, which nobody but the kernel chose.

/**
 * @param {string | string[] | undefined} forwarded the header as node:http parsed it
 * @param {string | undefined} socketAddress `req.socket.remoteAddress` (undefined once the socket closed)
 * @returns {string}
 * @example withSocketAddress("6.6.6.6", "203.0.113.7") // "6.6.6.6, 203.0.113.7"
 */
export function withSocketAddress(forwarded, socketAddress) {
  const sent = Array.isArray(forwarded) ? forwarded.join(", ") : (forwarded ?? "");
  const address = socketAddress ?? "unknown";
  return sent.trim() === "" ? address : `${sent}, ${address}`;
}
