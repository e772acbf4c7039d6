// Types for forwarded-for.mjs (plain JavaScript so that next-server.mjs runs without a build step).
export function withSocketAddress(
  forwarded: string | string[] | undefined,
  socketAddress: string | undefined,
): string;
