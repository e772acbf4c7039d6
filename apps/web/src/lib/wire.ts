/**
 * Server components hand data to client components in the same JSON shape tRPC sends over HTTP
 * (dates as ISO strings), so one type (inferRouterOutputs) describes both.
 */
export function toWire<Wire>(value: unknown): Wire {
  return JSON.parse(JSON.stringify(value)) as Wire;
}
