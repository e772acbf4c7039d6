// `scan` flags: one folder, a table or one JSON object (the run and the table: scan.ts).
import { z } from "zod";
import type { CommandSpec } from "../../cli/command-args.js";

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
  examples: [
    "pnpm --filter trainer scan ../shared/datasets/final-fantasy",
    "pnpm --filter trainer scan ./my-midi --json > scan.json",
  ],
  schema: z
    .object({
      positionals: z.tuple([z.string().min(1, "the folder to scan is required")], {
        error: "the folder to scan is required",
      }),
      json: z.boolean().optional(),
    })
    .transform((raw) => ({ dir: raw.positionals[0], json: raw.json ?? false })),
};
