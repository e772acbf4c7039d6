// What a reader of the models folder finds for one model: every bundle folder loaded with core's
// loadBundle checks, where LATEST points, and anything a reader would trip over. The gallery lists
// every folder <root>/<name>/<version>/ that holds a bundle.json and does not start with a dot; this
// is stricter: every visible folder but runs/ must be a bundle that loads.
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { loadBundle, type BundleManifest } from "@motif/core";
import { readBundleDir } from "../bundle-dir.js";
import { LATEST_FILE } from "../publish.js";

export interface PublishedModel {
  /** Version → manifest of every bundle folder, each loaded and checked. */
  bundles: Map<string, BundleManifest>;
  /** The version LATEST names, or null without a LATEST. */
  latest: string | null;
  /** A visible folder that does not load, LATEST naming no loadable bundle, a visible stray entry. */
  problems: string[];
  /** Dot-named leftovers beside the model (staging folders) and in it (temporary files); .checkpoint is not one. */
  hidden: string[];
}

export async function inspectPublished(root: string, name: string): Promise<PublishedModel> {
  const modelDir = path.join(root, name);
  const found: PublishedModel = { bundles: new Map(), latest: null, problems: [], hidden: [] };
  for (const entry of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (entry.name.startsWith(".")) found.hidden.push(entry.name);
    else if (entry.name !== name) found.problems.push(`${entry.name}: a stray entry in the models root`);
  }
  for (const entry of await readdir(modelDir, { withFileTypes: true }).catch(() => [])) {
    if (entry.name === ".checkpoint" || (entry.name === "runs" && entry.isDirectory())) continue;
    if (entry.name.startsWith(".")) found.hidden.push(path.join(name, entry.name));
    else if (entry.name === LATEST_FILE && entry.isFile())
      found.latest = (await readFile(path.join(modelDir, LATEST_FILE), "utf8")).trim();
    else if (!/^v\d+$/.test(entry.name) || !entry.isDirectory())
      found.problems.push(`${entry.name}: a stray entry in ${modelDir}`);
    else {
      const loaded = await loadChecked(path.join(modelDir, entry.name));
      if ("manifest" in loaded) found.bundles.set(entry.name, loaded.manifest);
      else found.problems.push(`${entry.name}: ${loaded.problem}`);
    }
  }
  if (found.latest !== null && !found.bundles.has(found.latest))
    found.problems.push(`LATEST names "${found.latest}", which is not a loadable bundle`);
  return found;
}

async function loadChecked(dir: string): Promise<{ manifest: BundleManifest } | { problem: string }> {
  try {
    const bundle = await loadBundle(await readBundleDir(dir));
    bundle.model.dispose();
    return { manifest: bundle.manifest };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}
