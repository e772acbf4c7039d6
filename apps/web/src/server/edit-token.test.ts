import { describe, expect, it } from "vitest";
import { callerEditHash, claimEditHash, editTokenHash, newEditToken, readEditToken } from "./edit-token";

describe("edit tokens", () => {
  it("are 256 random bits, read back from a Cookie header only in their own shape", () => {
    const token = newEditToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newEditToken()).not.toBe(token);
    expect(readEditToken(`a=1; motif_edit=${token}; b=2`)).toBe(token);
    expect(readEditToken("motif_edit=short")).toBeNull();
    expect(readEditToken(`motif_edit=${token}x`)).toBeNull();
    expect(readEditToken(null)).toBeNull();
  });

  it("are issued once per browser: the first piece sets the cookie, later ones reuse the token", () => {
    const request = { editToken: null as string | null, resHeaders: new Headers(), secure: true };
    expect(callerEditHash(request)).toBeNull();
    const hash = claimEditHash(request);
    expect(hash).toBe(editTokenHash(request.editToken!));
    expect(claimEditHash(request)).toBe(hash);
    expect(request.resHeaders.getSetCookie()).toEqual([
      `motif_edit=${request.editToken}; Path=/; Max-Age=34560000; HttpOnly; SameSite=Lax; Secure`,
    ]);
    expect(callerEditHash(request)).toBe(hash);
  });
});
