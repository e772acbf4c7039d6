// Interrupted runs on disk: <out>/<name>/.checkpoint/{run.json,checkpoint.bin}. run.json holds the
// resolved settings and a fingerprint of the data so --resume can refuse a changed folder.
import { readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import {
  TOKENIZER_KINDS,
  deserializeCheckpoint,
  serializeCheckpoint,
  type ModelConfig,
  type TokenizerKind,
  type TrainCheckpoint,
  type TrainingConfig,
} from "@motif/core";
import { z } from "zod";
import { CliError } from "../errors.js";
import {
  isDiskFull,
  mkdirSynced,
  removeAbandoned,
  replaceFiles,
  temporaryFileOwner,
  writeWhole,
  type WriteContents,
} from "./durable-files.js";

export interface SavedRun {
  formatVersion: 1;
  name: string;
  /** Absolute data folder, or null for the built-in demo corpus. */
  data: string | null;
  tokenizer: TokenizerKind;
  modelConfig: ModelConfig;
  training: TrainingConfig;
  /** sha256 of every ingested file, in order: the data must be unchanged to resume. */
  fingerprint: string[];
  /** Vocabulary tokens, in id order: rebuilt on resume and compared. */
  vocabulary: string[];
  backend: string;
  startedAt: string;
  /** The run folder's name (<out>/<name>/runs/<runId>/). Absent in runs saved before it existed. */
  runId?: string;
  /** --time-budget in seconds, kept for --resume (which may change it); absent = none. */
  timeBudgetSeconds?: number;
  /** The --init-from bundle's folder, so a resumed run still carries its NOTICE.md on; absent = a fresh model. */
  initDir?: string;
}

const savedRunSchema = z.object({
  formatVersion: z.literal(1),
  name: z.string(),
  data: z.string().nullable(),
  tokenizer: z.enum(TOKENIZER_KINDS),
  modelConfig: z.record(z.string(), z.unknown()),
  training: z.record(z.string(), z.unknown()),
  fingerprint: z.array(z.string()),
  vocabulary: z.array(z.string()),
  backend: z.string(),
  startedAt: z.string(),
  runId: z
    .string()
    .regex(/^[\w.-]+$/)
    .optional(),
  timeBudgetSeconds: z.number().positive().optional(),
  initDir: z.string().optional(),
});

export function checkpointDir(root: string, name: string): string {
  return path.join(root, name, ".checkpoint");
}

/** Replaces the checkpoint in `dir`; a failure (a full disk) leaves the previous one whole. `write` is a test seam. */
export async function saveCheckpoint(
  dir: string,
  run: SavedRun,
  checkpoint: TrainCheckpoint,
  write: WriteContents = writeWhole,
): Promise<void> {
  try {
    await mkdirSynced(dir);
    await removeAbandoned(dir, temporaryFileOwner);
    // Both files are on disk before either is renamed; run.json goes last: its appearance marks a complete checkpoint.
    await replaceFiles(
      dir,
      {
        "checkpoint.bin": await serializeCheckpoint(checkpoint),
        "run.json": JSON.stringify(run, null, 2) + "\n",
      },
      write,
    );
  } catch (error) {
    if (isDiskFull(error))
      throw new CliError(
        `disk full: could not save the checkpoint of epoch ${checkpoint.epoch} in ${dir} (${error.message}); nothing in it changed (an earlier checkpoint there is intact: free some space and \`train --resume\` continues from it)`,
      );
    throw error;
  }
}

export async function loadCheckpoint(dir: string): Promise<{ run: SavedRun; checkpoint: TrainCheckpoint }> {
  const runText = await readFile(path.join(dir, "run.json"), "utf8").catch(() => null);
  if (runText === null)
    throw new CliError(
      `no interrupted run to resume: ${dir} does not exist (a run writes it after every epoch and when interrupted, and removes it once published)`,
    );
  const parsed = savedRunSchema.safeParse(JSON.parse(runText));
  if (!parsed.success)
    throw new CliError(
      `${path.join(dir, "run.json")} is not a Motif checkpoint: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  const bytes = await readFile(path.join(dir, "checkpoint.bin")).catch(() => null);
  if (bytes === null) throw new CliError(`${dir} has run.json but no checkpoint.bin`);
  return {
    run: parsed.data as unknown as SavedRun,
    checkpoint: deserializeCheckpoint(new Uint8Array(bytes)),
  };
}

const PUBLISHING_FILE = "publishing";

/**
 * Notes in the checkpoint that its run is being published as `version`, so that a resume after a kill
 * between that bundle's rename and the checkpoint's removal finds the bundle instead of publishing
 * it again (weights alone cannot tell: the same recipe trains the same weights).
 */
export async function markPublishing(dir: string, version: string): Promise<void> {
  if ((await stat(path.join(dir, "run.json")).catch(() => null)) === null) return; // nothing to resume
  await replaceFiles(dir, { [PUBLISHING_FILE]: `${version}\n` });
}

/** The version markPublishing noted, or null. */
export async function publishingVersion(dir: string): Promise<string | null> {
  const text = await readFile(path.join(dir, PUBLISHING_FILE), "utf8").catch(() => null);
  return text === null ? null : text.trim();
}

export async function removeCheckpoint(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
