import "server-only";

/** Something the listener asked for does not exist (→ 404 / tRPC NOT_FOUND). */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

/** Input that passed the schema but cannot be served (→ 400 / tRPC BAD_REQUEST). */
export class InputError extends Error {
  override readonly name = "InputError";
}

/** The caller may not change this (→ 403 / tRPC FORBIDDEN), e.g. renaming someone else's piece. */
export class ForbiddenError extends Error {
  override readonly name = "ForbiddenError";
}

/** Refused for now, not for good (→ 429 / tRPC TOO_MANY_REQUESTS with `Retry-After`). */
export class TooManyRequestsError extends Error {
  override readonly name = "TooManyRequestsError";
  constructor(
    message: string,
    /** Whole seconds until trying again makes sense (the `Retry-After` header). */
    readonly retryAfterSeconds: number,
    /** Refused because the generation queue is full (nothing was done for the caller), not for the caller's own rate. */
    readonly queueFull = false,
  ) {
    super(message);
  }
}

/**
 * Recognises the errors above by name, not instanceof: Next bundles server code per layer
 * (instrumentation, route handlers, server components), so one process may hold two copies of
 * these classes while sharing the services singleton.
 */
export function domainErrorKind(error: unknown): "not-found" | "input" | "forbidden" | "too-many" | null {
  if (!(error instanceof Error)) return null;
  if (error.name === "NotFoundError") return "not-found";
  if (error.name === "InputError") return "input";
  if (error.name === "ForbiddenError") return "forbidden";
  if (error.name === "TooManyRequestsError") return "too-many";
  return null;
}

/** A TooManyRequestsError of a full queue, read by shape for the same reason. */
export function isQueueFull(error: unknown): boolean {
  return domainErrorKind(error) === "too-many" && (error as { queueFull?: unknown }).queueFull === true;
}

/** A TooManyRequestsError's wait, read by shape for the same reason (at least 1 s). */
export function retryAfterSeconds(error: unknown): number {
  const seconds = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return typeof seconds === "number" && Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds)) : 1;
}
