// Router tests through createCaller against a real migrated database (SQLite temp file, or the
// PostgreSQL database in DATABASE_URL) and the real generation worker pool with a tiny trained bundle.
import { mkdtempSync } from "node:fs";
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ZodError } from "zod";
import { normalizeKey, transposeNotes } from "@motif/core";
import { parseMidi, writeMidi } from "@motif/midi";
import type { Database } from "@/server/db";
import { createWorkerPool } from "@/server/generation/worker-pool";
import { createServices, type Services } from "@/server/services/services";
import type { StreamEvent } from "@/server/services/piece-service";
import { createCallerFactory, createContextInner, describeZodError } from "@/server/trpc";
import { createTestDatabase } from "../../../test-support/test-database";
import { TEST_LIMITS, closeTestServices } from "../../../test-support/test-services";
import { trackedEvents } from "../../../test-support/tracked-events";
import { expectTrpcError } from "../../../test-support/trpc-errors";
import { tinyTuneNotes, writeTinyBundle } from "../../../test-support/tiny-bundle";
import { appRouter } from "./app-router";

const workerScript = join(import.meta.dirname, "..", "..", "..", "dist-worker", "generation-worker.mjs");
const createCaller = createCallerFactory(appRouter);

let db: Database;
let provider: string;
let services: Services;
let caller: ReturnType<typeof createCaller>;
let modelsDir: string;
let corpusDir: string;
let tinyId: string;
let tuneBytes: Uint8Array;

const recipe = (overrides: Record<string, unknown> = {}) => ({
  modelId: tinyId,
  length: 40,
  temperature: 1,
  topK: null,
  topP: 0.95,
  seed: 7,
  primer: { kind: "none" as const },
  ...overrides,
});

async function finished(id: string) {
  await services.pieces.idle();
  return caller.pieces.byId({ id });
}

beforeAll(async () => {
  ({ db, provider } = await createTestDatabase());
  modelsDir = mkdtempSync(join(tmpdir(), "motif-web-models-"));
  corpusDir = mkdtempSync(join(tmpdir(), "motif-web-corpus-"));
  const tiny = await writeTinyBundle(modelsDir, { name: "tiny", version: "v1" });
  tuneBytes = tiny.tuneBytes;
  await writeFile(join(corpusDir, "tiny-tune.mid"), tuneBytes);
  // A broken copy: weights from another model size fail loadBundle's checks.
  const broken = join(modelsDir, "broken", "v1");
  await cp(tiny.dir, broken, { recursive: true });
  await writeFile(join(broken, "weights.bin"), new Uint8Array(64));
  // Every note update unbatched, so whether a piece streams in several events does not depend on the machine's speed.
  services = createServices({
    db,
    engine: createWorkerPool({ script: workerScript, size: 1, progressEveryMs: 0 }),
    modelsDir,
    corpusDirs: [corpusDir],
    limits: TEST_LIMITS,
  });
  caller = createCaller(createContextInner(services));
  const summary = await caller.models.refresh();
  expect(summary).toMatchObject({ found: 2, usable: 1 });
  tinyId = (await caller.models.list()).find((m) => m.name === "tiny")!.id;
}, 300_000);

afterAll(() => closeTestServices(services, db, [modelsDir, corpusDir]));

describe(`routers on a real database`, () => {
  it(`uses the expected provider (${process.env.DATABASE_URL?.startsWith("postgres") ? "postgresql" : "sqlite"})`, () => {
    expect(provider).toBe(process.env.DATABASE_URL?.startsWith("postgres") ? "postgresql" : "sqlite");
  });

  it("registers the usable bundle with its metadata and lists the broken one as unusable with the reason", async () => {
    const models = await caller.models.list();
    const tiny = models.find((m) => m.name === "tiny")!;
    expect(tiny).toMatchObject({
      version: "v1",
      usable: true,
      preset: "default",
      tokenizer: "timed",
      unusableReason: null,
    });
    expect(tiny.vocabSize).toBeGreaterThan(10);
    expect(tiny.parameters).toBeGreaterThan(1000);
    expect(tiny.bundleHash).toMatch(/^[0-9a-f]{64}$/);
    expect(tiny.datasetSummary).toMatchObject({ files: 1, trainFiles: 1, epochs: 1 });
    expect((tiny.fileSizes as Record<string, number>)["weights.bin"]).toBeGreaterThan(1000);
    const broken = models.find((m) => m.name === "broken")!;
    expect(broken.usable).toBe(false);
    expect(broken.unusableReason).toMatch(/weight/i);
    expect(Object.keys(tiny)).not.toContain("path");
  });

  it("answers bad input with BAD_REQUEST and a readable message", async () => {
    await expectTrpcError(
      caller.pieces.create(recipe({ temperature: 9 })),
      "BAD_REQUEST",
      /temperature must be at most 2.5/,
    );
    await expectTrpcError(
      caller.pieces.create(recipe({ length: 3.5 })),
      "BAD_REQUEST",
      /length must be a whole number/,
    );
    await expectTrpcError(
      caller.pieces.create(recipe({ modelId: "nope" })),
      "BAD_REQUEST",
      /model nope does not exist/,
    );
    const broken = (await caller.models.list()).find((m) => m.name === "broken")!;
    await expectTrpcError(caller.pieces.create(recipe({ modelId: broken.id })), "BAD_REQUEST", /unusable/);
    await expectTrpcError(caller.pieces.create(recipe({ topK: 100_000 })), "BAD_REQUEST", /top-k|topK/);
    await expectTrpcError(caller.pieces.byId({ id: "missing" }), "NOT_FOUND", /no piece/);
  });

  it("stores the piece first, streams notes as they come, then stores tokens, notes and a MIDI that parses", async () => {
    // A long piece ahead of it on the one worker: the listener below subscribes while this one waits its turn.
    await caller.pieces.create(recipe({ length: 2000, seed: 3 }));
    const { id } = await caller.pieces.create(recipe({ length: 600, seed: 11 }));
    const row = await db.piece.findUniqueOrThrow({ where: { id }, select: { status: true } });
    expect(row.status).toBe("generating");

    // One listener from the start, one joining mid-stream as a reconnection of it would (with the
    // early one's last event id): both must end with exactly the stored notes.
    let joinLate!: (lastEventId: string) => void;
    const lateJoin = new Promise<string>((resolve) => (joinLate = resolve));
    const eventIds = new Map<StreamEvent[], string[]>();
    const collect = async (lastEventId: string | null, onNotes?: (eventId: string) => void) => {
      const events: StreamEvent[] = [];
      const ids: string[] = [];
      eventIds.set(events, ids);
      for await (const { id: eventId, data: event } of trackedEvents(
        await caller.pieces.stream({ id, lastEventId }),
      )) {
        events.push(event);
        ids.push(eventId);
        if (event.type === "notes") onNotes?.(eventId);
      }
      return events;
    };
    const early = collect(null, (eventId) => joinLate(eventId));
    const resumedAfter = await lateJoin;
    const [events, lateEvents] = await Promise.all([early, collect(resumedAfter)]);
    expect(events[0]!.type).toBe("snapshot");
    // Tracked ids count from 1; the resubscription's go on from its lastEventId, starting with a snapshot.
    expect(eventIds.get(events)).toEqual(events.map((_, i) => String(i + 1)));
    expect(eventIds.get(lateEvents)).toEqual(lateEvents.map((_, i) => String(Number(resumedAfter) + i + 1)));
    expect(lateEvents[0]!.type).toBe("snapshot");
    expect(events.at(-1)!.type).toBe("done");
    expect(events.filter((e) => e.type === "notes").length).toBeGreaterThan(1);

    const piece = await finished(id);
    expect(piece.status).toBe("done");
    expect(piece.tokenCount).toBe(600);
    expect(piece.notes.length).toBeGreaterThan(0);
    expect(piece.durationSeconds).toBeGreaterThan(0);
    expect(piece.title).not.toBe("");
    const replay = (stream: StreamEvent[]) => {
      let notes = stream[0]!.type === "snapshot" ? stream[0]!.notes : [];
      for (const event of stream)
        if (event.type === "notes") notes = [...notes.slice(0, event.from), ...event.notes];
      return notes;
    };
    expect(replay(events)).toEqual(piece.notes);
    expect(replay(lateEvents)).toEqual(piece.notes);
    // Reconnecting after the end: only a snapshot of the stored piece.
    const lastEventId = eventIds.get(events)!.at(-1)!;
    const afterEnd: { id: string; data: StreamEvent }[] = [];
    for await (const event of trackedEvents(await caller.pieces.stream({ id, lastEventId })))
      afterEnd.push(event);
    expect(afterEnd).toEqual([
      {
        id: String(Number(lastEventId) + 1),
        data: {
          type: "snapshot",
          status: "done",
          tokenCount: 600,
          notes: piece.notes,
          durationSeconds: piece.durationSeconds,
          error: null,
          ahead: null,
        },
      },
    ]);
    const midi = await services.pieces.midi(id);
    const parsed = parseMidi(midi.bytes);
    expect(parsed.notes.length).toBe(piece.notes.length);
    expect(parsed.notes.map((n) => n.pitch).sort()).toEqual(piece.notes.map((n) => n[0]).sort());
  });

  it("regenerate replays the recipe to identical tokens; variation changes only the seed", async () => {
    const { id } = await caller.pieces.create(recipe({ seed: 1234, temperature: 1.2 }));
    const original = await finished(id);
    const replay = await finished((await caller.pieces.regenerate({ id })).id);
    expect(replay.seed).toBe(1234);
    expect(replay.regeneratedFromId).toBe(id);
    expect(replay.matchesOriginal).toBe(true);
    expect(replay.notes).toEqual(original.notes);
    const variation = await finished((await caller.pieces.variation({ id })).id);
    expect(variation.seed).not.toBe(1234);
    expect(variation).toMatchObject({
      temperature: 1.2,
      length: 40,
      topP: 0.95,
      regeneratedFromId: null,
      matchesOriginal: null,
    });
  });

  it("pages newest first with a cursor and filters by model", async () => {
    for (const seed of [21, 22, 23]) await caller.pieces.create(recipe({ seed, length: 16 }));
    await services.pieces.idle();
    const all = await db.piece.count();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof caller.pieces.list>> = await caller.pieces.list({
        limit: 2,
        cursor,
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(all);
    const dates = (await caller.pieces.list({ limit: 60 })).items.map((p) => new Date(p.createdAt).getTime());
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
    expect((await caller.pieces.list({ limit: 60, modelId: tinyId })).items).toHaveLength(all);
    expect((await caller.pieces.list({ limit: 60, modelId: "other" })).items).toHaveLength(0);
  });

  it("starts from an uploaded MIDI or a corpus snippet, and says clearly when an upload is not MIDI", async () => {
    const notMidi = Buffer.from("this is a text file, not a song").toString("base64");
    await expectTrpcError(
      caller.pieces.create(recipe({ primer: { kind: "upload", fileName: "notes.txt", base64: notMidi } })),
      "BAD_REQUEST",
      /notes\.txt is not a MIDI file Motif can read/,
    );
    const huge = Buffer.alloc(1024 * 1024 + 10).toString("base64");
    await expectTrpcError(
      caller.pieces.create(recipe({ primer: { kind: "upload", fileName: "big.mid", base64: huge } })),
      "BAD_REQUEST",
      /larger than 1 MB/,
    );

    const upload = Buffer.from(writeMidi({ notes: tinyTuneNotes(2) })).toString("base64");
    const uploaded = await finished(
      (
        await caller.pieces.create(
          recipe({ primer: { kind: "upload", fileName: "mine.mid", base64: upload } }),
        )
      ).id,
    );
    expect(uploaded.status).toBe("done");
    expect(uploaded.primerKind).toBe("upload");
    expect(uploaded.primerTokens.length).toBeGreaterThan(0);
    expect(uploaded.tokenCount).toBe(40 + uploaded.primerTokens.length);
    // The Composer's description: the recipe line the MIDI file and the CLI print.
    expect(uploaded.primerLabel).toMatch(/^file:mine\.mid sha256=[0-9a-f]{16} tokens=\d+/);

    const snippet = await finished((await caller.pieces.create(recipe({ primer: { kind: "corpus" } }))).id);
    expect(snippet.primerLabel).toMatch(/^corpus:tiny-tune\.mid@\d+\+\d+/);
    expect(snippet.primerTokens.length).toBeGreaterThan(0);
  });

  it("stores the key asked for in its canonical spelling and replays it; defaults follow the primer", async () => {
    const { id } = await caller.pieces.create(recipe({ seed: 31, key: "d min" }));
    const inD = await finished(id);
    expect(inD).toMatchObject({ status: "done", key: "D minor", primerKeyShift: 0 });
    const replay = await finished((await caller.pieces.regenerate({ id })).id);
    expect(replay).toMatchObject({ key: "D minor", matchesOriginal: true });
    expect(replay.notes).toEqual(inD.notes);
    expect((await finished((await caller.pieces.variation({ id })).id)).key).toBe("D minor");
    expect(parseMidi((await services.pieces.midi(id)).bytes).texts).toContain("key D minor");

    // Same recipe without a key: the model's own key, same tokens, other pitches.
    const plain = await finished((await caller.pieces.create(recipe({ seed: 31 }))).id);
    expect(plain.key).toBe("as-trained");
    const tokens = await db.piece.findMany({
      where: { id: { in: [id, plain.id] } },
      select: { tokens: true },
    });
    expect(tokens[0]!.tokens).toEqual(tokens[1]!.tokens);
    expect(plain.notes.map((n) => n.slice(1))).toEqual(inD.notes.map((n) => n.slice(1)));
    expect(plain.notes.map((n) => n[0])).not.toEqual(inD.notes.map((n) => n[0]));
    const snippet = await finished(
      (await caller.pieces.create(recipe({ seed: 31, primer: { kind: "corpus" } }))).id,
    );
    expect(snippet.key).toBe("primer");
  });

  it("rejects a key it cannot read with BAD_REQUEST naming it", async () => {
    const error = await caller.pieces.create(recipe({ key: "H major" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    // The sentence the form shows (the error formatter's), not the raw zod issue list.
    expect(describeZodError((error as TRPCError).cause as ZodError)).toBe(
      'key must be "as-trained", "primer" or a key such as "D minor" (got "H major")',
    );
    await expectTrpcError(caller.pieces.create(recipe({ key: 7 })), "BAD_REQUEST", /key/);
  });

  it('normalises an uploaded primer for a key-normalised model and moves the piece back for key "primer"', async () => {
    // The tiny tune moved to E major: the model sees it in C major (shift −4) and the piece returns to E.
    const inE = transposeNotes(tinyTuneNotes(2), 4);
    const expectedShift = normalizeKey(inE).shift;
    expect(expectedShift).toBe(-4);
    const upload = Buffer.from(writeMidi({ notes: inE })).toString("base64");
    const primer = { kind: "upload" as const, fileName: "in-e.mid", base64: upload };
    const back = await finished((await caller.pieces.create(recipe({ seed: 41, primer }))).id);
    expect(back).toMatchObject({ status: "done", key: "primer", primerKeyShift: expectedShift });
    const asTrained = await finished(
      (await caller.pieces.create(recipe({ seed: 41, primer, key: "as-trained" }))).id,
    );
    expect(asTrained.primerTokens).toEqual(back.primerTokens);
    // The primer's own notes come back in E major, exactly as uploaded.
    const firstChord = (pitches: { pitch: number; start: number }[]) =>
      pitches
        .filter((n) => n.start === 0)
        .map((n) => n.pitch)
        .sort((a, b) => a - b);
    expect(firstChord(back.notes.map(([pitch, , start]) => ({ pitch, start })))).toEqual(
      firstChord(inE.map((n) => ({ pitch: n.pitch, start: n.startQuarter }))),
    );
    expect(
      back.notes.map((n, i) => n[0] - asTrained.notes[i]![0]).every((d) => ((d % 12) + 12) % 12 === 4),
    ).toBe(true);
    const replay = await finished((await caller.pieces.regenerate({ id: back.id })).id);
    expect(replay).toMatchObject({ key: "primer", primerKeyShift: expectedShift, matchesOriginal: true });
    expect(replay.notes).toEqual(back.notes);
  });

  it("renames with validation and counts plays", async () => {
    const { id } = await caller.pieces.create(recipe({ seed: 5, length: 16 }));
    await finished(id);
    await expectTrpcError(caller.pieces.rename({ id, title: "   " }), "BAD_REQUEST", /title cannot be empty/);
    await caller.pieces.rename({ id, title: "Morning light" });
    await caller.pieces.countPlay({ id });
    expect(await caller.pieces.byId({ id })).toMatchObject({ title: "Morning light", playCount: 1 });
  });

  it("keeps a stored piece (as failed, with the reason) when generation breaks, and resumes interrupted ones", async () => {
    const extra = await writeTinyBundle(modelsDir, { name: "fragile", version: "v1" });
    await caller.models.refresh();
    const fragile = (await caller.models.list()).find((m) => m.name === "fragile")!;
    await services.engine.close();
    services = createServices({
      db,
      engine: createWorkerPool({ script: workerScript, size: 1 }),
      modelsDir,
      corpusDirs: [corpusDir],
      limits: TEST_LIMITS,
    });
    caller = createCaller(createContextInner(services));
    // The bundle disappears between registration and generation (fresh worker: nothing cached).
    const weights = await readFile(join(extra.dir, "weights.bin"));
    await rm(join(extra.dir, "weights.bin"));
    const { id } = await caller.pieces.create(recipe({ modelId: fragile.id }));
    const failed = await finished(id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/weights\.bin/);
    expect((await caller.pieces.list({ limit: 60 })).items.map((p) => p.id)).toContain(id);
    await writeFile(join(extra.dir, "weights.bin"), weights);

    // A piece a stopped server left "generating" is replayed from its recipe.
    const done = await finished((await caller.pieces.create(recipe({ seed: 99, key: "F# major" }))).id);
    const orphan = await db.piece.create({
      data: {
        title: "orphan",
        modelId: tinyId,
        bundleHash: done.bundleHash,
        seed: 99,
        temperature: 1,
        topK: null,
        topP: 0.95,
        length: 40,
        primerKind: "none",
        primerTokens: [],
        key: "F# major",
        tokens: [],
        notes: [],
      },
      select: { id: true },
    });
    // A row from before keys existed reads as "as-trained".
    const old = await db.piece.create({
      data: {
        title: "old",
        modelId: tinyId,
        bundleHash: done.bundleHash,
        seed: 99,
        temperature: 1,
        topK: null,
        topP: 0.95,
        length: 40,
        primerKind: "none",
        primerTokens: [],
        tokens: [],
        notes: [],
      },
      select: { id: true, key: true, primerKeyShift: true },
    });
    expect(old).toMatchObject({ key: "as-trained", primerKeyShift: 0 });
    expect(await services.pieces.resumeInterrupted()).toBe(2);
    const resumed = await finished(orphan.id);
    expect(resumed.status).toBe("done");
    expect(resumed.notes).toEqual(done.notes);
    const plain = await finished(old.id);
    expect(plain.key).toBe("as-trained");
    expect(plain.notes.map((n) => n.slice(1))).toEqual(done.notes.map((n) => n.slice(1)));
  });
});
