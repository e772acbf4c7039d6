import "server-only";
import { GALLERY_RECIPE, MAX_PRIMER_NOTES, MAX_UPLOAD_BYTES } from "@/lib/gallery-recipe";
import { finishedTitle, initialTitle } from "@/lib/piece-title";
import type { Database } from "../db";
import { InputError, NotFoundError } from "../errors";
import type { GenerateJob, GenerateResult, GenerationEngine } from "../generation/engine";
import type { ModelRegistry } from "./model-registry";
import { finishedColumns, jobOf, recipeColumnsSelect } from "./piece-columns";
import type { PieceRuns } from "./piece-runs";

interface Recipe {
  modelId: string;
  length: number;
  temperature: number;
  topK: number | null;
  topP: number | null;
  seed: number;
  /** keyChoiceText form ("as-trained", "primer", "D minor"); absent = the default for the primer. */
  key?: string | undefined;
}

type PrimerInput =
  { kind: "none" } | { kind: "corpus" } | { kind: "upload"; fileName: string; bytes: Uint8Array };

/** A shared device piece's recipe: the bundle it was made with and, for a piece kept from the radio, where its cut of the stream starts. */
type SharedRecipe = Recipe & { bundleHash: string; offset?: number | undefined };

/** A shared device piece's primer as the device resolved it (a corpus one is resolved again here and must agree). */
type SharedPrimer =
  { kind: "none" } | { kind: "corpus" | "upload"; tokens: string[]; description: string; keyShift: number };

/** A new piece's recipe columns: its model's bundle, the listener's choices, the resolved primer and key, and a radio cut's offset. */
function recipeRow(
  model: { id: string; bundleHash: string },
  recipe: Recipe,
  primer: { kind: string; tokens: string[]; label: string | null; keyShift: number },
  key: string,
  streamOffset: number | null,
) {
  return {
    modelId: model.id,
    bundleHash: model.bundleHash,
    seed: recipe.seed,
    temperature: recipe.temperature,
    topK: recipe.topK,
    topP: recipe.topP,
    length: recipe.length,
    primerKind: primer.kind,
    primerTokens: primer.tokens,
    primerLabel: primer.label,
    primerKeyShift: primer.keyShift,
    key,
    streamOffset,
  };
}

/** A listener who starts from a primer most likely wants its key; without one, the model's own. */
function defaultKey(primerKind: PrimerInput["kind"]): string {
  return primerKind === "none" ? "as-trained" : "primer";
}

/**
 * Recipes into stored pieces: checks a recipe against its model, resolves its primer, stores the
 * piece and hands its run to `runs`; a shared device piece is replayed here and stored finished.
 */
export function createPieceRecipes(deps: {
  db: Database;
  engine: GenerationEngine;
  registry: ModelRegistry;
  runs: PieceRuns;
  corpusDirs: string[];
}) {
  const { db, engine, registry, runs, corpusDirs } = deps;

  /** `editTokenHash`: the creator's, stored so only its browser can rename the piece. */
  async function create(recipe: Recipe, primer: PrimerInput, editTokenHash: string) {
    const release = await runs.admit();
    try {
      return await createAdmitted(recipe, primer, editTokenHash);
    } finally {
      release();
    }
  }

  async function createAdmitted(recipe: Recipe, primer: PrimerInput, editTokenHash: string) {
    const model = await registry.requireUsable(recipe.modelId);
    if (recipe.topK !== null && recipe.topK > model.vocabSize) {
      throw new InputError(
        `topK ${recipe.topK} is larger than the model's vocabulary (${model.vocabSize} tokens)`,
      );
    }
    const primerResult = await resolvePrimer(model.path, recipe.seed, primer);
    // Stored explicitly, so the recipe still says what it meant if the default ever changes.
    const key = recipe.key ?? defaultKey(primer.kind);
    const title = initialTitle(recipe.seed);
    const piece = await db.piece.create({
      data: {
        title,
        ...recipeRow(model, recipe, { kind: primer.kind, ...primerResult }, key, null),
        tokens: [],
        notes: [],
        editTokenHash,
      },
      select: { id: true, ...recipeColumnsSelect },
    });
    await runs.start({ pieceId: piece.id, job: jobOf(model.path, model.bundleHash, piece), title });
    return { id: piece.id };
  }

  async function resolvePrimer(modelDir: string, seed: number, primer: PrimerInput) {
    try {
      if (primer.kind === "none") return { tokens: [], label: null, keyShift: 0 };
      if (primer.kind === "upload") {
        if (primer.bytes.length > MAX_UPLOAD_BYTES)
          throw new InputError(
            `the MIDI file is ${primer.bytes.length.toLocaleString("en-US")} bytes; an uploaded primer may have at most ${MAX_UPLOAD_BYTES.toLocaleString("en-US")} bytes (1 MB)`,
          );
        return await engine.primerFromMidi({
          modelDir,
          bytes: primer.bytes,
          fileName: primer.fileName,
          maxTokens: GALLERY_RECIPE.primerLength,
          maxNotes: MAX_PRIMER_NOTES,
        });
      }
      return await engine.primerFromCorpus({
        modelDir,
        corpusDirs,
        seed,
        maxTokens: GALLERY_RECIPE.primerLength,
      });
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
  async function share(
    recipe: SharedRecipe,
    primer: SharedPrimer,
    tokens: readonly string[],
    editTokenHash: string,
  ) {
    // The replay is a generation in the same queue.
    const release = await runs.admit();
    try {
      return await shareAdmitted(recipe, primer, tokens, editTokenHash);
    } finally {
      release();
    }
  }

  async function shareAdmitted(
    recipe: SharedRecipe,
    sent: SharedPrimer,
    tokens: readonly string[],
    editTokenHash: string,
  ) {
    const model = await registry.requireUsable(recipe.modelId);
    if (recipe.bundleHash !== model.bundleHash) {
      throw new InputError(
        `model ${model.name}/${model.version} is bundle ${model.bundleHash.slice(0, 12)} here, not ${recipe.bundleHash.slice(0, 12)}: the piece cannot be checked`,
      );
    }
    if (recipe.topK !== null && recipe.topK > model.vocabSize) {
      throw new InputError(
        `topK ${recipe.topK} is larger than the model's vocabulary (${model.vocabSize} tokens)`,
      );
    }
    const primer = await sharedPrimer(model.path, recipe.seed, sent);
    const key = recipe.key ?? defaultKey(sent.kind);
    const streamOffset = recipe.offset ?? null;
    const result = await replay(
      jobOf(model.path, model.bundleHash, {
        ...recipe,
        primerTokens: primer.tokens,
        primerLabel: primer.label,
        primerKeyShift: primer.keyShift,
        key,
        streamOffset,
      }),
    );
    const differsAt = firstDifference(result.tokens, tokens);
    if (differsAt !== null) {
      const at =
        differsAt < Math.min(result.tokens.length, tokens.length)
          ? `token ${differsAt} ("${tokens[differsAt]}" sent, "${result.tokens[differsAt]}" replayed)`
          : `length (${tokens.length} tokens sent, ${result.tokens.length} replayed)`;
      throw new InputError(
        `the tokens differ from this recipe's replay on the server at ${at}: the piece was not stored`,
      );
    }
    const piece = await db.piece.create({
      data: {
        title: finishedTitle(recipe.seed, result.notes),
        ...recipeRow(model, recipe, { kind: sent.kind, ...primer }, key, streamOffset),
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
  async function sharedPrimer(
    modelDir: string,
    seed: number,
    sent: SharedPrimer,
  ): Promise<{ tokens: string[]; label: string | null; keyShift: number }> {
    if (sent.kind === "none") return { tokens: [], label: null, keyShift: 0 };
    if (sent.kind === "upload")
      return { tokens: sent.tokens, label: sent.description, keyShift: sent.keyShift };
    const derived = await resolvePrimer(modelDir, seed, { kind: "corpus" });
    if (
      derived.label !== sent.description ||
      derived.keyShift !== sent.keyShift ||
      firstDifference(derived.tokens, sent.tokens) !== null
    ) {
      throw new InputError(
        `the primer is not seed ${seed}'s corpus snippet on the server (${derived.label ?? "none"}): the piece was not stored`,
      );
    }
    return derived;
  }

  /** A share's replay; primer tokens the model cannot take are the listener's to fix (400). */
  async function replay(job: GenerateJob): Promise<GenerateResult> {
    try {
      return await engine.generate(job, () => undefined);
    } catch (error) {
      if (error instanceof Error && error.name === "PrimerError")
        throw new InputError(`${error.message}: the piece was not stored`);
      throw error;
    }
  }

  /** A device's corpus primer: the server holds the corpus, so it resolves the snippet; the device composes from its tokens. */
  async function corpusPrimer(modelId: string, seed: number) {
    const model = await registry.requireUsable(modelId);
    const primer = await resolvePrimer(model.path, seed, { kind: "corpus" });
    return {
      bundleHash: model.bundleHash,
      tokens: primer.tokens,
      description: primer.label ?? "",
      keyShift: primer.keyShift,
    };
  }

  /** Same recipe; `sameSeed` replays it exactly ("regenerate"), otherwise a new seed ("variation"). */
  async function derive(
    id: string,
    mode: "variation" | "regenerate",
    newSeed: number,
    editTokenHash: string,
  ) {
    const release = await runs.admit();
    try {
      return await deriveAdmitted(id, mode, newSeed, editTokenHash);
    } finally {
      release();
    }
  }

  /** The new piece is its deriver's: a listener who asks for a variation may rename it. */
  async function deriveAdmitted(
    id: string,
    mode: "variation" | "regenerate",
    newSeed: number,
    editTokenHash: string,
  ) {
    const source = await db.piece.findUnique({
      where: { id },
      select: {
        id: true,
        modelId: true,
        bundleHash: true,
        primerKind: true,
        ...recipeColumnsSelect,
        model: {
          select: { path: true, bundleHash: true, usable: true, present: true, name: true, version: true },
        },
      },
    });
    if (!source) throw new NotFoundError(`no piece with id ${id}`);
    if (!source.model.usable || !source.model.present)
      throw new InputError(`model ${source.model.name}/${source.model.version} is no longer usable`);
    if (source.model.bundleHash !== source.bundleHash) {
      throw new InputError(
        `model ${source.model.name}/${source.model.version} changed since this piece was made (bundle ${source.bundleHash.slice(0, 12)} → ${source.model.bundleHash.slice(0, 12)})`,
      );
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
    await runs.start({ pieceId: piece.id, job: jobOf(source.model.path, source.bundleHash, piece), title });
    return { id: piece.id };
  }

  return { create, share, corpusPrimer, derive };
}

/** Index of the first token that differs (a length difference counts at the shorter end); null when equal. */
function firstDifference(a: readonly string[], b: readonly string[]): number | null {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? null : shared;
}
