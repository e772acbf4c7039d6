import { describe, expect, it } from "vitest";
import { limitRequestBody } from "./request-body-limit";

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://localhost/api/trpc/pieces.create", {
    method: "POST",
    body,
    headers,
    duplex: "half",
  } as RequestInit);

/** A body sent in chunks with no Content-Length, as a streaming client sends it. */
function streamed(chunks: number, chunkBytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === chunks) return controller.close();
      sent += 1;
      controller.enqueue(new Uint8Array(chunkBytes).fill(0x61));
    },
  });
}

describe("limitRequestBody", () => {
  it("passes a body under the limit through unchanged, and a GET untouched", async () => {
    const limited = await limitRequestBody(post(JSON.stringify({ seed: 1 })), 100);
    expect(limited).toBeInstanceOf(Request);
    expect(await (limited as Request).json()).toEqual({ seed: 1 });
    const get = new Request("http://localhost/api/trpc/pieces.list");
    expect(await limitRequestBody(get, 1)).toBe(get);
  });

  it("passes a body with a declared length within the limit on as the same request (the server's parser bounds it)", async () => {
    const body = JSON.stringify({ seed: 2 });
    const declared = post(body, { "content-length": String(Buffer.byteLength(body)) });
    expect(declared.headers.get("content-length")).toBe(String(Buffer.byteLength(body)));
    const limited = await limitRequestBody(declared, 100);
    expect(limited).toBe(declared);
    expect(await (limited as Request).json()).toEqual({ seed: 2 });
    const over = (await limitRequestBody(
      post("x".repeat(101), { "content-length": "101" }),
      100,
    )) as Response;
    expect(over.status).toBe(413);
  });

  it("refuses a declared or a streamed body over the limit with a 413 that names it", async () => {
    const declared = (await limitRequestBody(post("x".repeat(101)), 100)) as Response;
    expect(declared.status).toBe(413);
    const refused = (await limitRequestBody(post(streamed(40, 1024)), 32 * 1024)) as Response;
    expect(refused.status).toBe(413);
    const body = (await refused.json()) as { error: { message: string; data: { code: string } } };
    expect(body.error.data.code).toBe("PAYLOAD_TOO_LARGE");
    expect(body.error.message).toMatch(/larger than 32,768 bytes/);
    const fits = (await limitRequestBody(post(streamed(8, 1024)), 32 * 1024)) as Request;
    expect((await fits.arrayBuffer()).byteLength).toBe(8 * 1024);
  });
});
