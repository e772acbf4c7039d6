import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address";

const xff = (value: string | null) => new Headers(value === null ? {} : { "x-forwarded-for": value });

describe("clientAddress", () => {
  it("takes the socket's address (the last entry, appended by the server) when no proxy is trusted", () => {
    expect(clientAddress(xff("203.0.113.7"), 0)).toBe("203.0.113.7");
    expect(clientAddress(xff("::ffff:203.0.113.7"), 0)).toBe("203.0.113.7");
    expect(clientAddress(xff("2001:db8::1"), 0)).toBe("2001:db8::1");
    expect(clientAddress(xff(null), 0)).toBe("unknown");
  });

  it("ignores what a client facing the app wrote itself", () => {
    expect(clientAddress(xff("6.6.6.6, 203.0.113.7"), 0)).toBe("203.0.113.7");
    expect(clientAddress(xff("1.1.1.1, 2.2.2.2, 203.0.113.7"), 0)).toBe("203.0.113.7");
  });

  it("behind N appending proxies takes the (N+1)-th entry from the right and ignores what the client wrote before it", () => {
    // client wrote 6.6.6.6; the proxy saw 203.0.113.7; the server's socket saw the proxy, 10.0.0.1
    expect(clientAddress(xff("6.6.6.6, 203.0.113.7, 10.0.0.1"), 1)).toBe("203.0.113.7");
    expect(clientAddress(xff("6.6.6.6, 203.0.113.7, 10.0.0.2, 10.0.0.1"), 2)).toBe("203.0.113.7");
    // Fewer entries than proxies (a misconfiguration): the leftmost is all there is.
    expect(clientAddress(xff("203.0.113.7, 10.0.0.1"), 3)).toBe("203.0.113.7");
    expect(clientAddress(xff(" , 203.0.113.7 , 10.0.0.1,"), 1)).toBe("203.0.113.7");
  });

  it("bounds the key's length", () => {
    expect(clientAddress(xff("x".repeat(5000)), 0)).toHaveLength(100);
  });
});
