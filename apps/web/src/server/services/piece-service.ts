import "server-only";
import { applyNotesUpdate, type RollNote } from "@/lib/roll";
import type { CopyFilter, PieceReport } from "@/lib/music-report";
import { GALLERY_RECIPE } from "@/lib/gallery-recipe";
import { finishedTitle, initialTitle } from "@/lib/piece-title";
import type { Database } from "../db";
import { ForbiddenError, InputError, NotFoundError, TooManyRequestsError } from "../errors";
import type { GenerationEngine, GenerateJob } from "../generation/engine";
import type { GenerateResult } from "@/worker/types";
import type { ModelRegistry } from "./model-registry";
import { reportColumns } from "./piece-reports";
import type { PieceEvent, PieceEvents } from "./piece-events";

import { MAX_PRIMER_NOTES, MAX_UPLOAD_BYTES } from "@/lib/gallery-recipe";

/** An uploaded primer's caps: its bytes (checked by the schema too) and its notes (in the worker, before tokenizing). */
export { MAX_PRIMER_NOTES, MAX_UPLOAD_BYTES };
/** What a full queue's 429 suggests waiting: about what a few pieces take on one worker. */
const QUEUE_FULL_RETRY_SECONDS = 10;
const PROGRESS_WRITE_INTERVAL_MS = 1000;

export interface Recipe {
  modelId: string;
  length: number;
  temperature: number;
  topK: number | null;
  topP: number | null;
  seed: number;
  /** keyChoiceText form ("as-trained", "primer", "D minor"); absent = the default for the primer. */
  key?: string | undefined;
}

export type PrimerInput =
  | { kind: "none" }
  | { kind: "corpus" }
  | { kind: "upload"; fileName: string; bytes: Uint8Array };

/** A shared device piece's recipe: the bundle it was made with and, for a piece kept from the radio, where its cut of the stream starts. */
export type SharedRecipe = Recipe & { bundleHash: string; offset?: number | undefined };

/** A shared device piece's primer as the device resolved it (a corpus one is resolved again here and must agree). */
export type SharedPrimer = { kind: "none" } | { kind: "corpus" | "upload"; tokens: string[]; description: string; keyShift: number };

const pieceCardSelect = {
  id: true,
  title: true,
  status: true,
  durationSeconds: true,
  noteCount: true,
  notes: true,
  playCount: true,
  createdAt: true,
  heavyCopy: true,
  longestCopyNotes: true,
  model: { select: { id: true, name: true, version: true } },
} as const;

const pieceDetailSelect = {
  ...pieceCardSelect,
  error: true,
  modelId: true,
  bundleHash: true,
  seed: true,
  temperature: true,
  topK: true,
  topP: true,
  length: true,
  primerKind: true,
  primerLabel: true,
  primerTokens: true,
  primerKeyShift: true,
  key: true,
  streamOffset: true,
  tokenCount: true,
  regeneratedFromId: true,
  finishedAt: true,
  report: true,
} as const;

/** The Piece columns a generation job replays (the recipe as stored). */
const recipeColumnsSelect = {
  seed: true,
  temperature: true,
  topK: true,
  topP: true,
  length: true,
  primerTokens: true,
  primerLabel: true,
  primerKeyShift: true,
  key: true,
  streamOffset: true,
} as const;

type RecipeColumns = { seed: number; temperature: number; topK: number | null; topP: number | null; length: number; primerTokens: unknown; primerLabel: string | null; primerKeyShift: number; key: string; streamOffset: number | null };

/** A stored recipe as the job the engine runs on a bundle. */
function jobOf(modelDir: string, bundleHash: string, recipe: RecipeColumns): GenerateJob {
  return {
    modelDir,
    bundleHash,
    seed: recipe.seed,
    temperature: recipe.temperature,
    topK: recipe.topK,
    topP: recipe.topP,
    length: recipe.length,
    primerTokens: recipe.primerTokens as string[],
    primerLabel: recipe.primerLabel,
    primerKeyShift: recipe.primerKeyShift,
    key: recipe.key,
    streamOffset: recipe.streamOffset,
  };
}

/** A listener who starts from a primer most likely wants its key; without one, the model's own. */
export function defaultKey(primerKind: PrimerInput["kind"]): string {
  return primerKind === "none" ? "as-trained" : "primer";
}

export type StreamEvent =
  /** `ahead`: generations running or waiting before this piece while it waits for a worker, else null. */
  | { type: "snapshot"; status: string; tokenCount: number; notes: RollNote[]; durationSeconds: number; error: string | null; ahead: number | null }
  | PieceEvent;

/** The columns of a finished piece: its tokens, notes, MIDI and, stored with it so no view recomputes it, its music report. */
function finishedColumns(result: GenerateResult) {
  return {
    status: "done",
    tokens: result.tokens,
    tokenCount: result.tokens.length,
    notes: result.notes,
    noteCount: result.notes.length,
    midi: new Uint8Array(result.midi),
    durationSeconds: result.durationSeconds,
    finishedAt: new Date(),
    // Without a report the first view of the piece computes it.
    ...(result.report ? reportColumns(result.report) : {}),
  };
}

export function createPieceService(deps: { db: Database; engine: GenerationEngine; registry: ModelRegistry; events: PieceEvents; corpusDirs: string[]; /** Generations accepted and unfinished past which new ones are refused. */ maxQueued: number }) {
  const { db, engine, registry, events, corpusDirs, maxQueued } = deps;
  const running = new Map<string, Promise<void>>();
  /** Notes so far of each running piece: a new subscriber's snapshot must match the live stream, not the (lagging) database. */
  const live = new Map<string, { notes: RollNote[]; tokenCount: number }>();
  /** Pieces waiting for a worker: how many generations run or wait before each. */
  const waiting = new Map<string, number>();
  /** Generations accepted but not yet in `running` (a create between its checks and its job, a share's replay). */
  let admitting = 0;

  /**
   * Takes a place in the bounded queue (429 when it is full), synchronously, so concurrent
   * requests cannot all pass the check; the caller releases it once its job is started or abandoned.
   */
  function admit(): () => void {
    if (running.size + admitting >= maxQueued) {
      throw new TooManyRequestsError(`the queue is full (${maxQueued} pieces waiting or being generated); try again in ${QUEUE_FULL_RETRY_SECONDS} s`, QUEUE_FULL_RETRY_SECONDS);
    }
    admitting += 1;
    let released = false;
    return () => {
      if (!released) admitting -= 1;
      released = true;
    };
  }

  /** `copies` filters on the heavy-copy flag; a piece without a report counts as not heavy. */
  async function list(args: { limit: number; cursor: string | null; modelId: string | null; copies: CopyFilter }) {
    const rows = await db.piece.findMany({
      where: { ...(args.modelId ? { modelId: args.modelId } : {}), ...(args.copies === "all" ? {} : { heavyCopy: args.copies === "heavy" }) },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: args.limit + 1,
      ...(args.cursor ? { cursor: { id: args.cursor }, skip: 0 } : {}),
      select: pieceCardSelect,
    });
    const hasMore = rows.length > args.limit;
    const items = rows.slice(0, args.limit).map((row) => ({ ...row, notes: row.notes as unknown as RollNote[] }));
    return { items, nextCursor: hasMore ? rows[args.limit]!.id : null };
  }

  /** `editTokenHash`: the caller's (edit-token.ts), to say whether it may rename the piece; the hash itself is never returned. */
  async function get(id: string, editTokenHash: string | null) {
    const row = await db.piece.findUnique({ where: { id }, select: { ...pieceDetailSelect, editTokenHash: true } });
    if (!row) throw new NotFoundError(`no piece with id ${id}`);
    const { editTokenHash: creatorHash, ...piece } = row;
    return {
      ...piece,
      canEdit: creatorHash !== null && creatorHash === editTokenHash,
      queueAhead: waiting.get(id) ?? null,
      // No tempo column: every gallery piece is at the gallery recipe's bpm (the roll and the player need it).
      bpm: GALLERY_RECIPE.bpm,
      notes: piece.notes as unknown as RollNote[],
      primerTokens: piece.primerTokens as unknown as string[],
      report: piece.report as unknown as PieceReport | null,
      matchesOriginal: await matchesOriginal(piece.id, piece.regeneratedFromId, piece.status),
    };
  }

  /** For a "regenerate" piece: did replaying the recipe give exactly the original tokens? */
  async function matchesOriginal(id: string, originalId: string | null, status: string): Promise<boolean | null> {
    if (!originalId || status !== "done") return null;
    const [copy, original] = await Promise.all([
      db.piece.findUnique({ where: { id }, select: { tokens: true } }),
      db.piece.findUnique({ where: { id: originalId }, select: { tokens: true, status: true } }),
    ]);
    if (!copy || !original || original.status !== "done") return null;
    return JSON.stringify(copy.tokens) === JSON.stringify(original.tokens);
  }

  async function midi(id: string): Promise<{ title: string; bytes: Uint8Array }> {
    const piece = await db.piece.findUnique({ where: { id }, select: { title: true, midi: true, status: true } });
    if (!piece) throw new NotFoundError(`no piece with id ${id}`);
    if (!piece.midi) throw new InputError(piece.status === "generating" ? "the piece is still being generated" : "this piece has no MIDI (its generation failed)");
    return { title: piece.title, bytes: new Uint8Array(piece.midi) };
  }

  /** `editTokenHash`: the creator's, stored so only its browser can rename the piece. */
  async function create(recipe: Recipe, primer: PrimerInput, editTokenHash: string) {
    const release = admit();
    try {
      return await createAdmitted(recipe, primer, editTokenHash);
    } finally {
      release();
    }
  }

  async function createAdmitted(recipe: Recipe, primer: PrimerInput, editTokenHash: string) {
    const model = await registry.requireUsable(recipe.modelId);
    if (recipe.topK !== null && recipe.topK > model.vocabSize) {
      throw new InputError(`topK ${recipe.topK} is larger than the model's vocabulary (${model.vocabSize} tokens)`);
    }
    const primerResult = await resolvePrimer(model.path, recipe.seed, primer);
    // Stored explicitly, so the recipe still says what it meant if the default ever changes.
    const key = recipe.key ?? defaultKey(primer.kind);
    const title = initialTitle(recipe.seed);
    const piece = await db.piece.create({
      data: {
        title,
        modelId: model.id,
        bundleHash: model.bundleHash,
        seed: recipe.seed,
        temperature: recipe.temperature,
        topK: recipe.topK,
        topP: recipe.topP,
        length: recipe.length,
        primerKind: primer.kind,
        primerTokens: primerResult.tokens,
        primerLabel: primerResult.label,
        primerKeyShift: primerResult.keyShift,
        key,
        tokens: [],
        notes: [],
        editTokenHash,
      },
      select: { id: true, ...recipeColumnsSelect },
    });
    start(piece.id, jobOf(model.path, model.bundleHash, piece), title);
    return { id: piece.id };
  }

  async function resolvePrimer(modelDir: string, seed: number, primer: PrimerInput) {
    try {
      if (primer.kind === "none") return { tokens: [], label: null, keyShift: 0 };
      if (primer.kind === "upload") {
        if (primer.bytes.length > MAX_UPLOAD_BYTES) throw new InputError(`the MIDI file is ${primer.bytes.length.toLocaleString("en-US")} bytes; an uploaded primer may have at most ${MAX_UPLOAD_BYTES.toLocaleString("en-US")} bytes (1 MB)`);
        return await engine.primerFromMidi({ modelDir, bytes: primer.bytes, fileName: primer.fileName, maxTokens: GALLERY_RECIPE.primerLength, maxNotes: MAX_PRIMER_NOTES });
      }
      return await engine.primerFromCorpus({ modelDir, corpusDirs, seed, maxTokens: GALLERY_RECIPE.primerLength });
    } catch (error) {
      // By name: the pool may come from another bundle layer's copy of the class (see errors.ts).
      if (error instanceof Error && error.name === "PrimerError") throw new InputError(error.message);
      throw error;
    }
  }

  /**
   * Share to gallery: a piece made on a listener's device (no primer) is stored only if replaying
   * its recipe here gives exactly its tokens, so the gallery never holds a piece it cannot
   * reproduce. Differing tokens (or another bundle) are an InputError naming where they differ.
   */
  async function share(recipe: SharedRecipe, primer: SharedPrimer, tokens: readonly string[], editTokenHash: string) {
    // The replay is a generation in the same queue.
    const release = admit();
    try {
      return await shareAdmitted(recipe, primer, tokens, editTokenHash);
    } finally {
      release();
    }
  }

  async function shareAdmitted(recipe: SharedRecipe, sent: SharedPrimer, tokens: readonly string[], editTokenHash: string) {
    const model = await registry.requireUsable(recipe.modelId);
    if (recipe.bundleHash !== model.bundleHash) {
      throw new InputError(`model ${model.name}/${model.version} is bundle ${model.bundleHash.slice(0, 12)} here, not ${recipe.bundleHash.slice(0, 12)}: the piece cannot be checked`);
    }
    if (recipe.topK !== null && recipe.topK > model.vocabSize) {
      throw new InputError(`topK ${recipe.topK} is larger than the model's vocabulary (${model.vocabSize} tokens)`);
    }
    const primer = await sharedPrimer(model.path, recipe.seed, sent);
    const key = recipe.key ?? defaultKey(sent.kind);
    const streamOffset = recipe.offset ?? null;
    const result = await replay(jobOf(model.path, model.bundleHash, { ...recipe, primerTokens: primer.tokens, primerLabel: primer.label, primerKeyShift: primer.keyShift, key, streamOffset }));
    const differsAt = firstDifference(result.tokens, tokens);
    if (differsAt !== null) {
      const at = differsAt < Math.min(result.tokens.length, tokens.length) ? `token ${differsAt} ("${tokens[differsAt]}" sent, "${result.tokens[differsAt]}" replayed)` : `length (${tokens.length} tokens sent, ${result.tokens.length} replayed)`;
      throw new InputError(`the tokens differ from this recipe's replay on the server at ${at}: the piece was not stored`);
    }
    const piece = await db.piece.create({
      data: {
        title: finishedTitle(recipe.seed, result.notes),
        modelId: model.id,
        bundleHash: model.bundleHash,
        seed: recipe.seed,
        temperature: recipe.temperature,
        topK: recipe.topK,
        topP: recipe.topP,
        length: recipe.length,
        primerKind: sent.kind,
        primerTokens: primer.tokens,
        primerLabel: primer.label,
        primerKeyShift: primer.keyShift,
        key,
        streamOffset,
        editTokenHash,
        ...finishedColumns(result),
      },
      select: { id: true },
    });
    return { id: piece.id, tokenCount: result.tokens.length };
  }

  /**
   * The primer a shared piece is replayed and stored with. A corpus snippet is chosen by the seed,
   * so it is chosen again here and must be the one sent (nobody passes other notes off as the
   * corpus); an uploaded file never left the device, so its tokens are the listener's, as a
   * server-side upload's are, and the replay checks them against the vocabulary and grammar.
   */
  async function sharedPrimer(modelDir: string, seed: number, sent: SharedPrimer): Promise<{ tokens: string[]; label: string | null; keyShift: number }> {
    if (sent.kind === "none") return { tokens: [], label: null, keyShift: 0 };
    if (sent.kind === "upload") return { tokens: sent.tokens, label: sent.description, keyShift: sent.keyShift };
    const derived = await resolvePrimer(modelDir, seed, { kind: "corpus" });
    if (derived.label !== sent.description || derived.keyShift !== sent.keyShift || firstDifference(derived.tokens, sent.tokens) !== null) {
      throw new InputError(`the primer is not seed ${seed}'s corpus snippet on the server (${derived.label ?? "none"}): the piece was not stored`);
    }
    return derived;
  }

  /** A share's replay; primer tokens the model cannot take are the listener's to fix (400). */
  async function replay(job: GenerateJob): Promise<GenerateResult> {
    try {
      return await engine.generate(job, () => undefined);
    } catch (error) {
      if (error instanceof Error && error.name === "PrimerError") throw new InputError(`${error.message}: the piece was not stored`);
      throw error;
    }
  }

  /** A device's corpus primer: the server holds the corpus, so it resolves the snippet; the device composes from its tokens. */
  async function corpusPrimer(modelId: string, seed: number) {
    const model = await registry.requireUsable(modelId);
    const primer = await resolvePrimer(model.path, seed, { kind: "corpus" });
    return { bundleHash: model.bundleHash, tokens: primer.tokens, description: primer.label ?? "", keyShift: primer.keyShift };
  }

  /** Same recipe; `sameSeed` replays it exactly ("regenerate"), otherwise a new seed ("variation"). */
  async function derive(id: string, mode: "variation" | "regenerate", newSeed: number, editTokenHash: string) {
    const release = admit();
    try {
      return await deriveAdmitted(id, mode, newSeed, editTokenHash);
    } finally {
      release();
    }
  }

  /** The new piece is its deriver's: a listener who asks for a variation may rename it. */
  async function deriveAdmitted(id: string, mode: "variation" | "regenerate", newSeed: number, editTokenHash: string) {
    const source = await db.piece.findUnique({
      where: { id },
      select: { id: true, modelId: true, bundleHash: true, primerKind: true, ...recipeColumnsSelect, model: { select: { path: true, bundleHash: true, usable: true, present: true, name: true, version: true } } },
    });
    if (!source) throw new NotFoundError(`no piece with id ${id}`);
    if (!source.model.usable || !source.model.present) throw new InputError(`model ${source.model.name}/${source.model.version} is no longer usable`);
    if (source.model.bundleHash !== source.bundleHash) {
      throw new InputError(`model ${source.model.name}/${source.model.version} changed since this piece was made (bundle ${source.bundleHash.slice(0, 12)} → ${source.model.bundleHash.slice(0, 12)})`);
    }
    const seed = mode === "regenerate" ? source.seed : newSeed;
    const title = initialTitle(seed);
    const primerTokens = source.primerTokens as unknown as string[];
    const piece = await db.piece.create({
      data: {
        title,
        modelId: source.modelId,
        bundleHash: source.bundleHash,
        seed,
        temperature: source.temperature,
        topK: source.topK,
        topP: source.topP,
        length: source.length,
        primerKind: source.primerKind,
        primerTokens,
        primerLabel: source.primerLabel,
        primerKeyShift: source.primerKeyShift,
        key: source.key,
        streamOffset: source.streamOffset,
        tokens: [],
        notes: [],
        regeneratedFromId: mode === "regenerate" ? source.id : null,
        editTokenHash,
      },
      select: { id: true, ...recipeColumnsSelect },
    });
    start(piece.id, jobOf(source.model.path, source.bundleHash, piece), title);
    return { id: piece.id };
  }

  /** Runs the job in the engine; progress is broadcast at once and written at most once a second. */
  function start(pieceId: string, job: GenerateJob, title: string): void {
    let notes: RollNote[] = [];
    let tokenCount = 0;
    let lastWrite = 0;
    let writes = Promise.resolve();
    const write = (data: Parameters<Database["piece"]["update"]>[0]["data"]) => {
      writes = writes.then(() => db.piece.update({ where: { id: pieceId }, data, select: { id: true } })).then(
        () => undefined,
        (error: unknown) => console.error(`piece ${pieceId}: could not store progress`, error),
      );
      return writes;
    };
    const onQueue = (ahead: number | null) => {
      if (ahead === null) waiting.delete(pieceId);
      else waiting.set(pieceId, ahead);
      events.emit(pieceId, { type: "queued", ahead });
    };
    const run = engine
      .generate(job, (progress) => {
        notes = applyNotesUpdate(notes, progress.from, progress.notes);
        tokenCount = progress.tokenCount;
        live.set(pieceId, { notes, tokenCount });
        events.emit(pieceId, { type: "notes", tokenCount, from: progress.from, notes: progress.notes });
        if (Date.now() - lastWrite >= PROGRESS_WRITE_INTERVAL_MS) {
          lastWrite = Date.now();
          void write({ notes, noteCount: notes.length, tokenCount });
        }
      }, onQueue)
      .then(
        async (result) => {
          await write(finishedColumns(result));
          if (result.reportError) console.error(`piece ${pieceId}: no music report: ${result.reportError}`);
          await db.piece.updateMany({ where: { id: pieceId, title }, data: { title: finishedTitle(job.seed, result.notes) } });
          live.delete(pieceId);
          events.emit(pieceId, { type: "done", durationSeconds: result.durationSeconds, noteCount: result.notes.length });
        },
        async (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          await write({ status: "failed", error: message, notes, noteCount: notes.length, tokenCount, finishedAt: new Date() });
          live.delete(pieceId);
          events.emit(pieceId, { type: "failed", error: message });
        },
      )
      .finally(() => {
        running.delete(pieceId);
        waiting.delete(pieceId);
      });
    running.set(pieceId, run);
  }

  /** Pieces left "generating" by a stopped server are replayed from their recipe (it is deterministic). */
  async function resumeInterrupted(): Promise<number> {
    const stuck = await db.piece.findMany({
      where: { status: "generating" },
      select: { id: true, title: true, bundleHash: true, ...recipeColumnsSelect, model: { select: { path: true, usable: true, bundleHash: true } } },
    });
    let resumed = 0;
    for (const piece of stuck) {
      if (running.has(piece.id)) continue;
      if (!piece.model.usable || piece.model.bundleHash !== piece.bundleHash) {
        await db.piece.update({ where: { id: piece.id }, data: { status: "failed", error: "the server stopped during generation and the model is no longer available", finishedAt: new Date() }, select: { id: true } });
        continue;
      }
      start(piece.id, jobOf(piece.model.path, piece.bundleHash, piece), piece.title);
      resumed += 1;
    }
    return resumed;
  }

  /** Only with the creator's token (its hash); pieces from before edit rights have none, so nobody renames them. */
  async function rename(id: string, title: string, editTokenHash: string | null) {
    if (editTokenHash !== null) {
      const result = await db.piece.updateMany({ where: { id, editTokenHash }, data: { title } });
      if (result.count === 1) return { id, title };
    }
    const exists = await db.piece.findUnique({ where: { id }, select: { id: true } });
    if (!exists) throw new NotFoundError(`no piece with id ${id}`);
    throw new ForbiddenError("only the piece's creator can rename it (from the browser that made it)");
  }

  async function countPlay(id: string) {
    const result = await db.piece.updateMany({ where: { id }, data: { playCount: { increment: 1 } } });
    if (result.count === 0) throw new NotFoundError(`no piece with id ${id}`);
  }

  /** Snapshot first, then live events until the piece is done or failed (or the listener leaves). */
  async function* stream(id: string, signal?: AbortSignal): AsyncGenerator<StreamEvent> {
    const queue: PieceEvent[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = events.subscribe(id, (event) => {
      queue.push(event);
      wake?.();
    });
    // Read synchronously with subscribing: every later event applies on top of exactly this state.
    const current = live.get(id);
    const ahead = waiting.get(id) ?? null;
    try {
      if (current) {
        yield { type: "snapshot", status: "generating", tokenCount: current.tokenCount, notes: current.notes, durationSeconds: 0, error: null, ahead: null };
      }
      const piece = current ? null : await db.piece.findUnique({ where: { id }, select: { status: true, tokenCount: true, notes: true, durationSeconds: true, error: true } });
      if (!current && !piece) throw new NotFoundError(`no piece with id ${id}`);
      if (piece) {
        yield { type: "snapshot", status: piece.status, tokenCount: piece.tokenCount, notes: piece.notes as unknown as RollNote[], durationSeconds: piece.durationSeconds, error: piece.error, ahead };
        if (piece.status !== "generating") return;
      }
      while (!signal?.aborted) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            signal?.addEventListener("abort", () => resolve(), { once: true });
          });
          wake = null;
        }
        while (queue.length > 0) {
          const event = queue.shift()!;
          yield event;
          if (event.type === "done" || event.type === "failed") return;
        }
      }
    } finally {
      unsubscribe();
    }
  }

  /** Resolves when every generation started so far has been stored (tests, shutdown). */
  async function idle(): Promise<void> {
    while (running.size > 0) await Promise.allSettled([...running.values()]);
  }

  return { list, get, midi, create, share, corpusPrimer, derive, rename, countPlay, stream, resumeInterrupted, idle };
}

export type PieceService = ReturnType<typeof createPieceService>;

/** Index of the first token that differs (a length difference counts at the shorter end); null when equal. */
function firstDifference(a: readonly string[], b: readonly string[]): number | null {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? null : shared;
}
