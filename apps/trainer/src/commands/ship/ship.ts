// `ship`: turns a published bundle trained on an openly licensed corpus into a built-in model
// (<repo>/builtin-models/<name>/<version>/) that the gallery and `generate` use without training:
// the bundle's files, a sources.json naming every training and validation file with its licence
// and attribution (matched by sha256 against the corpus catalog), and a NOTICE.md people can read.
// Refuses a bundle with a file the catalog lacks or whose licence does not allow redistribution.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { BUNDLE_FILES, computeContentHash, type BundleManifest } from "@motif/core";
import { openBundle } from "../../store/bundle-dir.js";
import { selectBackend } from "../../runtime/backend.js";
import { bundleReadme } from "../../store/bundle-readme.js";
import { CliError } from "../../errors.js";
import { ingest } from "../../data/dataset.js";
import { repoRoot, resolveUserPath, trainerEnv } from "../../env.js";
import { findMidiFiles, readMidiFile } from "../../data/midi-files.js";
import { bundleEvaluationFiles } from "../../store/publish-evaluation.js";
import { publishBundle } from "../../store/publish.js";
import { catalogPathFor, type ShipOptions } from "./ship-flags.js";

/** A Mutopia-style catalog entry (../shared/datasets/mutopia-keyboard/catalog.json). */
const catalogEntrySchema = z.object({
  path: z.string(),
  title: z.string(),
  composer: z.string(),
  opus: z.string().optional().default(""),
  license: z.string(),
  license_url: z.string().optional().default(""),
  typesetter: z.string().optional().default(""),
  mutopia_id: z.string().optional().default(""),
  mutopia_source_path: z.string().optional().default(""),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
type CatalogEntry = z.infer<typeof catalogEntrySchema>;

/** One file the shipped model learned from (or was validated on), with what its licence asks. */
export interface ShippedSource {
  file: string;
  sha256: string;
  split: "train" | "validation";
  title: string;
  composer: string;
  license: string;
  licenseUrl: string;
  typesetter: string;
  source: string;
}

/** Licences that let a model trained on the file, and the file's notes, be redistributed. */
export function isRedistributable(license: string): boolean {
  return /^(public domain|cc0\b|cc by \d(\.\d)?)$/i.test(license.trim());
}

function parseCatalog(json: unknown): CatalogEntry[] {
  const parsed = z.array(catalogEntrySchema).safeParse(json);
  if (!parsed.success)
    throw new CliError(
      `the catalog is not a list of {path, title, composer, license, sha256, …}: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    );
  return parsed.data;
}

/** Every dataset file of the bundle with its catalog entry; the reasons list what is missing or not allowed. */
export function shippedSources(
  manifest: Pick<BundleManifest, "dataset">,
  catalog: readonly CatalogEntry[],
): { sources: ShippedSource[]; reasons: string[] } {
  const bySha = new Map(catalog.map((entry) => [entry.sha256, entry]));
  const reasons: string[] = [];
  const sources: ShippedSource[] = [];
  for (const file of manifest.dataset.files) {
    const entry = bySha.get(file.sha256);
    if (!entry) {
      reasons.push(`${file.name} (sha256 ${file.sha256.slice(0, 12)}…) is not in the catalog`);
      continue;
    }
    if (!isRedistributable(entry.license))
      reasons.push(`${file.name}: licence "${entry.license}" does not allow shipping a model trained on it`);
    sources.push({
      file: entry.path,
      sha256: file.sha256,
      split: file.split,
      title: entry.title,
      composer: entry.composer,
      license: entry.license,
      licenseUrl: entry.license_url,
      typesetter: entry.typesetter,
      source:
        entry.mutopia_source_path === ""
          ? entry.mutopia_id
          : `${entry.mutopia_source_path} (${entry.mutopia_id})`,
    });
  }
  return { sources, reasons };
}

/** NOTICE.md: what the model is, where its music came from, and one attribution line per file (CC BY first). */
function noticeText(
  manifest: Pick<BundleManifest, "name" | "version" | "contentHash">,
  sources: readonly ShippedSource[],
  corpus: string,
): string {
  const line = (s: ShippedSource) =>
    `- \`${s.file}\` (${s.split}): "${s.title}" by ${s.composer}${s.typesetter === "" ? "" : `, typeset by ${s.typesetter}`}, ${s.license}` +
    `${s.licenseUrl === "" ? "" : ` (${s.licenseUrl})`}, Mutopia Project, https://www.mutopiaproject.org${s.source === "" ? "" : ` (source: ${s.source})`}. Rendered to MIDI from the Mutopia Project's LilyPond sources.`;
  const attributed = sources.filter((s) => /^cc by/i.test(s.license));
  const publicDomain = sources.filter((s) => !/^cc by/i.test(s.license));
  return [
    `# ${manifest.name} ${manifest.version}: notice and attribution`,
    "",
    `The model in this folder (bundle ${manifest.contentHash}) was trained by Motif on ${sources.length} solo keyboard pieces of ${corpus}, ` +
      "rendered to MIDI from the Mutopia Project's LilyPond sources (https://www.mutopiaproject.org). " +
      "Each piece is in the public domain or licensed under Creative Commons Attribution; `sources.json` lists every file with its sha256, split and licence. " +
      "`reference-notes.bin.gz` holds the notes of the training pieces (moved to C major / A minor), used to show which passages a generated piece shares with them.",
    "",
    `## Creative Commons Attribution (${attributed.length} files)`,
    "",
    ...attributed.map(line),
    "",
    `## Public domain (${publicDomain.length} files)`,
    "",
    ...publicDomain.map(line),
    "",
  ].join("\n");
}

/**
 * Writes <root>/<name>/<version>/: the bundle re-sealed under its shipped name and version (weights
 * and model untouched, so weightsSha256 stays; bundle.json's name, version and contentHash change),
 * a fresh evaluation with the training songs' notes, the curves, sources.json, NOTICE.md and a
 * README; then points <root>/<name>/LATEST at it.
 */
export async function shipBundle(args: {
  model: string;
  data: string;
  catalogFile: string;
  root: string;
  name: string;
  version: string;
  corpus: string;
}): Promise<{ target: string; sources: ShippedSource[]; summary: string }> {
  const bundle = await openBundle(args.model);
  try {
    const catalog = parseCatalog(JSON.parse(await readFile(args.catalogFile, "utf8")) as unknown);
    const { sources, reasons } = shippedSources(bundle.manifest, catalog);
    if (reasons.length > 0)
      throw new CliError(`refusing to ship ${bundle.dir}:\n${reasons.map((r) => `  - ${r}`).join("\n")}`);
    const modelJson = new Uint8Array(await readFile(path.join(bundle.dir, BUNDLE_FILES.model)));
    const { contentHash: _old, ...rest } = { ...bundle.manifest, name: args.name, version: args.version };
    const manifest: BundleManifest = {
      ...rest,
      contentHash: await computeContentHash(rest, modelJson, rest.weightsSha256),
    };
    const midiFiles = await findMidiFiles(args.data);
    const { songs } = await ingest(
      midiFiles.map((file) => ({ name: file.relativePath, read: () => readMidiFile(file) })),
      bundle.tokenizer,
    );
    const evaluated = await bundleEvaluationFiles({ bundle: { ...bundle, manifest }, songs });
    if (evaluated.files === null) throw new CliError(`${evaluated.summary} (looked in ${args.data})`);

    const files: Record<string, Uint8Array | string> = {
      [BUNDLE_FILES.manifest]: `${JSON.stringify(manifest, null, 2)}\n`,
      [BUNDLE_FILES.model]: modelJson,
      [BUNDLE_FILES.weights]: new Uint8Array(await readFile(path.join(bundle.dir, BUNDLE_FILES.weights))),
      ...evaluated.files,
      ...evaluated.pictures,
      "sources.json": `${JSON.stringify(sources, null, 2)}\n`,
      "NOTICE.md": noticeText(manifest, sources, args.corpus),
    };
    for (const picture of ["curves.svg", "curves.png"]) {
      const bytes = await readFile(path.join(bundle.dir, picture)).catch(() => null);
      if (bytes !== null) files[picture] = new Uint8Array(bytes);
    }
    files["README.md"] = bundleReadme(manifest, Object.keys(files).concat("README.md").sort());
    // Staged and renamed into place as train publishes, replacing the version if it exists: a kill
    // or a full disk mid-ship leaves the previous built-in bundle whole.
    const target = await publishBundle(args.root, args.name, args.version, files, { replaceExisting: true });
    return { target, sources, summary: evaluated.summary };
  } finally {
    bundle.model.dispose();
  }
}

/** `ship`: the CLI entry. */
export async function runShip(options: ShipOptions): Promise<number> {
  const env = trainerEnv();
  const backend = await selectBackend(options.backend ?? env.backend);
  process.stderr.write(`backend: ${backend.description}\n`);
  const data = resolveUserPath(options.data);
  const root =
    options.out === undefined ? path.join(repoRoot, "builtin-models") : resolveUserPath(options.out);
  const { target, sources, summary } = await shipBundle({
    model: resolveUserPath(options.model),
    data,
    catalogFile: resolveUserPath(catalogPathFor(options, data)),
    root,
    name: options.name,
    version: options.version,
    corpus: path.basename(path.dirname(data)) === "" ? data : path.basename(path.dirname(data)),
  });
  process.stderr.write(`${summary}\n`);
  const attributed = sources.filter((s) => /^cc by/i.test(s.license)).length;
  process.stdout.write(
    `shipped ${target}: ${sources.length} source files (${attributed} CC BY, ${sources.length - attributed} public domain), NOTICE.md and sources.json beside the bundle\n`,
  );
  return 0;
}
