// Core's recorded-recipe fixtures (packages/core/src/compose/test-support/fixtures) for the web's
// tests: two tiny bundles the CLI trained (timed, key-normalised; notes-chords, keys as written),
// their corpus and a MIDI file they did not learn. Committed, so the CLI and the web can be
// compared on the same bytes without training anything.
import { cp, readFile } from "node:fs/promises";
import { join } from "node:path";

export const coreFixturesDir = join(
  import.meta.dirname,
  "..",
  "..",
  "..",
  "packages",
  "core",
  "src",
  "compose",
  "test-support",
  "fixtures",
);
export const fixtureCorpusDir = join(coreFixturesDir, "corpus");
export const FIXTURE_BUNDLES = ["timed-tiny", "chords-tiny"] as const;
export type FixtureBundleName = (typeof FIXTURE_BUNDLES)[number];

/** Copies both bundles to `<modelsDir>/<name>/v1/`, the layout the registry scans. */
export async function installFixtureBundles(modelsDir: string): Promise<Record<FixtureBundleName, string>> {
  const dirs = {} as Record<FixtureBundleName, string>;
  for (const name of FIXTURE_BUNDLES) {
    dirs[name] = join(modelsDir, name, "v1");
    await cp(join(coreFixturesDir, name), dirs[name], { recursive: true });
  }
  return dirs;
}

/** The MIDI file the bundles did not learn: the uploaded primer. */
export async function fixturePrimerFile(): Promise<{ name: string; bytes: Uint8Array }> {
  return {
    name: "ode-to-joy.mid",
    bytes: new Uint8Array(await readFile(join(coreFixturesDir, "ode-to-joy.mid"))),
  };
}
