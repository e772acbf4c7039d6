import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address";

const xff = (value: string | null) => new Headers(value === null ? {} : { "x-forwarded-for": value });

describe("clientAddress", () => {
  it("takes the address Next filled in from the socket when no proxy is trusted", () => {
    expect(clientAddress(xff("203.0.113.7"), 0)).toBe("203.0.113.7");
    expect(clientAddress(xff("::ffff:203.0.113.7"), 0)).toBe("203.0.113.7");
    expect(clientAddress(xff("2001:db8::1"), 0)).toBe("2001:db8::1");
    expect(clientAddress(xff(null), 0)).toBe("unknown");
  });

  it("behind N appending proxies takes the N-th entry from the right and ignores what the client wrote before it", () => {
    expect(clientAddress(xff("6.6.6.6, 203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientAddress(xff("6.6.6.6, 203.0.113.7, 10.0.0.2"), 2)).toBe("203.0.113.7");
    // Fewer entries than proxies (a misconfiguration): the leftmost is all there is.
    expect(clientAddress(xff("203.0.113.7"), 3)).toBe("203.0.113.7");
    expect(clientAddress(xff(" , 203.0.113.7 ,"), 1)).toBe("203.0.113.7");
  });

  it("bounds the key's length", () => {
    expect(clientAddress(xff("x".repeat(5000)), 0)).toHaveLength(100);
  });
});
