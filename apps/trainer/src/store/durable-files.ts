// Writes that survive a crash: a kill -9 or a power cut leaves the old files or the new ones, never
// half of them. Bytes go to dot-named temporary files (folder listings that skip hidden entries, like
// the gallery's, never see them), are fsynced, renamed into place, and the folder is fsynced so the
// rename itself is on disk.
import { mkdir, open, readdir, rename, rm, type FileHandle } from "node:fs/promises";
import path from "node:path";

/** Puts the bytes into an open file: the seam through which tests make the disk run full. */
export type WriteContents = (handle: FileHandle, contents: Uint8Array | string) => Promise<void>;

export const writeWhole: WriteContents = (handle, contents) => handle.writeFile(contents);

/** Creates `file` (it must not exist yet), writes `contents` and fsyncs them. */
export async function writeFileSynced(
  file: string,
  contents: Uint8Array | string,
  write: WriteContents = writeWhole,
): Promise<void> {
  const handle = await open(file, "wx");
  try {
    await write(handle, contents);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsyncs a folder, so the names just created or renamed in it are on disk too. */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === "win32") return; // Windows cannot open a folder to fsync it
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Files written and fsynced under temporary names in one folder, waiting to be renamed into place. */
interface StagedFiles {
  /** Renames them in the given order (the last one can mark the set complete), then fsyncs the folder. */
  commit(): Promise<void>;
  /** Removes what is still temporary (after a failure). */
  discard(): Promise<void>;
}

/** The temporary name of `name` (dot-named; the process id lets a later run see it was abandoned). */
function temporaryName(name: string, stamp: string): string {
  return `.${name}.tmp-${process.pid}-${stamp}`;
}

/** The process id in a temporary file name of stageFiles, or undefined for any other name. */
export function temporaryFileOwner(entry: string): string | undefined {
  return /^\..+\.tmp-(\d+)-\d+$/.exec(entry)?.[1];
}

/** Writes every file before any rename, so a full disk fails while the old files are all still in place. */
export async function stageFiles(
  dir: string,
  files: Record<string, Uint8Array | string>,
  write: WriteContents = writeWhole,
): Promise<StagedFiles> {
  const stamp = String(Date.now());
  const names = Object.keys(files);
  const temporary = names.map((name) => path.join(dir, temporaryName(name, stamp)));
  const discard = async () => void (await Promise.all(temporary.map((file) => rm(file, { force: true }))));
  try {
    for (const [index, contents] of Object.values(files).entries())
      await writeFileSynced(temporary[index] as string, contents, write);
  } catch (error) {
    await discard();
    throw error;
  }
  return {
    async commit() {
      for (const [index, name] of names.entries())
        await rename(temporary[index] as string, path.join(dir, name));
      await syncDir(dir);
    },
    discard,
  };
}

/** Replaces files of one folder: all written and fsynced first, then renamed in the given order. */
export async function replaceFiles(
  dir: string,
  files: Record<string, Uint8Array | string>,
  write: WriteContents = writeWhole,
): Promise<void> {
  const staged = await stageFiles(dir, files, write);
  try {
    await staged.commit();
  } finally {
    await staged.discard();
  }
}

/** Replaces `file` in one rename, its bytes fsynced first and its folder after. */
export function writeFileAtomic(
  file: string,
  contents: Uint8Array | string,
  write: WriteContents = writeWhole,
): Promise<void> {
  return replaceFiles(path.dirname(file), { [path.basename(file)]: contents }, write);
}

/** mkdir -p that also fsyncs the parent of the first folder it created. */
export async function mkdirSynced(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true });
  if (created !== undefined) await syncDir(path.dirname(created));
}

/**
 * Removes the entries of `dir` whose owner (the process id `ownerOf` reads from the name) is gone:
 * what a write killed halfway left behind, which only holds disk space.
 */
export async function removeAbandoned(
  dir: string,
  ownerOf: (entry: string) => string | undefined,
): Promise<void> {
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    const pid = ownerOf(entry);
    if (pid !== undefined && !processAlive(Number(pid)))
      await rm(path.join(dir, entry), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // alive, another user's
  }
}

/** A write that failed because the disk (or the user's quota) is full. */
export function isDiskFull(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}
