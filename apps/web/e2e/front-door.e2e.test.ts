// The generation front door (scripts/next-server.mjs asking src/server/generation-gate.ts) against
// the built app as `pnpm start` serves it: a client past its limit is refused before Next, with the
// answer Next's own tRPC route gives, and a ticket is nothing a client can write itself. The
// route's procedures still run for calls within the limit: pieces.create for a model that does not
// exist spends its point there (the ticket, redeemed in another bundle layer than the one that
// issued it), then answers 400.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveWithTinyModel } from "./app-server";
import { MISSING_MODEL_RECIPE } from "../test-support/missing-model-recipe";

const LIMIT = 2;
const recipe = MISSING_MODEL_RECIPE;
const valid = JSON.stringify(recipe);
const batchOf = (...inputs: unknown[]) =>
  JSON.stringify(Object.fromEntries(inputs.map((input, i) => [i, input])));
// Headers every API answer carries, whoever wrote it (next.config.ts, the route, the front door).
const API_HEADERS = [
  "content-type",
  "cache-control",
  "content-security-policy",
  "x-content-type-options",
  "x-frame-options",
  "referrer-policy",
  "cross-origin-opener-policy",
];

interface ErrorShape {
  message: string;
  code: number;
  data: { code: string; httpStatus: number; path: string; stack?: string };
}

let served: Awaited<ReturnType<typeof serveWithTinyModel>>;
let nextClient = 1;

/** A client of its own per test: behind one trusted proxy, the address the proxy saw is the key. */
const newClient = () => `198.51.100.${nextClient++}`;

async function post(
  path: string,
  body: string,
  client: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(`${served.app.url}/api/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": client, ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const errorOf = (body: unknown, index = 0): ErrorShape =>
  (Array.isArray(body) ? (body[index] as { error: ErrorShape }) : (body as { error: ErrorShape })).error;
/** The wait in the message moves with the clock; everything else must match exactly. */
const withoutWait = (error: ErrorShape) => ({
  ...error,
  message: error.message.replace(/in \d+ s$/, "in N s"),
});

beforeAll(async () => {
  served = await serveWithTinyModel("e2e-front-door", {
    MOTIF_TRUSTED_PROXIES: "1",
    MOTIF_RATE_LIMIT_GENERATIONS: String(LIMIT),
  });
});
afterAll(async () => served?.remove());

describe("the generation front door", () => {
  it("does not let a ticket the client wrote itself spare it the limit", async () => {
    const client = newClient();
    const statuses = [];
    for (let i = 0; i <= LIMIT; i++)
      statuses.push(
        (await post("pieces.create", valid, client, { "x-motif-generation-ticket": randomUUID() })).status,
      );
    expect(statuses).toEqual([400, 400, 429]);
  });

  it("refuses past the limit with Next's headers and the tRPC route's error body", async () => {
    const client = newClient();
    let withinLimit;
    for (let i = 0; i < LIMIT; i++) withinLimit = await post("pieces.create", valid, client);
    expect(withinLimit!.status).toBe(400);
    expect(errorOf(withinLimit!.body).message).toMatch(/model no-such-model does not exist/);

    // Unreadable input: only the front door answers that 429 (the route reads the input first, 400).
    const door = await post("pieces.create", '{"modelId":', client);
    const doorBatched = await post("pieces.create?batch=1", '{"0":{"modelId":', client);
    // A batch of two is the route's to answer: its procedures refuse with the same limit.
    const route = await post("pieces.create,pieces.create?batch=1", batchOf(recipe, recipe), client);

    for (const answer of [door, doorBatched, route]) {
      expect(answer.status).toBe(429);
      const wait = Number(answer.headers.get("retry-after"));
      expect(Number.isInteger(wait) && wait >= 1 && wait <= 60).toBe(true);
      expect(Math.abs(wait - Number(route.headers.get("retry-after")))).toBeLessThanOrEqual(1);
      for (const name of API_HEADERS) expect(answer.headers.get(name), name).toBe(route.headers.get(name));
    }
    expect(route.headers.get("cache-control")).toMatch(/\bno-store\b/);
    expect(route.headers.get("content-security-policy")).toBe(
      withinLimit!.headers.get("content-security-policy"),
    );
    expect(route.headers.get("x-frame-options")).toBe("DENY");

    const routeError = errorOf(route.body);
    expect(routeError.message).toMatch(
      /^too many pieces from this client: at most 2 every 60 s; try again in \d+ s$/,
    );
    expect(routeError.data).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      httpStatus: 429,
      path: "pieces.create",
    });
    expect(routeError.data.stack).toBeUndefined();
    expect(Array.isArray(door.body)).toBe(false);
    expect(doorBatched.body).toHaveLength(1);
    expect(withoutWait(errorOf(door.body))).toEqual(withoutWait(routeError));
    expect(withoutWait(errorOf(doorBatched.body))).toEqual(withoutWait(routeError));
  });

  it("gives the point back for input the route refuses before the procedure runs", async () => {
    // Measured: tRPC runs a procedure's middlewares in the order they were declared, and the
    // generation procedures declare .input() before .use(generationLimit). Unparseable JSON and
    // input zod refuses are answered 400 without the limit running, so the front door's ticket goes
    // unredeemed and its point comes back when the answer is out: bad input spends nothing.
    const client = newClient();
    const refused = [
      await post("pieces.create", '{"modelId":', client),
      await post("pieces.create", JSON.stringify({ ...recipe, length: -1 }), client),
      await post("pieces.create?batch=1", batchOf({ ...recipe, temperature: "hot" }), client),
      await post("pieces.create", '{"modelId":', client),
    ];
    for (const answer of refused) {
      expect(answer.status).toBe(400);
      expect(errorOf(answer.body).data.code).toBe("BAD_REQUEST");
    }
    expect(
      Object.keys((errorOf(refused[1]!.body).data as { fieldErrors?: object }).fieldErrors ?? {}),
    ).toEqual(["length"]);

    const statuses = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push((await post("pieces.create", valid, client)).status);
    expect(statuses).toEqual([400, 400, 429]);
    // Past the limit the front door answers before the input is read: bad input now gets the 429.
    expect((await post("pieces.create", '{"modelId":', client)).status).toBe(429);
  });
});
