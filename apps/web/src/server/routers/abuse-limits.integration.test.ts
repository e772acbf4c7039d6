// Edit rights, the per-client generation rate limit, the queue bound and the upload caps, through
// createCaller on a real migrated database (SQLite temp file, or the PostgreSQL database in
// DATABASE_URL: then the rate limit's counters live in its RateLimit table) and the real worker pool.
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeMidi } from "@motif/midi";
import type { Database } from "@/server/db";
import { readEditToken } from "@/server/edit-token";
import type { GenerationEngine } from "@/server/generation/engine";
import { createWorkerPool } from "@/server/generation/worker-pool";
import type { GenerationLimits } from "@/server/services/generation-limits";
import { MAX_PRIMER_NOTES, MAX_UPLOAD_BYTES, type StreamEvent } from "@/server/services/piece-service";
import { createServices, type Services } from "@/server/services/services";
import { createCallerFactory, createContextInner, type RequestInfo } from "@/server/trpc";
import { createTestDatabase } from "../../../test-support/test-database";
import { closeTestServices } from "../../../test-support/test-services";
import { trackedEvents } from "../../../test-support/tracked-events";
import { expectTrpcError } from "../../../test-support/trpc-errors";
import { tinyTuneNotes, writeTinyBundle } from "../../../test-support/tiny-bundle";
import { appRouter } from "./app-router";

const workerScript = join(import.meta.dirname, "..", "..", "..", "dist-worker", "generation-worker.mjs");
// The shipped 2×256 model: slow enough per piece that a queue stays queued while the test looks at it.
const builtinModelsDir = join(import.meta.dirname, "..", "..", "..", "..", "..", "builtin-models");
const createCaller = createCallerFactory(appRouter);

let db: Database;
let provider: "sqlite" | "postgresql";
let url: string;
let engine: GenerationEngine;
let modelsDir: string;
let tinyId: string;
let slowId: string;
const opened: Services[] = [];

const recipe = (overrides: Record<string, unknown> = {}) => ({
  modelId: tinyId,
  length: 24,
  temperature: 1,
  topK: null,
  topP: 0.95,
  seed: 7,
  primer: { kind: "none" as const },
  ...overrides,
});

/** A services set (one per "server process") on the shared database and worker pool. */
function servicesWith(limits: Partial<GenerationLimits>): Services {
  const services = createServices({
    db,
    engine,
    modelsDir,
    builtinModelsDir,
    corpusDirs: [],
    limits: { perClient: 1000, windowSeconds: 60, maxQueued: 1000, store: { provider, url }, ...limits },
  });
  opened.push(services);
  return services;
}

/** A browser: its address and cookie jar (the edit token), and the headers of its last response. */
function browser(services: Services, clientAddress: string, editToken: string | null = null) {
  const request: Partial<RequestInfo> = { clientAddress, editToken, resHeaders: new Headers() };
  const context = createContextInner(services, request);
  return {
    caller: createCaller(context),
    /** Headers answered so far (one Headers per browser, as one response would collect them). */
    headers: () => context.request.resHeaders!,
    token: () => context.request.editToken,
  };
}

beforeAll(async () => {
  ({ db, provider, url } = await createTestDatabase());
  await db.rateLimit.deleteMany();
  modelsDir = mkdtempSync(join(tmpdir(), "motif-web-limits-"));
  await writeTinyBundle(modelsDir, { name: "tiny", version: "v1" });
  engine = createWorkerPool({ script: workerScript, size: 1, progressEveryMs: 0 });
  const services = servicesWith({});
  await services.models.refresh();
  const models = await services.models.list();
  tinyId = models.find((m) => m.name === "tiny")!.id;
  slowId = models.find((m) => m.name === "mutopia-piano")!.id;
}, 300_000);

afterAll(async () => {
  for (const services of opened) {
    await services.pieces.idle();
    await services.limiter.close();
  }
  await closeTestServices(opened[0], db, [modelsDir]);
});

describe(`edit rights (${process.env.DATABASE_URL?.startsWith("postgres") ? "postgresql" : "sqlite"})`, () => {
  it("gives the creator an HTTP-only edit cookie, stores only its hash, and refuses a rename without it (403)", async () => {
    const services = servicesWith({});
    const creator = browser(services, "198.51.100.1");
    const { id } = await creator.caller.pieces.create(recipe());
    const cookie = creator.headers().get("set-cookie")!;
    expect(cookie).toMatch(/^motif_edit=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    const token = readEditToken(cookie.split(";")[0])!;
    expect(token).toBe(creator.token());
    const row = await db.piece.findUniqueOrThrow({ where: { id }, select: { editTokenHash: true } });
    expect(row.editTokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    await services.pieces.idle();

    // Neither the token nor its hash ever leaves the server.
    const seen = JSON.stringify(await creator.caller.pieces.byId({ id }));
    expect(seen).not.toContain(token);
    expect(seen).not.toContain(row.editTokenHash);

    const listener = browser(services, "198.51.100.2");
    expect(await listener.caller.pieces.byId({ id })).toMatchObject({ canEdit: false });
    await expectTrpcError(
      listener.caller.pieces.rename({ id, title: "Mine now" }),
      "FORBIDDEN",
      /only the piece's creator can rename it/,
    );
    const forged = browser(services, "198.51.100.2", "A".repeat(43));
    await expectTrpcError(
      forged.caller.pieces.rename({ id, title: "Mine now" }),
      "FORBIDDEN",
      /only the piece's creator can rename it/,
    );
    await expectTrpcError(
      listener.caller.pieces.rename({ id: "no-such-piece", title: "x" }),
      "NOT_FOUND",
      /no piece/,
    );

    // The creator's browser, later (the cookie sent back): may rename, and sees the control.
    const back = browser(services, "198.51.100.1", readEditToken(`theme=dark; ${cookie.split(";")[0]}`));
    expect(await back.caller.pieces.byId({ id })).toMatchObject({ canEdit: true });
    await back.caller.pieces.rename({ id, title: "Morning light" });
    expect(back.headers().get("set-cookie")).toBeNull();
    expect(await listener.caller.pieces.byId({ id })).toMatchObject({
      title: "Morning light",
      canEdit: false,
    });

    // A listener still plays, counts plays and makes variations; the variation is the listener's.
    await listener.caller.pieces.countPlay({ id });
    const variation = await listener.caller.pieces.variation({ id });
    expect(listener.token()).not.toBeNull();
    expect(listener.token()).not.toBe(token);
    await services.pieces.idle();
    await listener.caller.pieces.rename({ id: variation.id, title: "Evening light" });
    await expectTrpcError(
      back.caller.pieces.rename({ id: variation.id, title: "x" }),
      "FORBIDDEN",
      /only the piece's creator/,
    );
    expect(await db.piece.findUniqueOrThrow({ where: { id }, select: { playCount: true } })).toEqual({
      playCount: 1,
    });
  });

  it("makes the sharer of a device piece its creator, and leaves pieces from before edit rights unrenamable", async () => {
    const services = servicesWith({});
    const maker = browser(services, "198.51.100.3");
    const made = await maker.caller.pieces.create(recipe({ seed: 31 }));
    await services.pieces.idle();
    const piece = await maker.caller.pieces.byId({ id: made.id });
    const tokens = (await db.piece.findUniqueOrThrow({ where: { id: made.id }, select: { tokens: true } }))
      .tokens as string[];

    const sharer = browser(services, "198.51.100.4");
    const shared = await sharer.caller.pieces.share({
      ...recipe({ seed: 31 }),
      bundleHash: piece.bundleHash,
      tokens,
    });
    expect(sharer.headers().get("set-cookie")).toMatch(/^motif_edit=/);
    expect(await sharer.caller.pieces.byId({ id: shared.id })).toMatchObject({
      canEdit: true,
      status: "done",
    });
    await sharer.caller.pieces.rename({ id: shared.id, title: "Shared" });
    await expectTrpcError(
      maker.caller.pieces.rename({ id: shared.id, title: "x" }),
      "FORBIDDEN",
      /only the piece's creator/,
    );

    // A row as the migration leaves older pieces: no hash, so nobody may rename it.
    const old = await db.piece.create({
      data: {
        title: "old",
        modelId: tinyId,
        bundleHash: piece.bundleHash,
        seed: 1,
        temperature: 1,
        topK: null,
        topP: 0.95,
        length: 24,
        primerKind: "none",
        primerTokens: [],
        tokens: [],
        notes: [],
        status: "done",
      },
      select: { id: true, editTokenHash: true },
    });
    expect(old.editTokenHash).toBeNull();
    for (const someone of [maker, sharer, browser(services, "198.51.100.5")]) {
      await expectTrpcError(
        someone.caller.pieces.rename({ id: old.id, title: "x" }),
        "FORBIDDEN",
        /only the piece's creator/,
      );
      expect(await someone.caller.pieces.byId({ id: old.id })).toMatchObject({ canEdit: false });
    }
  });
});

describe("generation rate limit", () => {
  it("answers 429 with Retry-After past the per-client limit, counting create, variation, regenerate and share but not refused input", async () => {
    const services = servicesWith({ perClient: 4, windowSeconds: 60 });
    const client = browser(services, "203.0.113.7");
    // Invalid input is refused before it is counted.
    for (let i = 0; i < 5; i += 1)
      await expectTrpcError(
        client.caller.pieces.create(recipe({ length: 1 })),
        "BAD_REQUEST",
        /length must be at least 16/,
      );
    const first = await client.caller.pieces.create(recipe({ seed: 41 }));
    await client.caller.pieces.variation({ id: first.id });
    await client.caller.pieces.regenerate({ id: first.id });
    await services.pieces.idle();
    const tokens = (await db.piece.findUniqueOrThrow({ where: { id: first.id }, select: { tokens: true } }))
      .tokens as string[];
    const { bundleHash } = await client.caller.pieces.byId({ id: first.id });
    await client.caller.pieces.share({ ...recipe({ seed: 41 }), bundleHash, tokens });
    expect(client.headers().get("retry-after")).toBeNull();

    const before = await db.piece.count();
    await expectTrpcError(
      client.caller.pieces.create(recipe()),
      "TOO_MANY_REQUESTS",
      /^too many pieces from this client: at most 4 every 60 s; try again in \d+ s$/,
    );
    await expectTrpcError(
      client.caller.pieces.variation({ id: first.id }),
      "TOO_MANY_REQUESTS",
      /too many pieces/,
    );
    expect(await db.piece.count()).toBe(before);
    const retryAfter = Number(client.headers().get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // Another client is not affected; reading is never limited.
    await browser(services, "203.0.113.8").caller.pieces.create(recipe());
    await client.caller.pieces.byId({ id: first.id });
    await client.caller.pieces.countPlay({ id: first.id });
    await services.pieces.idle();
  });

  it(
    provider === "postgresql"
      ? "shares the counters between server processes through the RateLimit table"
      : "counts in memory, per process",
    async () => {
      const [one, two] = [servicesWith({ perClient: 2 }), servicesWith({ perClient: 2 })];
      await browser(one, "203.0.113.9").caller.pieces.create(recipe());
      await browser(two, "203.0.113.9").caller.pieces.create(recipe());
      const third = browser(two, "203.0.113.9").caller.pieces.create(recipe());
      if (provider === "postgresql") {
        await expectTrpcError(third, "TOO_MANY_REQUESTS", /at most 2 every 60 s/);
        const row = await db.rateLimit.findUniqueOrThrow({ where: { key: "generate:203.0.113.9" } });
        expect(row.points).toBe(3);
        expect(Number(row.expire)).toBeGreaterThan(Date.now());
      } else {
        await third;
        expect(await db.rateLimit.count()).toBe(0);
      }
      await Promise.all([one.pieces.idle(), two.pieces.idle()]);
    },
  );
});

describe("queue bound and position", () => {
  it("shows each waiting piece how many are ahead of it, and refuses past the bound with 429 'the queue is full'", async () => {
    const services = servicesWith({ maxQueued: 4 });
    const client = browser(services, "192.0.2.1");
    // Long pieces of the shipped model on the one worker (seconds each, on any machine): the first runs, the next three wait.
    const ids: string[] = [];
    for (const seed of [1, 2, 3, 4])
      ids.push((await client.caller.pieces.create(recipe({ modelId: slowId, seed, length: 2000 }))).id);
    // The last piece's listener joins at once: the position from its snapshot, each move of the queue, then its notes.
    const listening = (async () => {
      const events: StreamEvent[] = [];
      for await (const { data: event } of trackedEvents(await client.caller.pieces.stream({ id: ids[3]! })))
        events.push(event);
      return events;
    })();
    const ahead = await Promise.all(
      ids.map(async (id) => (await client.caller.pieces.byId({ id })).queueAhead),
    );
    expect(ahead).toEqual([null, 1, 2, 3]);

    const before = await db.piece.count();
    await expectTrpcError(
      client.caller.pieces.create(recipe()),
      "TOO_MANY_REQUESTS",
      /^the queue is full \(4 pieces waiting or being generated\); try again in 10 s$/,
    );
    await expectTrpcError(
      client.caller.pieces.regenerate({ id: ids[0]! }),
      "TOO_MANY_REQUESTS",
      /the queue is full/,
    );
    expect(client.headers().get("retry-after")).toBe("10");
    expect(await db.piece.count()).toBe(before);

    const events = await listening;
    expect(events[0]).toMatchObject({ type: "snapshot", status: "generating", ahead: 3 });
    const positions = events.flatMap((event) => (event.type === "queued" ? [event.ahead] : []));
    expect(positions).toEqual([2, 1, null]);
    const firstNotes = events.findIndex((event) => event.type === "notes");
    expect(firstNotes).toBeGreaterThan(
      events.findIndex((event) => event.type === "queued" && event.ahead === null),
    );
    expect(events.at(-1)!.type).toBe("done");

    await services.pieces.idle();
    expect((await client.caller.pieces.byId({ id: ids[3]! })).queueAhead).toBeNull();
    // Room again once the queue has drained.
    await client.caller.pieces.create(recipe());
    await services.pieces.idle();
  });
});

describe("queue bound and rate limit together", () => {
  it("gives a client refused for a full queue its rate-limit point back", async () => {
    const services = servicesWith({ perClient: 3, maxQueued: 1 });
    const client = browser(services, "192.0.2.9");
    // One long piece of the shipped model fills the queue of one.
    await client.caller.pieces.create(recipe({ modelId: slowId, seed: 5, length: 2000 }));
    expect(await services.limiter.remaining("192.0.2.9")).toBe(2);
    for (let i = 0; i < 4; i += 1) {
      await expectTrpcError(
        client.caller.pieces.create(recipe({ seed: 50 + i })),
        "TOO_MANY_REQUESTS",
        /^the queue is full \(1 pieces/,
      );
    }
    expect(await services.limiter.remaining("192.0.2.9")).toBe(2);
    if (provider === "postgresql")
      expect((await db.rateLimit.findUniqueOrThrow({ where: { key: "generate:192.0.2.9" } })).points).toBe(1);

    // Three at once: the first two hold the two points until the queue refuses them and give them
    // back; the third, if it comes before a point is back, is the rate limit's refusal, an attempt
    // counted as every refused one is (rate-limiter-flexible counts attempts past the limit).
    const together = await Promise.allSettled(
      [1, 2, 3].map((seed) => client.caller.pieces.create(recipe({ seed }))),
    );
    const messages = together.map((settled) =>
      settled.status === "rejected" ? (settled.reason as Error).message : "accepted",
    );
    const queueFull = messages.filter((message) => message.startsWith("the queue is full")).length;
    const rateLimited = messages.filter((message) =>
      message.startsWith("too many pieces from this client"),
    ).length;
    expect(queueFull).toBeGreaterThanOrEqual(2);
    expect(queueFull + rateLimited).toBe(3);
    expect(await services.limiter.remaining("192.0.2.9")).toBe(2 - rateLimited);

    // The budget kept is the budget it has once the queue has room, then the rate limit's own 429.
    await services.pieces.idle();
    for (let seed = 60; seed < 62 - rateLimited; seed += 1) {
      await client.caller.pieces.create(recipe({ seed }));
      await services.pieces.idle();
    }
    await expectTrpcError(
      client.caller.pieces.create(recipe({ seed: 62 })),
      "TOO_MANY_REQUESTS",
      /too many pieces from this client: at most 3 every 60 s/,
    );
    expect(await services.limiter.remaining("192.0.2.9")).toBe(0);
  }, 120_000);
});

describe("upload caps", () => {
  it("refuses a primer over the note cap (named) in the worker, and one over the byte cap in the schema (400)", async () => {
    const client = browser(servicesWith({}), "192.0.2.2");
    const many = writeMidi({ notes: tinyTuneNotes(Math.ceil((MAX_PRIMER_NOTES + 1) / 7)) });
    expect(many.length).toBeLessThan(MAX_UPLOAD_BYTES);
    await expectTrpcError(
      client.caller.pieces.create(
        recipe({
          primer: { kind: "upload", fileName: "huge.mid", base64: Buffer.from(many).toString("base64") },
        }),
      ),
      "BAD_REQUEST",
      /^huge\.mid has 20,00\d notes; an uploaded primer may have at most 20,000 notes$/,
    );
    const fits = writeMidi({ notes: tinyTuneNotes(2) });
    await client.caller.pieces.create(
      recipe({
        primer: { kind: "upload", fileName: "small.mid", base64: Buffer.from(fits).toString("base64") },
      }),
    );
    const tooBig = Buffer.alloc(MAX_UPLOAD_BYTES + 3).toString("base64");
    await expectTrpcError(
      client.caller.pieces.create(
        recipe({ primer: { kind: "upload", fileName: "big.mid", base64: tooBig } }),
      ),
      "BAD_REQUEST",
      /larger than 1 MB; an uploaded primer may have at most 1,048,576 bytes/,
    );
    await expectTrpcError(
      client.caller.pieces.rename({ id: "x".repeat(65), title: "t" }),
      "BAD_REQUEST",
      /that id is too long/,
    );
    await expectTrpcError(
      client.caller.pieces.rename({ id: "abc", title: "t".repeat(121) }),
      "BAD_REQUEST",
      /longer than 120 characters/,
    );
  });
});
