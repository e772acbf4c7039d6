import "server-only";
import { createHash, randomBytes } from "node:crypto";

/**
 * Edit rights: the browser that makes a piece (on the server, or shares it from the device) holds
 * an unguessable token in an HTTP-only cookie; the piece stores only the token's sha256. One token
 * per browser, so the cookie stays one small header however many pieces it makes.
 */
export const EDIT_COOKIE = "motif_edit";
/** Chrome keeps a cookie at most 400 days. */
const MAX_AGE_SECONDS = 400 * 24 * 60 * 60;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** 32 random bytes, base64url (43 characters). */
export function newEditToken(): string {
  return randomBytes(32).toString("base64url");
}

export function editTokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The token in a `Cookie` header, or null when absent or not one of ours. */
export function readEditToken(cookieHeader: string | null | undefined): string | null {
  for (const part of (cookieHeader ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === EDIT_COOKIE) return checkedEditToken(value.join("="));
  }
  return null;
}

export function checkedEditToken(value: string | null | undefined): string | null {
  return value && TOKEN_PATTERN.test(value) ? value : null;
}

/** The `Set-Cookie` value: HTTP-only (scripts never see it), SameSite=Lax, Secure over https. */
function editCookie(token: string, options: { secure: boolean }): string {
  return `${EDIT_COOKIE}=${token}; Path=/; Max-Age=${MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax${options.secure ? "; Secure" : ""}`;
}

type TokenHolder = { editToken: string | null; resHeaders: Headers | null; secure: boolean };

/** The caller's creator identity (its token's hash), or null: it has no edit token. */
export function callerEditHash(request: TokenHolder): string | null {
  return request.editToken === null ? null : editTokenHash(request.editToken);
}

/** For a piece the caller is about to make: its token's hash, issuing the token (the cookie) first if it has none. */
export function claimEditHash(request: TokenHolder): string {
  if (request.editToken === null) {
    request.editToken = newEditToken();
    request.resHeaders?.append("Set-Cookie", editCookie(request.editToken, { secure: request.secure }));
  }
  return editTokenHash(request.editToken);
}
