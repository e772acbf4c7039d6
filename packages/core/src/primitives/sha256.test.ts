import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256Hex, sha256HexSync } from "./sha256.js";
import { utf8Encode } from "./bytes.js";

describe("sha256Hex", () => {
  it("matches the FIPS 180-2 test vectors", async () => {
    expect(sha256HexSync(new Uint8Array())).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(await sha256Hex(new Uint8Array())).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(sha256HexSync(utf8Encode("abc"))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(await sha256Hex(utf8Encode("abc"))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(await sha256Hex(utf8Encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  it("agrees with node:crypto on every length around the block boundaries and on a view into a larger buffer", async () => {
    const big = new Uint8Array(300).map((_, i) => (i * 37 + 11) & 0xff);
    for (const length of [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 200]) {
      const bytes = big.subarray(7, 7 + length);
      const expected = createHash("sha256").update(bytes).digest("hex");
      expect(await sha256Hex(bytes)).toBe(expected);
      expect(sha256HexSync(bytes)).toBe(expected); // the fallback without WebCrypto
    }
  });
});
