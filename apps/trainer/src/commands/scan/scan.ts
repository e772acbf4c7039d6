// The `scan` command: the run and the human-readable rendering of a ScanReport (flags: scan-flags.ts).
import { TOKENIZER_KINDS } from "@motif/core";
import { scanFolder, type ScanReport } from "./scan-report.js";
import { formatTable } from "../../cli/text-table.js";
import { resolveUserPath } from "../../env.js";

export async function runScan(
  options: { dir: string; json: boolean },
  write: (text: string) => void,
): Promise<void> {
  const report = await scanFolder(resolveUserPath(options.dir));
  write(options.json ? JSON.stringify(report) + "\n" : formatScanReport(report));
}

function formatScanReport(report: ScanReport): string {
  const ok = report.files.filter((file) => file.ok);
  const failed = report.files.filter((file) => !file.ok);
  const header = [
    "file",
    "format",
    "tracks",
    "notes",
    "drums",
    "seconds",
    ...TOKENIZER_KINDS.map((kind) => `${kind} tokens`),
    "warnings",
  ];
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
    parts.push(
      "",
      `Read with repairs (${repaired.length}):`,
      ...repaired.flatMap((file) => file.warnings.map((warning) => `  ${file.path}: ${warning.message}`)),
    );
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
