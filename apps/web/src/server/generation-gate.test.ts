// The front door's gate (generation-gate.ts) against the route's own handler (trpc-request.ts,
// what src/app/api/trpc/[trpc]/route.ts serves), on one real limiter: which requests it counts, that
// its refusal is the handler's own, and that a point it took is spent once, by the procedure, or
// given back. Real services on a temporary migrated database (SQLite, or DATABASE_URL's PostgreSQL),
// for the procedures that run past the limit; nothing is generated.
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "../../test-support/test-database";
import { TEST_LIMITS, closeTestServices } from "../../test-support/test-services";
import type { Database } from "./db";
import { createGenerationGate, singleProcedureCall, type GenerationGate } from "./generation-gate";
import {
  GENERATION_TICKET_HEADER,
  issueGenerationTicket,
  redeemGenerationTicket,
} from "./generation-tickets";
import { createWorkerPool } from "./generation/worker-pool";
import { appRouter } from "./routers/app-router";
import { createServices, type Services } from "./services/services";
import { answerTrpcRequest } from "./trpc-request";
import { MISSING_MODEL_RECIPE } from "../../test-support/missing-model-recipe";

const workerScript = join(import.meta.dirname, "..", "..", "dist-worker", "generation-worker.mjs");
const LIMIT = 3;
// The procedures that start work in the generation pool (pieces-router.ts); every other one is free.
const GENERATIONS = [
  "pieces.create",
  "pieces.share",
  "pieces.primer",
  "pieces.variation",
  "pieces.regenerate",
];
const recipe = MISSING_MODEL_RECIPE;

let db: Database;
let services: Services;
let gate: GenerationGate;
let modelsDir: string;
let nextClient = 1;

/** A client of its own per test: the limiter is shared. Written as a client facing the app would send it. */
function newClient(): { forwardedFor: string; key: string } {
  const key = `198.51.100.${nextClient++}`;
  return { forwardedFor: `6.6.6.6, ${key}`, key };
}

const post = (url: string, forwardedFor: string) => gate.admit({ method: "POST", url, forwardedFor });

/** A POST answered by the route's own handler. */
async function viaHandler(
  url: string,
  input: unknown,
  forwardedFor: string,
  ticket?: string,
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const batched = new URL(url, "http://gallery.test").searchParams.get("batch") === "1";
  const req = new Request(`http://gallery.test${url}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-forwarded-for": forwardedFor,
      ...(ticket ? { [GENERATION_TICKET_HEADER]: ticket } : {}),
    },
    body: JSON.stringify(batched ? { 0: input } : input),
  });
  const response = await answerTrpcRequest(req, { services: async () => services, trustedProxies: 0 });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** An error shape without its stack (present only when tRPC's isDev, and where each was thrown). */
function withoutStack(body: unknown): { shape: unknown; hadStack: boolean } {
  const copy = structuredClone(body) as
    { error: { data: { stack?: unknown } } } | { error: { data: { stack?: unknown } } }[];
  const error = Array.isArray(copy) ? copy[0]!.error : copy.error;
  const hadStack = typeof error.data.stack === "string";
  delete error.data.stack;
  return { shape: copy, hadStack };
}

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  modelsDir = mkdtempSync(join(tmpdir(), "motif-web-gate-"));
  services = createServices({
    db,
    engine: createWorkerPool({ script: workerScript, size: 1 }),
    modelsDir,
    corpusDirs: [],
    limits: { ...TEST_LIMITS, perClient: LIMIT },
  });
  gate = createGenerationGate(services.limiter, 0);
}, 300_000);

afterAll(() => closeTestServices(services, db, [modelsDir]));

afterEach(() => {
  vi.useRealTimers();
});

describe("the generation gate", () => {
  it("passes every request that is not one generation call, without taking a point", async () => {
    const { forwardedFor, key } = newClient();
    const others = Object.keys(appRouter._def.procedures).filter((path) => !GENERATIONS.includes(path));
    expect(others).toContain("pieces.rename");
    const requests = [
      { method: "GET", url: "/api/trpc/pieces.create?input=%7B%7D" },
      { method: "PUT", url: "/api/trpc/pieces.create" },
      ...others.map((path) => ({ method: "POST", url: `/api/trpc/${path}` })),
      // A batch of several is left to the procedures, each of which counts its own call.
      { method: "POST", url: "/api/trpc/pieces.byId,pieces.create?batch=1" },
      { method: "POST", url: "/api/trpc/pieces.create,pieces.create?batch=1" },
      { method: "POST", url: "/api/trpc/pieces.create%2Cpieces.create?batch=1" },
      { method: "POST", url: "/api/trpc/%E0%A4%A" },
      { method: "POST", url: "/api/trpc/pieces.create/more" },
      { method: "POST", url: "/api/trpcx/pieces.create" },
      { method: "POST", url: "/api/pieces/abc/midi" },
      { method: "POST", url: "/pieces.create" },
    ];
    for (const request of requests)
      expect(await gate.admit({ ...request, forwardedFor }), `${request.method} ${request.url}`).toEqual({
        kind: "pass",
      });
    expect(await services.limiter.remaining(key)).toBe(LIMIT);
  });

  it("gives every generation procedure a ticket, batched or not, each for a point of the caller's", async () => {
    for (const path of GENERATIONS) {
      const { forwardedFor, key } = newClient();
      const plain = await post(`/api/trpc/${path}`, forwardedFor);
      const batched = await post(`/api/trpc/${path}?batch=1`, forwardedFor);
      for (const verdict of [plain, batched])
        expect(verdict).toEqual({
          kind: "ticket",
          header: GENERATION_TICKET_HEADER,
          ticket: expect.any(String),
        });
      expect(await services.limiter.remaining(key), path).toBe(LIMIT - 2);
    }
  });

  it.each([
    { path: "pieces.create", query: "", input: recipe },
    { path: "pieces.variation", query: "?batch=1", input: { id: "some-piece" } },
  ])(
    "past the limit refuses $path$query as the tRPC handler does for the same client",
    async ({ path, query, input }) => {
      // One instant for both refusals: their wait ("try again in N s", Retry-After) is then the same.
      vi.useFakeTimers({ toFake: ["Date"] });
      const { forwardedFor } = newClient();
      for (let i = 0; i < LIMIT; i++)
        expect((await post(`/api/trpc/${path}${query}`, forwardedFor)).kind).toBe("ticket");
      const verdict = await post(`/api/trpc/${path}${query}`, forwardedFor);
      const handler = await viaHandler(`/api/trpc/${path}${query}`, input, forwardedFor);
      if (verdict.kind !== "refuse") throw new Error(`expected a refusal, got ${verdict.kind}`);

      expect(handler.status).toBe(429);
      expect(verdict.status).toBe(handler.status);
      expect(verdict.headers["retry-after"]).toBe(handler.headers.get("retry-after"));
      expect(verdict.headers["content-type"]).toBe(handler.headers.get("content-type"));
      const ours = withoutStack(JSON.parse(verdict.body));
      const theirs = withoutStack(handler.body);
      expect(ours.shape).toEqual(theirs.shape);
      expect(ours.hadStack).toBe(theirs.hadStack);
      expect(JSON.stringify(theirs.shape)).toMatch(/too many pieces from this client: at most 3 every 60 s/);
    },
  );

  it("gives a point back for a ticket no procedure redeemed, and only then", async () => {
    const { forwardedFor, key } = newClient();
    const unused = await post("/api/trpc/pieces.create", forwardedFor);
    if (unused.kind !== "ticket") throw new Error(`expected a ticket, got ${unused.kind}`);
    await gate.settle(unused.ticket, forwardedFor);
    expect(await services.limiter.remaining(key)).toBe(LIMIT);

    // Bad input: the handler answers 400 before the procedure's limit runs, so the ticket is unspent.
    const rejected = await post("/api/trpc/pieces.create", forwardedFor);
    if (rejected.kind !== "ticket") throw new Error(`expected a ticket, got ${rejected.kind}`);
    expect(
      (await viaHandler("/api/trpc/pieces.create", { ...recipe, length: -1 }, forwardedFor, rejected.ticket))
        .status,
    ).toBe(400);
    await gate.settle(rejected.ticket, forwardedFor);
    expect(await services.limiter.remaining(key)).toBe(LIMIT);

    // The procedure ran (and failed after its limit: no such piece): one point, the gate's, is spent.
    for (let spent = 1; spent <= LIMIT; spent++) {
      const verdict = await post("/api/trpc/pieces.variation", forwardedFor);
      if (verdict.kind !== "ticket") throw new Error(`call ${spent}: expected a ticket, got ${verdict.kind}`);
      const answer = await viaHandler(
        "/api/trpc/pieces.variation",
        { id: "no-such-piece" },
        forwardedFor,
        verdict.ticket,
      );
      expect(answer.status).toBe(404);
      await gate.settle(verdict.ticket, forwardedFor);
      expect(await services.limiter.remaining(key)).toBe(LIMIT - spent);
    }
    expect((await post("/api/trpc/pieces.variation", forwardedFor)).kind).toBe("refuse");
  });

  it("reads a call's procedure path as tRPC does", async () => {
    expect(singleProcedureCall("POST", "/api/trpc/pieces.create")).toEqual({
      path: "pieces.create",
      batched: false,
    });
    expect(singleProcedureCall("POST", "/api/trpc/pieces.create?batch=1")).toEqual({
      path: "pieces.create",
      batched: true,
    });
    expect(singleProcedureCall("POST", "/api/trpc/%E0%A4%A")).toBeNull();

    // An escaped path is the same procedure to tRPC: the point the gate took is the one it spends.
    const { forwardedFor, key } = newClient();
    const url = "/api/trpc/pieces%2Evariation";
    const verdict = await post(url, forwardedFor);
    if (verdict.kind !== "ticket") throw new Error(`expected a ticket, got ${verdict.kind}`);
    const answer = await viaHandler(url, { id: "no-such-piece" }, forwardedFor, verdict.ticket);
    expect(JSON.stringify(answer.body)).toMatch(/no piece with id no-such-piece/);
    await gate.settle(verdict.ticket, forwardedFor);
    expect(await services.limiter.remaining(key)).toBe(LIMIT - 1);
  });

  it("redeems only tickets it issued, each once", async () => {
    expect(redeemGenerationTicket(null)).toBe(false);
    expect(redeemGenerationTicket(randomUUID())).toBe(false);
    const ticket = issueGenerationTicket();
    expect(redeemGenerationTicket(ticket)).toBe(true);
    expect(redeemGenerationTicket(ticket)).toBe(false);

    const { forwardedFor, key } = newClient();
    // A forged ticket neither spares the procedure its point nor, settled, gives one back.
    const forged = randomUUID();
    expect(
      (await viaHandler("/api/trpc/pieces.variation", { id: "no-such-piece" }, forwardedFor, forged)).status,
    ).toBe(404);
    expect(await services.limiter.remaining(key)).toBe(LIMIT - 1);
    await gate.settle(forged, forwardedFor);
    expect(await services.limiter.remaining(key)).toBe(LIMIT - 1);

    // A real ticket sent twice: the first call is the gate's point, the second takes its own.
    const verdict = await post("/api/trpc/pieces.variation", forwardedFor);
    if (verdict.kind !== "ticket") throw new Error(`expected a ticket, got ${verdict.kind}`);
    expect(await services.limiter.remaining(key)).toBe(LIMIT - 2);
    for (let i = 0; i < 2; i++)
      await viaHandler("/api/trpc/pieces.variation", { id: "no-such-piece" }, forwardedFor, verdict.ticket);
    expect(await services.limiter.remaining(key)).toBe(LIMIT - 3);
    await gate.settle(verdict.ticket, forwardedFor);
    expect(await services.limiter.remaining(key)).toBe(0);
    expect(
      (await viaHandler("/api/trpc/pieces.variation", { id: "x" }, forwardedFor, verdict.ticket)).status,
    ).toBe(429);
  });
});
