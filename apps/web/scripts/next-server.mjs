#!/usr/bin/env node
// The production server: Next's own request handlers (the ones `next start` runs) behind node:http,
// so that every request's X-Forwarded-For ends with the address of the socket it came on.
// `next start` writes that header only when the client sent none (`??=` in
// next/dist/server/base-server.js), so a client talking to it directly could choose its own
// rate-limit key; here the socket's address is appended whatever the client wrote, and
// src/server/client-address.ts counts it as the first trusted entry.
// Flags as `next start`: -p/--port (else PORT, else 3000), -H/--hostname (else every interface).
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import next from "next";
import { withSocketAddress } from "./forwarded-for.mjs";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" } },
});
const port = Number(values.port ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`the port must be a whole number from 0 to 65535, not "${values.port ?? process.env.PORT}"`);
  process.exit(2);
}
process.env.NODE_ENV ??= "production";

const app = next({ dev: false, dir: webDir, hostname: values.hostname ?? "localhost", port });
const handle = app.getRequestHandler();
await app.prepare();

// src/server/generation-gate.ts: once the app's services are up, generation calls past the rate
// limit are refused here, before Next's routing (its cost per request was the load test's p95).
const GATE = Symbol.for("motif.generation-gate");
const TICKET_HEADER = "x-motif-generation-ticket";

async function frontDoor(req, res) {
  delete req.headers[TICKET_HEADER];
  const gate = globalThis[GATE];
  if (!gate) return handle(req, res);
  const forwardedFor = req.headers["x-forwarded-for"];
  const verdict = await gate.admit({ method: req.method ?? "GET", url: req.url ?? "/", forwardedFor });
  if (verdict.kind === "refuse") {
    res.writeHead(verdict.status, verdict.headers).end(verdict.body);
    return;
  }
  if (verdict.kind === "ticket") {
    req.headers[verdict.header] = verdict.ticket;
    res.once("close", () => void gate.settle(verdict.ticket, forwardedFor));
  }
  return handle(req, res);
}

const server = createServer((req, res) => {
  req.headers["x-forwarded-for"] = withSocketAddress(
    req.headers["x-forwarded-for"],
    req.socket.remoteAddress,
  );
  frontDoor(req, res).catch((error) => {
    console.error("front door: request failed", error);
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end("internal error");
  });
});
server.listen(port, values.hostname, () => {
  const { port: bound } = /** @type {import("node:net").AddressInfo} */ (server.address());
  console.log(`▲ Motif gallery: http://${values.hostname ?? "localhost"}:${bound}`);
});

for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
]) {
  process.on(signal, () => {
    server.close();
    void app.close().finally(() => process.exit(code));
  });
}
