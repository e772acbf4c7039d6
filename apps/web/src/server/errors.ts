import "server-only";

/** Something the listener asked for does not exist (→ 404 / tRPC NOT_FOUND). */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

/** Input that passed the schema but cannot be served (→ 400 / tRPC BAD_REQUEST). */
export class InputError extends Error {
  override readonly name = "InputError";
}

/**
 * Recognises the errors above by name, not instanceof: Next bundles server code per layer
 * (instrumentation, route handlers, server components), so one process may hold two copies of
 * these classes while sharing the services singleton.
 */
export function domainErrorKind(error: unknown): "not-found" | "input" | null {
  if (!(error instanceof Error)) return null;
  if (error.name === "NotFoundError") return "not-found";
  if (error.name === "InputError") return "input";
  return null;
}
