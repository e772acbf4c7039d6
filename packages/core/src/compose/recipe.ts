// The recipe: everything that decides a piece, as a typed object and as canonical text lines
// (printed by the CLI and stored in the MIDI file as text meta events). The same recipe on the
// same bundle gives the same tokens and the same bytes.
import type { BundleManifest } from "../bundle/manifest.js";
import { keyChoiceText, parseKeyChoice, type KeyChoice } from "../evaluation/key.js";
import { ComposeError } from "./errors.js";
import type { PrimerSource } from "./primer.js";

/** The first line of every recipe; bumped when the same recipe would give other tokens or bytes. */
export const RECIPE_FORMAT_LINE = "motif-recipe 1";

export interface Recipe {
  /** PRNG seed, 0..2^32-1: the sampler's stream, and (derived from it) the corpus primer's choice. */
  seed: number;
  /** Tokens to generate after the primer. */
  length: number;
  /** Sampling temperature (0 = argmax). */
  temperature: number;
  /** Sample among the K most likely tokens; null = no limit. */
  topK: number | null;
  /** Nucleus sampling threshold in (0, 1]; null = off. */
  topP: number | null;
  primer: PrimerSource;
  /** Tokens cut from a corpus song or a MIDI file (a `tokens` primer is taken whole). */
  primerLength: number;
  /** Keep the primer's notes at the start of the piece (else only the continuation, from 0). */
  keepPrimer: boolean;
  /** Mask the token that would repeat a short pattern a 9th time in a row. */
  repetitionGuard: boolean;
  /** notes-chords decoding: the seed's fixed rhythm or Motif's. */
  style: "seed" | "motif";
  /** Tempo of the piece: its seconds per quarter and the MIDI file's tempo. */
  bpm: number;
  /** A `KeyChoice`, or its text ("as-trained", "primer", "D minor"); absent = "primer" with a primer, else "as-trained". */
  key?: KeyChoice | string;
  /**
   * A cut from the recipe's open-ended stream (`Composer.stream`, the radio): the piece is the
   * stream's tokens from this index on, `length` of them; the skipped tokens' notes are not in it
   * and it starts at 0. Absent = a piece on its own, whose last token is drawn as a last token
   * (no dead-end check), so it may differ from the stream's there.
   */
  offset?: number;
}

/** Every field but the seed, as the CLI's `generate` defaults them. */
export const RECIPE_DEFAULTS: Readonly<Omit<Recipe, "seed" | "key">> = Object.freeze({
  length: 500,
  temperature: 1,
  topK: null,
  topP: 0.95,
  primer: Object.freeze({ kind: "none" }),
  primerLength: 32,
  keepPrimer: false,
  repetitionGuard: true,
  style: "motif",
  bpm: 120,
});

/**
 * A recipe from a seed and the fields that differ from the defaults.
 * @example createRecipe({ seed: 7, length: 200, key: "D minor" })
 */
export function createRecipe(fields: Partial<Recipe> & { seed: number }): Recipe {
  return { ...RECIPE_DEFAULTS, ...fields };
}

const isInteger = (value: number, min: number, max: number): boolean =>
  Number.isInteger(value) && value >= min && value <= max;

/** The first field out of range, as a message; null for a valid recipe. */
function recipeProblem(recipe: Recipe): string | null {
  if (!isInteger(recipe.seed, 0, 2 ** 32 - 1))
    return `seed must be an integer 0..4294967295, got ${recipe.seed}`;
  if (!isInteger(recipe.length, 0, Number.MAX_SAFE_INTEGER))
    return `length must be a non-negative integer, got ${recipe.length}`;
  if (!Number.isFinite(recipe.temperature) || recipe.temperature < 0)
    return `temperature must be a number ≥ 0, got ${recipe.temperature}`;
  if (recipe.topK !== null && !isInteger(recipe.topK, 1, Number.MAX_SAFE_INTEGER))
    return `topK must be a positive integer or null, got ${recipe.topK}`;
  if (recipe.topP !== null && !(recipe.topP > 0 && recipe.topP <= 1))
    return `topP must be in (0, 1] or null, got ${recipe.topP}`;
  if (!isInteger(recipe.primerLength, 1, Number.MAX_SAFE_INTEGER))
    return `primerLength must be a positive integer, got ${recipe.primerLength}`;
  if (recipe.style !== "seed" && recipe.style !== "motif")
    return `style must be "seed" or "motif", got ${JSON.stringify(recipe.style)}`;
  if (!Number.isFinite(recipe.bpm) || recipe.bpm <= 0)
    return `bpm must be a positive number, got ${recipe.bpm}`;
  if (recipe.offset !== undefined && !isInteger(recipe.offset, 0, Number.MAX_SAFE_INTEGER))
    return `offset must be a non-negative integer, got ${recipe.offset}`;
  return null;
}

/** Throws `ComposeError` ("invalid-recipe") naming the first field out of range. */
export function checkRecipe(recipe: Recipe): void {
  const problem = recipeProblem(recipe);
  if (problem !== null) throw new ComposeError("invalid-recipe", `recipe: ${problem}`);
}

/**
 * The key choice in force: the recipe's, else the primer's key with a primer, else the model's own.
 * Throws `ComposeError` ("unknown-key") for text that names no key.
 */
export function recipeKeyChoice(recipe: Recipe): KeyChoice {
  if (recipe.key === undefined)
    return recipe.primer.kind === "none" ? { kind: "as-trained" } : { kind: "primer" };
  if (typeof recipe.key !== "string") return recipe.key;
  const choice = parseKeyChoice(recipe.key);
  if (choice === null)
    throw new ComposeError(
      "unknown-key",
      `unknown key "${recipe.key}": expected as-trained, primer or a key such as "D minor" or "Bb major"`,
    );
  return choice;
}

/** The MIDI file's title (its track name). */
export function pieceTitle(manifest: Pick<BundleManifest, "name" | "version">, seed: number): string {
  return `Motif: ${manifest.name} ${manifest.version}, seed ${seed}`;
}

/**
 * The recipe's canonical text, one `key value` per line: the bundle it needs, every sampling
 * parameter, how the primer was chosen (`primerDescription`) and the key choice in force.
 */
export function recipeLines(
  manifest: Pick<BundleManifest, "name" | "version" | "contentHash" | "tokenizer">,
  recipe: Recipe,
  primerDescription: string,
): string[] {
  return [
    RECIPE_FORMAT_LINE,
    `model ${manifest.name} ${manifest.version}`,
    `bundle ${manifest.contentHash}`,
    `tokenizer ${manifest.tokenizer.kind} v${manifest.tokenizer.version}`,
    `seed ${recipe.seed}`,
    `length ${recipe.length}`,
    // Only cuts from a stream carry it, so every other recipe keeps its lines and bytes.
    ...(recipe.offset === undefined ? [] : [`offset ${recipe.offset}`]),
    `temperature ${recipe.temperature}`,
    `top-k ${recipe.topK ?? "none"}`,
    `top-p ${recipe.topP ?? "none"}`,
    `primer ${primerDescription}`,
    `keep-primer ${recipe.keepPrimer ? "yes" : "no"}`,
    `guard ${recipe.repetitionGuard ? "on" : "off"}`,
    `style ${recipe.style}`,
    `bpm ${recipe.bpm}`,
    `key ${keyChoiceText(recipeKeyChoice(recipe))}`,
  ];
}
