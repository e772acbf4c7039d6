import { describe, expect, it } from "vitest";
import { decodeText, encodeUtf8 } from "./text-codec.js";

describe("text codec", () => {
  it("round-trips UTF-8, including astral characters, across block boundaries", () => {
    const text = "Motif – ét ♪ 🎹 ".repeat(2000);
    expect(decodeText(new Uint8Array(encodeUtf8(text)))).toBe(text);
  });

  it("reads invalid UTF-8 (overlong, truncated, surrogates) as Latin-1", () => {
    expect(decodeText(new Uint8Array([0xc0, 0x80]))).toBe("\u00c0\u0080");
    expect(decodeText(new Uint8Array([0x41, 0xe2, 0x99]))).toBe("A\u00e2\u0099");
    expect(decodeText(new Uint8Array([0xed, 0xa0, 0x80]))).toBe("\u00ed\u00a0\u0080");
    expect(decodeText(new Uint8Array(20_000).fill(0xe9))).toBe("é".repeat(20_000));
  });

  it("encodes lone surrogates as U+FFFD", () => {
    expect(encodeUtf8("a\ud800b")).toEqual([0x61, 0xef, 0xbf, 0xbd, 0x62]);
  });
});
