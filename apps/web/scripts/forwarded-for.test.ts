import { describe, expect, it } from "vitest";
import { withSocketAddress } from "./forwarded-for.mjs";

describe("withSocketAddress", () => {
  it("appends the socket's address to whatever the client sent", () => {
    expect(withSocketAddress(undefined, "203.0.113.7")).toBe("203.0.113.7");
    expect(withSocketAddress("", "203.0.113.7")).toBe("203.0.113.7");
    expect(withSocketAddress("6.6.6.6", "203.0.113.7")).toBe("6.6.6.6, 203.0.113.7");
    expect(withSocketAddress(["6.6.6.6", "7.7.7.7"], "::1")).toBe("6.6.6.6, 7.7.7.7, ::1");
  });

  it("says so when the socket is gone", () => {
    expect(withSocketAddress("6.6.6.6", undefined)).toBe("6.6.6.6, unknown");
  });
});
