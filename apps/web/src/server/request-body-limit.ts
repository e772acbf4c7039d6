import "server-only";

/**
 * The largest tRPC request body: an uploaded primer (1 MiB as base64, about 1.4 MB) with room for
 * its JSON. Route handlers have no body limit of their own, so without one a client could make the
 * server buffer any amount before zod sees a byte.
 */
const MAX_TRPC_BODY_BYTES = 2 * 1024 * 1024;

/**
 * The request with its body read up to `maxBytes` (a declared Content-Length over it is refused
 * before reading), or a 413 in tRPC's error shape naming the limit.
 */
export async function limitRequestBody(
  request: Request,
  maxBytes = MAX_TRPC_BODY_BYTES,
): Promise<Request | Response> {
  if (request.body === null) return request;
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) return payloadTooLarge(maxBytes);
  // Node's HTTP parser delivers exactly the declared length (never more), so a declared body within
  // the limit needs no counting: passed on as it came, without a second copy and Request per call.
  if (Number.isInteger(declared) && declared >= 0) return request;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return payloadTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: Buffer.concat(chunks),
    signal: request.signal,
  });
}

function payloadTooLarge(maxBytes: number): Response {
  const message = `the request body is larger than ${maxBytes.toLocaleString("en-US")} bytes (an uploaded MIDI primer may have at most 1 MB)`;
  return Response.json(
    { error: { message, code: -32600, data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413 } } },
    { status: 413 },
  );
}
