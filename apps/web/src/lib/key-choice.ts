// Core's key names and key choices for the Next app (server and browser) through `@motif/core/key`,
// a subpath without tfjs (next.config.ts reads it from source: a plain `next build` has no built
// core): one parser for the form, the router's zod schema and the worker. key-choice.test.ts checks
// it is core's own.
import { keyChoiceText, keyName, parseKeyChoice } from "@motif/core/key";

export { keyChoiceText, keyName, parseKeyChoice };

/** The 24 keys in the order a listener scans them: C major, C minor, Db major, C# minor, … B minor. */
export const ALL_KEY_NAMES: readonly string[] = Array.from({ length: 12 }, (_, tonic) =>
  (["major", "minor"] as const).map((mode) => keyName({ tonic, mode })),
).flat();

/** How a stored key choice reads on a piece page. */
export function keyChoiceLabel(text: string): string {
  if (text === "as-trained") return "as the model wrote it";
  if (text === "primer") return "as the primer";
  return text;
}
