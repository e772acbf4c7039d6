// A recipe is a URL: /generate?model=…&seed=…&length=…&temperature=…&topK=…&topP=…&primer=…&key=…&where=…
// fills the generate form (src/server/recipe-query.ts reads it on the server with the create
// procedure's own validation). Shared by the piece page's "replay this recipe" link and the page.

export const PRIMER_KINDS = ["none", "corpus", "upload"] as const;
export type PrimerKind = (typeof PRIMER_KINDS)[number];

/** Where the piece is composed: the listener's device (the default where it can) or the server. */
export const WHERE_CHOICES = ["device", "server"] as const;
export type Where = (typeof WHERE_CHOICES)[number];

/** What the generate form shows, as it shows it (text fields; "" = off for top-k / top-p). */
export interface FormValues {
  modelId: string;
  length: string;
  temperature: string;
  topK: string;
  topP: string;
  seed: string;
  primer: PrimerKind;
  /** A key choice in keyChoiceText form; absent = the form's default for the primer. */
  key: string;
  /** Absent = this device where the browser can, else the server. */
  where: Where;
}

/** The URL words for "no limit" (top-k) and "off" (top-p); the form shows them blank. */
export const OFF_WORDS = ["off", "none", ""] as const;

/**
 * The link that fills the generate form with a piece's recipe. An uploaded primer cannot travel in
 * a link: `primer=upload` only selects it (the listener chooses the file again). `where` is left out
 * unless given, so the link opens on the listener's own default.
 * @example recipeHref({ modelId: "m1", seed: 7, length: 300, temperature: 1, topK: null, topP: 0.95, primerKind: "corpus", key: "D minor", where: "server" })
 * // "/generate?model=m1&seed=7&length=300&temperature=1&topK=off&topP=0.95&primer=corpus&key=D+minor&where=server"
 */
export function recipeHref(recipe: {
  modelId: string;
  seed: number;
  length: number;
  temperature: number;
  topK: number | null;
  topP: number | null;
  primerKind: string;
  key: string;
  where?: Where;
}): string {
  const query = new URLSearchParams({
    model: recipe.modelId,
    seed: String(recipe.seed),
    length: String(recipe.length),
    temperature: String(recipe.temperature),
    topK: recipe.topK === null ? "off" : String(recipe.topK),
    topP: recipe.topP === null ? "off" : String(recipe.topP),
    primer: recipe.primerKind,
    key: recipe.key,
  });
  if (recipe.where !== undefined) query.set("where", recipe.where);
  return `/generate?${query.toString()}`;
}
