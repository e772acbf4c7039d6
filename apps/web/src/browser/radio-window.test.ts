import { describe, expect, it } from "vitest";
import { KEEP_MIN_TOKENS, keepWindow, type StreamMark } from "./radio-window";

// A stream composed in chunks of 16 tokens, each about a quarter note and a half.
const marks: StreamMark[] = Array.from({ length: 200 }, (_, i) => ({
  tokens: (i + 1) * 16,
  quarter: (i + 1) * 1.5,
}));

describe("keepWindow", () => {
  it("cuts from about a span before the playhead to the first mark that covers it", () => {
    // Playhead at quarter 100: covered by the mark at 100.5 (67 chunks); 60 quarters before it, the last mark by 40 is at 39 (26 chunks).
    expect(keepWindow(marks, { endQuarter: 100, spanQuarters: 60 })).toEqual({
      offset: 26 * 16,
      length: 41 * 16,
    });
  });

  it("starts at the stream's start when the span reaches back past it", () => {
    expect(keepWindow(marks, { endQuarter: 30, spanQuarters: 60 })).toEqual({ offset: 0, length: 20 * 16 });
  });

  it("keeps at most maxTokens, ending at the playhead", () => {
    expect(keepWindow(marks, { endQuarter: 280, spanQuarters: 1000, maxTokens: 500 })).toEqual({
      offset: 187 * 16 - 500,
      length: 500,
    });
  });

  it("takes everything composed when the playhead is past the last mark, and nothing before enough tokens", () => {
    expect(keepWindow(marks, { endQuarter: 10_000, spanQuarters: 1 })).toEqual({
      offset: 199 * 16,
      length: 16,
    });
    expect(
      keepWindow([{ tokens: KEEP_MIN_TOKENS - 1, quarter: 2 }], { endQuarter: 1, spanQuarters: 60 }),
    ).toBeNull();
    expect(keepWindow([], { endQuarter: 1, spanQuarters: 60 })).toBeNull();
  });
});
