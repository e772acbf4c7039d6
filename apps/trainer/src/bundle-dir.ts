// Reading a published bundle folder back into the bytes core's loadBundle checks.
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { BundleError, loadBundle, type BundleFiles } from "@motif/core";
import { CliError } from "./command-args.js";
import { resolveBundleDir } from "./publish.js";

/** Files the trainer adds next to core's bundle files (pictures and docs, not part of the checked contract). */
export const EXTRA_BUNDLE_FILES = ["curves.svg", "curves.png", "README.md"];

export async function readBundleDir(dir: string): Promise<BundleFiles> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => null);
  if (entries === null) throw new CliError(`model folder not found: ${dir}`);
  const files: BundleFiles = {};
  for (const entry of entries) {
    if (!entry.isFile() || EXTRA_BUNDLE_FILES.includes(entry.name) || entry.name.startsWith(".")) continue;
    files[entry.name] = new Uint8Array(await readFile(path.join(dir, entry.name)));
  }
  if (!("bundle.json" in files)) throw new CliError(`${dir} is not a model bundle (no bundle.json); point --model at <models>/<name>/<version> or <models>/<name>`);
  return files;
}

export type OpenedBundle = Awaited<ReturnType<typeof loadBundle>> & { dir: string };

/** Reads and checks a bundle folder (or a model folder's LATEST version); refusals name what differs. */
export async function openBundle(dirOrModel: string): Promise<OpenedBundle> {
  const dir = await resolveBundleDir(dirOrModel);
  const files = await readBundleDir(dir);
  try {
    return { ...(await loadBundle(files)), dir };
  } catch (error) {
    if (error instanceof BundleError) throw new CliError(`refusing to load ${dir}:\n${error.reasons.map((reason) => `  - ${reason}`).join("\n")}`);
    throw error;
  }
}
