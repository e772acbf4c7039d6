// The bytes `generate`'s primers are made from: a MIDI file, or the songs of the corpus the model
// was trained on (the Composer picks the song and the window by seed).
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { CorpusSong, PrimerSource } from "@motif/core";
import { CliError } from "../../errors.js";
import { demoCorpusFiles } from "../../data/demo-corpus.js";
import { resolveUserPath } from "../../env.js";
import type { GenerateCliOptions } from "./generate-flags.js";
import { findMidiFiles, readMidiFile } from "../../data/midi-files.js";

/** The songs of --data (sorted by path), or the built-in demo corpus. */
async function corpusSongs(data: string | undefined): Promise<CorpusSong[]> {
  if (data === undefined) return demoCorpusFiles().map((file) => ({ name: file.name, bytes: file.bytes }));
  const files = await findMidiFiles(resolveUserPath(data));
  return Promise.all(
    files.map(async (file) => ({ name: file.relativePath, bytes: await readMidiFile(file) })),
  );
}

/** The primer the flags ask for, read from disk. */
export async function primerSource(
  options: Pick<GenerateCliOptions, "primer" | "data">,
): Promise<PrimerSource> {
  switch (options.primer.kind) {
    case "none":
      return { kind: "none" };
    case "corpus":
      return { kind: "corpus", songs: await corpusSongs(options.data) };
    case "file": {
      const file = resolveUserPath(options.primer.path);
      const bytes = await readFile(file).catch(() => null);
      if (bytes === null) throw new CliError(`--primer: file not found: ${file}`);
      return { kind: "midi", name: path.basename(file), bytes: new Uint8Array(bytes) };
    }
  }
}
