import { describe, expect, it } from "vitest";
import { formatCount, formatDate } from "./format";

describe("formatDate and formatCount (shared formatters)", () => {
  it("give what toLocaleString gives with the same options, for dates and strings", () => {
    const options = {
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZone: "UTC",
    } as const;
    for (const value of ["2026-12-02T14:05:09.123Z", "1999-01-31T23:59:59Z", new Date(0)]) {
      expect(formatDate(value)).toBe(`${new Date(value).toLocaleString("en-GB", options)} UTC`);
    }
    expect(formatDate("2026-12-02T14:05:09Z")).toBe("2 Dec 2026, 14:05 UTC");
    for (const value of [0, 7, 1234, 1234567.5])
      expect(formatCount(value)).toBe(value.toLocaleString("en-GB"));
  });
});
