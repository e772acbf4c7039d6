import "server-only";
import type { ZodType } from "zod";
import {
  OFF_WORDS,
  PRIMER_KINDS,
  WHERE_CHOICES,
  type FormValues,
  type PrimerKind,
  type Where,
} from "@/lib/recipe-url";
import { keySchema, recipeSchema } from "./routers/schemas";

type Query = Record<string, string | string[] | undefined>;

/** The form values a recipe URL sets, and one note for every value it ignored (and why). */
interface RecipeQuery {
  values: Partial<FormValues>;
  notes: string[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads /generate's query with the create procedure's own schemas, so a value the form takes is a
 * value the server accepts. Bad values are left out with a note; unknown parameters are ignored.
 */
export function readRecipeQuery(query: Query, models: readonly { id: string; label: string }[]): RecipeQuery {
  const values: Partial<FormValues> = {};
  const notes: string[] = [];
  const text = (name: string): string | undefined => {
    const raw = query[name];
    return Array.isArray(raw) ? raw[0] : raw;
  };
  const ignore = (name: string, raw: string, why: string) => notes.push(`${name} "${raw}" ignored: ${why}`);

  const model = text("model");
  if (model !== undefined) {
    // An id, or "name/version" (the same on every server).
    const found = models.find((m) => m.id === model || m.label === model);
    if (found) values.modelId = found.id;
    else ignore("model", model, "no usable model has that id or name/version");
  }
  const number = (
    name: "seed" | "length" | "temperature" | "topK" | "topP",
    schema: ZodType,
    offable: boolean,
  ) => {
    const raw = text(name);
    if (raw === undefined) return;
    const trimmed = raw.trim();
    if (offable && (OFF_WORDS as readonly string[]).includes(trimmed.toLowerCase())) {
      values[name] = "";
      return;
    }
    if (!NUMBER.test(trimmed)) return ignore(name, raw, offable ? `not a number (or "off")` : "not a number");
    const parsed = schema.safeParse(Number(trimmed));
    if (parsed.success) values[name] = String(Number(trimmed));
    else ignore(name, raw, parsed.error.issues[0]?.message ?? "out of range");
  };
  number("seed", recipeSchema.shape.seed, false);
  number("length", recipeSchema.shape.length, false);
  number("temperature", recipeSchema.shape.temperature, false);
  number("topK", recipeSchema.shape.topK, true);
  number("topP", recipeSchema.shape.topP, true);

  const primer = text("primer");
  if (primer !== undefined) {
    if ((PRIMER_KINDS as readonly string[]).includes(primer)) values.primer = primer as PrimerKind;
    else ignore("primer", primer, "must be none, corpus or upload");
  }
  const key = text("key");
  if (key !== undefined) {
    const parsed = keySchema.safeParse(key);
    if (parsed.success) values.key = parsed.data;
    else ignore("key", key, parsed.error.issues[0]?.message ?? "not a key");
  }
  const where = text("where");
  if (where !== undefined) {
    if ((WHERE_CHOICES as readonly string[]).includes(where)) values.where = where as Where;
    else ignore("where", where, "must be device or server");
  }
  return { values, notes };
}
