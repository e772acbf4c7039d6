// The recorded fixtures (fixtures/recorded.json, made by today's CLI before the Composer existed)
// read back for tests: the two tiny bundles, their corpus, the primer file, and the recipes.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadBundle } from "../../bundle/load-bundle.js";
import { BUNDLE_FILES, type BundleFiles } from "../../bundle/manifest.js";
import type { CorpusSong, PrimerSource } from "../primer.js";
import { createRecipe, type Recipe } from "../recipe.js";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const bytesOf = (file: string): Uint8Array => new Uint8Array(readFileSync(path.join(dir, file)));

export type FixtureBundle = "timed-tiny" | "chords-tiny";

/** One recipe in the CLI's terms (absent = the CLI's default), as the recorder ran it. */
interface RecordedInput {
  name: string;
  bundle: FixtureBundle;
  seed: number;
  length: number;
  temperature?: number;
  topK?: number | null;
  topP?: number | null;
  primer?: "none" | "corpus" | "file";
  primerLength?: number;
  keepPrimer?: boolean;
  guard?: boolean;
  style?: "seed" | "motif";
  bpm?: number;
  key?: string;
}

interface RecordedPiece {
  input: RecordedInput;
  recipeLines: string[];
  primerTokens: string[];
  primerKeyShift: number;
  tokens: string[];
  midiSha256: string;
  midiBytes: number;
}

interface Recorded {
  recordedWith: string;
  corpus: string[];
  primerFile: string;
  generate: RecordedPiece[];
  evaluate: {
    bundle: FixtureBundle;
    args: string[];
    pieces: { file: string; midiSha256: string }[];
    report: unknown;
  }[];
  tonality: Record<string, unknown> & { args: string[] };
}

export const recorded = JSON.parse(readFileSync(path.join(dir, "recorded.json"), "utf8")) as Recorded;

function fixtureBundleFiles(name: FixtureBundle): BundleFiles {
  return Object.fromEntries(
    Object.values(BUNDLE_FILES).map((file) => [file, bytesOf(path.join(name, file))]),
  );
}

export const loadFixtureBundle = (name: FixtureBundle) => loadBundle(fixtureBundleFiles(name));

/** The corpus in the order the CLI listed it (sorted by path). */
export const corpusSongs = (): CorpusSong[] =>
  recorded.corpus.map((name) => ({ name, bytes: bytesOf(path.join("corpus", name)) }));

export const primerFile = (): { name: string; bytes: Uint8Array } => ({
  name: recorded.primerFile,
  bytes: bytesOf(recorded.primerFile),
});

/** The Composer recipe for a recorded CLI recipe (the CLI's defaults filled in by createRecipe). */
export function recipeOf(input: RecordedInput): Recipe {
  const primer: PrimerSource =
    input.primer === "corpus"
      ? { kind: "corpus", songs: corpusSongs() }
      : input.primer === "file"
        ? { kind: "midi", ...primerFile() }
        : { kind: "none" };
  const fields: Partial<Recipe> & { seed: number } = { seed: input.seed, length: input.length, primer };
  if (input.temperature !== undefined) fields.temperature = input.temperature;
  if (input.topK !== undefined) fields.topK = input.topK;
  if (input.topP !== undefined) fields.topP = input.topP;
  if (input.primerLength !== undefined) fields.primerLength = input.primerLength;
  if (input.keepPrimer !== undefined) fields.keepPrimer = input.keepPrimer;
  if (input.guard !== undefined) fields.repetitionGuard = input.guard;
  if (input.style !== undefined) fields.style = input.style;
  if (input.bpm !== undefined) fields.bpm = input.bpm;
  if (input.key !== undefined) fields.key = input.key;
  return createRecipe(fields);
}
