// Reading a published bundle folder back into the bytes core's loadBundle checks.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { BUNDLE_FILES, BundleError, EVALUATION_FILES, loadBundle, type BundleFiles } from "@motif/core";
import { CliError } from "../errors.js";
import { resolveUserPath, trainerEnv } from "../env.js";
import { resolveBundleDir } from "./publish.js";

/** The checked files of a bundle folder: the contract and the optional evaluation (curves and README are not checked). */
export async function readBundleDir(dir: string): Promise<BundleFiles> {
  if ((await stat(dir).catch(() => null)) === null)
    throw new CliError(
      `no model at ${dir}: train one with \`pnpm --filter trainer train\` or pass --model <models>/<name>[/<version>]`,
    );
  const manifest = await readFile(path.join(dir, BUNDLE_FILES.manifest)).catch(() => null);
  if (manifest === null)
    throw new CliError(
      `${dir} is not a model bundle (no ${BUNDLE_FILES.manifest}); point --model at <models>/<name>/<version> or <models>/<name>`,
    );
  const files: BundleFiles = { [BUNDLE_FILES.manifest]: new Uint8Array(manifest) };
  for (const name of [
    BUNDLE_FILES.model,
    BUNDLE_FILES.weights,
    EVALUATION_FILES.evaluation,
    EVALUATION_FILES.reference,
  ]) {
    // A missing file is left out so loadBundle names it among its reasons.
    const bytes = await readFile(path.join(dir, name)).catch(() => null);
    if (bytes !== null) files[name] = new Uint8Array(bytes);
  }
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
    if (error instanceof BundleError)
      throw new CliError(
        `refusing to load ${dir}:\n${error.reasons.map((reason) => `  - ${reason}`).join("\n")}`,
      );
    throw error;
  }
}

/** The built-in model `generate` and `evaluate` use when no --model is given and no demo model was trained. */
const DEFAULT_BUILTIN_MODEL = "mutopia-piano";

/**
 * The folder a --model argument means: a path (from where the command was run) when it exists, else
 * a model name under the models root, else one under the built-in models. Without --model: the demo
 * model when one was trained, else the built-in default.
 */
export async function modelDirFor(model: string | undefined): Promise<string> {
  const env = trainerEnv();
  const exists = async (dir: string) => (await stat(dir).catch(() => null)) !== null;
  if (model === undefined) {
    const demo = path.join(env.modelsDir, "demo");
    const builtin = path.join(env.builtinModelsDir, DEFAULT_BUILTIN_MODEL);
    return (await exists(demo)) || !(await exists(builtin)) ? demo : builtin;
  }
  const asPath = resolveUserPath(model);
  if ((await exists(asPath)) || model.includes("/") || model.includes(path.sep)) return asPath;
  for (const root of [env.modelsDir, env.builtinModelsDir])
    if (await exists(path.join(root, model))) return path.join(root, model);
  return asPath;
}
