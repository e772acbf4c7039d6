// Atomic publishing of a bundle: files are written to a temporary folder inside the models root,
// then renamed to <root>/<name>/<version>/ in one step, so no reader ever sees half a bundle.
// <root>/<name>/LATEST names the newest version (replaced atomically too).
import { chmod, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { CliError } from "./command-args.js";

export const LATEST_FILE = "LATEST";

/** The next free "vN" under <root>/<name>/ (v1 when none exists). */
export async function nextVersion(root: string, name: string): Promise<string> {
  const entries = await readdir(path.join(root, name)).catch(() => [] as string[]);
  const numbers = entries.map((entry) => /^v(\d+)$/.exec(entry)?.[1]).filter((n): n is string => n !== undefined).map(Number);
  return `v${Math.max(0, ...numbers) + 1}`;
}

/** Writes `contents` to `file` through a temporary sibling and a rename. */
export async function writeFileAtomic(file: string, contents: Uint8Array | string): Promise<void> {
  const temporary = `${file}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(temporary, contents);
  await rename(temporary, file);
}

export async function publishBundle(root: string, name: string, version: string, files: Record<string, Uint8Array | string>): Promise<string> {
  const modelDir = path.join(root, name);
  await mkdir(modelDir, { recursive: true });
  const staging = await mkdtemp(path.join(root, `.publishing-${name}-`));
  try {
    for (const [file, contents] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(staging, file)), { recursive: true });
      await writeFile(path.join(staging, file), contents);
    }
    await chmod(staging, 0o755); // mkdtemp makes it private; a published bundle is readable like any folder

    const target = path.join(modelDir, version);
    try {
      await rename(staging, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST" || code === "ENOTEMPTY") throw new CliError(`${target} already exists (another run published ${version} meanwhile); train again to publish the next version`);
      throw error;
    }
    await writeFileAtomic(path.join(modelDir, LATEST_FILE), `${version}\n`);
    return target;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Resolves a --model argument: a bundle folder, a model folder with a LATEST file, or `<model>/latest`. */
export async function resolveBundleDir(dir: string): Promise<string> {
  if (path.basename(dir).toLowerCase() === "latest" && (await stat(dir).catch(() => null)) === null) return resolveBundleDir(path.dirname(dir));
  const latest = await readFile(path.join(dir, LATEST_FILE), "utf8").catch(() => null);
  if (latest === null) return dir;
  const version = latest.trim();
  if (!/^[\w.-]+$/.test(version)) throw new CliError(`${path.join(dir, LATEST_FILE)} names an invalid version "${version}"`);
  return path.join(dir, version);
}
