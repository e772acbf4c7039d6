import "server-only";
import { z } from "zod";
import { keyChoiceText, parseKeyChoice } from "@/lib/key-choice";
import { COPY_FILTERS } from "@/lib/music-report";
import { GALLERY_RECIPE, MAX_STREAM_OFFSET, MAX_UPLOAD_BYTES } from "@/lib/gallery-recipe";

export const idSchema = z.string().trim().min(1, "an id is required").max(64, "that id is too long");

/** pieces.stream: the piece, and the last event id a reconnecting client had (tRPC adds it to the input). */
export const streamInputSchema = z.object({ id: idSchema, lastEventId: z.string().max(32).nullish() });

/** base64 of at most 1 MB of bytes. */
const MAX_BASE64_CHARS = Math.ceil(MAX_UPLOAD_BYTES / 3) * 4;

const primerSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("none") }),
  z.object({ kind: z.literal("corpus") }),
  z.object({
    kind: z.literal("upload"),
    fileName: z.string().trim().min(1).max(200),
    base64: z
      .string()
      .min(1, "the uploaded file is empty")
      .max(
        MAX_BASE64_CHARS,
        `the MIDI file is larger than 1 MB; an uploaded primer may have at most ${MAX_UPLOAD_BYTES.toLocaleString("en-US")} bytes`,
      )
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, "the upload is not valid base64"),
  }),
]);

/** "as-trained", "primer" or a key name, stored in keyChoiceText's canonical spelling ("d min" → "D minor"). */
export const keySchema = z
  .string()
  .max(40, "key is longer than 40 characters")
  .transform((text, context) => {
    const choice = parseKeyChoice(text);
    if (choice === null) {
      context.addIssue({
        code: "custom",
        message: `key must be "as-trained", "primer" or a key such as "D minor" (got "${text}")`,
      });
      return z.NEVER;
    }
    return keyChoiceText(choice);
  });

export const recipeSchema = z.object({
  modelId: idSchema,
  length: z
    .number()
    .int("length must be a whole number")
    .min(16, "length must be at least 16 tokens")
    .max(2000, "length must be at most 2000 tokens"),
  temperature: z
    .number()
    .min(0.05, "temperature must be at least 0.05")
    .max(2.5, "temperature must be at most 2.5"),
  topK: z
    .number()
    .int("top-k must be a whole number")
    .min(1, "top-k must be at least 1")
    .max(10_000)
    .nullable(),
  topP: z.number().gt(0, "top-p must be above 0").max(1, "top-p must be at most 1").nullable(),
  seed: z
    .number()
    .int("seed must be a whole number")
    .min(0, "seed must be ≥ 0")
    .max(2 ** 31 - 1, "seed must be below 2^31"),
  /** Absent: the service picks "primer" with a primer, else "as-trained", and stores that. */
  key: keySchema.optional(),
});

export const createPieceSchema = recipeSchema.extend({ primer: primerSchema });

/** A device's corpus primer: the snippet the seed chooses from the model's training corpus (which lives here). */
export const corpusPrimerSchema = z.object({
  modelId: idSchema,
  seed: recipeSchema.shape.seed,
  kind: z.literal("corpus", {
    error: "only a corpus primer is resolved here (an uploaded file is read on the device)",
  }),
});

const tokenSchema = z
  .string()
  .min(1, "a token cannot be empty")
  .max(64, "a token is longer than 64 characters");
const MAX_SHARED_TOKENS = 2000 + GALLERY_RECIPE.primerLength;

/** A primer as the device resolved it: at most the gallery's primer length, a bounded description, a key shift within an octave. */
const resolvedPrimerShape = {
  tokens: z
    .array(tokenSchema)
    .min(1, "the primer has no tokens")
    .max(GALLERY_RECIPE.primerLength, `a primer has at most ${GALLERY_RECIPE.primerLength} tokens`),
  description: z.string().min(1).max(300, "the primer's description is longer than 300 characters"),
  keyShift: z.number().int().min(-11).max(11),
};

const sharedPrimerSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("none") }),
  z.object({ kind: z.literal("corpus"), ...resolvedPrimerShape }),
  // The Composer's description of a file: an upload cannot be described as a corpus snippet.
  z.object({
    kind: z.literal("upload"),
    ...resolvedPrimerShape,
    description: resolvedPrimerShape.description.regex(
      /^file:/,
      'an uploaded primer\'s description starts with "file:"',
    ),
  }),
]);

/** Share to gallery: a device-made piece's recipe, its primer and its tokens (primer + sampled), checked by replaying it. */
export const sharePieceSchema = recipeSchema.extend({
  bundleHash: z.string().regex(/^[0-9a-f]{64}$/, "bundleHash must be the bundle's sha256 content hash"),
  primer: sharedPrimerSchema,
  tokens: z
    .array(tokenSchema)
    .min(1, "the piece has no tokens")
    .max(MAX_SHARED_TOKENS, `a piece has at most ${MAX_SHARED_TOKENS} tokens (2000 and a primer)`),
  /** A piece kept from the radio: the token of the seed's stream its cut starts at. */
  offset: z
    .number()
    .int("offset must be a whole number")
    .min(0, "offset must be ≥ 0")
    .max(
      MAX_STREAM_OFFSET,
      `offset must be at most ${MAX_STREAM_OFFSET.toLocaleString("en-US")}: the server checks a radio piece by composing the stream from its start`,
    )
    .optional(),
});

export const listPiecesSchema = z.object({
  limit: z.number().int().min(1).max(60).default(12),
  cursor: idSchema.nullish(),
  modelId: idSchema.nullish(),
  /** "heavy": only pieces copying more than the human baseline's maximum; "hide-heavy": the others. */
  copies: z.enum(COPY_FILTERS, { error: 'copies must be "all", "heavy" or "hide-heavy"' }).default("all"),
});

export const titleSchema = z.object({
  id: idSchema,
  title: z
    .string()
    .trim()
    .min(1, "the title cannot be empty")
    .max(120, "the title is longer than 120 characters"),
});

export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
