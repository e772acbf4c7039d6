// The `scan` command: flags, and the human-readable rendering of a ScanReport.
import { TOKENIZER_KINDS } from "@motif/core";
import { z } from "zod";
import type { CommandSpec } from "./command-args.js";
import { scanFolder, type ScanReport } from "./scan-report.js";
import { formatTable } from "./text-table.js";
import { resolveUserPath } from "./env.js";

export const scanCommand: CommandSpec<{ dir: string; json: boolean }> = {
  name: "scan",
  brief: "List the MIDI files of a folder with notes, tokens and failures",
  summary:
    "Walk a folder recursively, parse every .mid/.midi file (any letter case) and report format, tracks, notes, " +
    "duration and token counts per tokenizer, with a summary. Files read with repairs are listed with each repair; " +
    "broken files with their reason; the exit code stays 0.",
  positionals: [{ name: "dir", description: "The folder to scan." }],
  flags: {
    json: { type: "boolean", description: "Print exactly one JSON object on stdout instead of the table." },
  },
  examples: ["pnpm --filter trainer scan ../shared/datasets/final-fantasy", "pnpm --filter trainer scan ./my-midi --json > scan.json"],
  schema: z
    .object({
      positionals: z.tuple([z.string().min(1, "the folder to scan is required")], { error: "the folder to scan is required" }),
      json: z.boolean().optional(),
    })
    .transform((raw) => ({ dir: raw.positionals[0], json: raw.json ?? false })),
};

export async function runScan(options: { dir: string; json: boolean }, write: (text: string) => void): Promise<void> {
  const report = await scanFolder(resolveUserPath(options.dir));
  write(options.json ? JSON.stringify(report) + "\n" : formatScanReport(report));
}

export function formatScanReport(report: ScanReport): string {
  const ok = report.files.filter((file) => file.ok);
  const failed = report.files.filter((file) => !file.ok);
  const header = ["file", "format", "tracks", "notes", "drums", "seconds", ...TOKENIZER_KINDS.map((kind) => `${kind} tokens`), "warnings"];
  const rows = ok.map((file) => [
    file.path,
    file.format ?? 0,
    file.tracks ?? 0,
    file.notes ?? 0,
    file.drumNotes ?? 0,
    Number((file.durationSeconds ?? 0).toFixed(1)),
    ...TOKENIZER_KINDS.map((kind) => file.tokens?.[kind] ?? 0),
    file.warnings.length,
  ]);
  const parts = [ok.length > 0 ? formatTable(header, rows) : "No readable MIDI files."];
  const repaired = ok.filter((file) => file.warnings.length > 0);
  if (repaired.length > 0) {
    parts.push("", `Read with repairs (${repaired.length}):`, ...repaired.flatMap((file) => file.warnings.map((warning) => `  ${file.path}: ${warning.message}`)));
  }
  if (failed.length > 0) {
    parts.push("", `Failed (${failed.length}):`, ...failed.map((file) => `  ${file.path}: ${file.error}`));
  }
  const s = report.summary;
  const minutes = (s.durationSeconds / 60).toFixed(1);
  parts.push(
    "",
    `Summary: ${s.files} files, ${s.ok} ok (${s.repaired} repaired), ${s.failed} failed; ${s.notes} notes (${s.drumNotes} drum), ${minutes} min of music`,
    ...TOKENIZER_KINDS.map((kind) => `  ${kind}: ${s.tokens[kind]} tokens, vocabulary ${s.vocab[kind]}`),
  );
  return parts.join("\n") + "\n";
}
