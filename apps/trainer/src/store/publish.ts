// Atomic publishing of a bundle: files are written to a temporary folder inside the models root,
// fsynced, then renamed to <root>/<name>/<version>/ in one step, so no reader ever sees half a bundle,
// not even after a kill -9 or a power cut. <root>/<name>/LATEST names the newest version (replaced
// atomically too, and only once the version is on disk).
import { chmod, mkdir, mkdtemp, readFile, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { CliError } from "../errors.js";
import {
  isDiskFull,
  mkdirSynced,
  removeAbandoned,
  stageFiles,
  syncDir,
  temporaryFileOwner,
  writeFileAtomic,
  writeFileSynced,
  writeWhole,
  type WriteContents,
} from "./durable-files.js";

export const LATEST_FILE = "LATEST";

/** The next free "vN" under <root>/<name>/ (v1 when none exists). */
export async function nextVersion(root: string, name: string): Promise<string> {
  const entries = await readdir(path.join(root, name)).catch(() => [] as string[]);
  const numbers = entries
    .map((entry) => /^v(\d+)$/.exec(entry)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  return `v${Math.max(0, ...numbers) + 1}`;
}

/**
 * Writes `files` as <root>/<name>/<version>/ in one rename and points LATEST at it; `write` is a test seam.
 * With `replaceExisting` (ship rewrites a built-in version) an existing version is moved into a
 * staging folder just before the rename and removed after it: a kill can leave the version missing
 * for that instant's two renames, never half of one.
 */
export async function publishBundle(
  root: string,
  name: string,
  version: string,
  files: Record<string, Uint8Array | string>,
  { write = writeWhole, replaceExisting = false }: { write?: WriteContents; replaceExisting?: boolean } = {},
): Promise<string> {
  const modelDir = path.join(root, name);
  const target = path.join(modelDir, version);
  let renamed = false;
  try {
    await mkdirSynced(modelDir);
    await removeAbandoned(root, stagingOwner(name));
    await removeAbandoned(modelDir, temporaryFileOwner);
    // Every byte is on disk before the first rename: a full disk fails with nothing visible.
    const latest = await stageFiles(modelDir, { [LATEST_FILE]: `${version}\n` }, write);
    const stagingFolder = () => mkdtemp(path.join(root, `${stagingPrefix(name)}${process.pid}-`));
    const staging = await stagingFolder();
    // An empty staging folder the old version is renamed onto (POSIX rename replaces an empty folder).
    const replaced = replaceExisting && (await stat(target).catch(() => null)) ? await stagingFolder() : null;
    try {
      await writeStaging(staging, files, write);
      if (replaced !== null) await rename(target, replaced);
      await renameIntoPlace(staging, target, version);
      renamed = true;
      await syncDir(modelDir);
      await latest.commit();
      return target;
    } finally {
      await latest.discard();
      await rm(staging, { recursive: true, force: true });
      if (replaced !== null) await rm(replaced, { recursive: true, force: true });
    }
  } catch (error) {
    if (!isDiskFull(error)) throw error;
    const state = renamed
      ? `${target} is complete but ${path.join(modelDir, LATEST_FILE)} still names the previous version`
      : `nothing of it is left behind; the versions in ${modelDir} and its LATEST are unchanged`;
    throw new CliError(
      `disk full: could not publish ${target} (${error.message}); ${state}. Free some space and try again`,
    );
  }
}

function stagingPrefix(name: string): string {
  return `.publishing-${name}-`;
}

/** The process id in the name of one of `name`'s staging folders (mkdtemp adds 6 characters). */
function stagingOwner(name: string): (entry: string) => string | undefined {
  const prefix = stagingPrefix(name);
  return (entry) =>
    entry.startsWith(prefix) ? /^(\d+)-\w{6}$/.exec(entry.slice(prefix.length))?.[1] : undefined;
}

/** Every file written and fsynced, then every folder (sub-folders first, so their names are on disk too). */
async function writeStaging(
  staging: string,
  files: Record<string, Uint8Array | string>,
  write: WriteContents,
): Promise<void> {
  const folders = new Set<string>();
  for (const [file, contents] of Object.entries(files)) {
    const full = path.join(staging, file);
    await mkdir(path.dirname(full), { recursive: true });
    for (let dir = path.dirname(full); dir !== staging; dir = path.dirname(dir)) folders.add(dir);
    await writeFileSynced(full, contents, write);
  }
  await chmod(staging, 0o755); // mkdtemp makes it private; a published bundle is readable like any folder
  for (const dir of [...folders, staging]) await syncDir(dir);
}

async function renameIntoPlace(staging: string, target: string, version: string): Promise<void> {
  try {
    await rename(staging, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOTEMPTY")
      throw new CliError(
        `${target} already exists (another run published ${version} meanwhile); train again to publish the next version`,
      );
    throw error;
  }
}

/**
 * After a resume: <root>/<name>/<version>/ when it holds these weights already (the run was killed
 * after that bundle's rename, before its checkpoint was removed), with LATEST made to name it; null
 * when there is no such bundle.
 */
export async function adoptPublished(
  root: string,
  name: string,
  version: string,
  weightsSha256: string,
): Promise<{ version: string; dir: string } | null> {
  if (!/^v\d+$/.test(version)) return null;
  const dir = path.join(root, name, version);
  const manifest = await readFile(path.join(dir, "bundle.json"), "utf8").then(
    (text) => JSON.parse(text) as { weightsSha256?: unknown },
    () => null,
  );
  if (manifest?.weightsSha256 !== weightsSha256) return null;
  const latest = path.join(root, name, LATEST_FILE);
  if ((await readFile(latest, "utf8").catch(() => "")).trim() !== version)
    await writeFileAtomic(latest, `${version}\n`);
  return { version, dir };
}

/** Resolves a --model argument: a bundle folder, a model folder with a LATEST file, or `<model>/latest`. */
export async function resolveBundleDir(dir: string): Promise<string> {
  if (path.basename(dir).toLowerCase() === "latest" && (await stat(dir).catch(() => null)) === null)
    return resolveBundleDir(path.dirname(dir));
  const latest = await readFile(path.join(dir, LATEST_FILE), "utf8").catch(() => null);
  if (latest === null) return dir;
  const version = latest.trim();
  if (!/^[\w.-]+$/.test(version))
    throw new CliError(`${path.join(dir, LATEST_FILE)} names an invalid version "${version}"`);
  return path.join(dir, version);
}
