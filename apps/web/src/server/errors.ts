import "server-only";

/** Something the listener asked for does not exist (→ 404 / tRPC NOT_FOUND). */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

/** Input that passed the schema but cannot be served (→ 400 / tRPC BAD_REQUEST). */
export class InputError extends Error {
  override readonly name = "InputError";
}
