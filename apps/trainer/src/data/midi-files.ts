// Finding MIDI files on disk: recursive, `.mid`/`.midi` in any letter case, stable order.
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { CliError } from "../errors.js";

interface MidiFile {
  /** Path relative to the scanned folder, with forward slashes. */
  relativePath: string;
  absolutePath: string;
}

const MIDI_EXTENSION = /\.midi?$/i;

/** Lists MIDI files under `dir`, sorted by relative path. A missing folder is a CliError. */
export async function findMidiFiles(dir: string): Promise<MidiFile[]> {
  const root = path.resolve(dir);
  const info = await stat(root).catch(() => null);
  if (info === null) throw new CliError(`folder not found: ${root}`);
  if (!info.isDirectory()) throw new CliError(`not a folder: ${root}`);
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && MIDI_EXTENSION.test(entry.name))
    .map((entry) => {
      const absolutePath = path.join(entry.parentPath, entry.name);
      return { absolutePath, relativePath: path.relative(root, absolutePath).split(path.sep).join("/") };
    });
  return files.sort((a, b) =>
    a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0,
  );
}

export async function readMidiFile(file: MidiFile): Promise<Uint8Array> {
  return new Uint8Array(await readFile(file.absolutePath));
}
