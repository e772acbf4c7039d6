// The readable table of `evaluate --pieces / --pieces-dir`; the report itself is core's
// (`buildMusicReport`, packages/core/src/evaluation/music-report.ts).
import { longestNotes, median, SCALAR_FEATURES, type MusicReport, type ScalarFeature } from "@motif/core";
import { formatTable, type Cell } from "../../cli/text-table.js";

export { buildMusicReport, median, type MusicReport, type NamedNotes } from "@motif/core";

const f3 = (value: number): number => Number(value.toFixed(3));

/** The readable report: the summary with the human baseline beside it, the feature overlaps, one line per piece. */
export function formatMusicReport(report: MusicReport, heading: string): string {
  const { summary, human } = report;
  const dash = "-";
  const collapsed = report.pieces.filter((row) => row.collapse).length;
  const summaryRows: Cell[][] = [
    ["pieces / songs", String(summary.pieces), human === null ? dash : String(human.pieces)],
    ["collapsed", `${collapsed} (${summary.collapseRate.toFixed(3)})`, dash],
    ...(["copy@8", "copy@16", "copy@32"] as const).map((key): Cell[] => [
      `${key} (share found in the reference)`,
      summary[key].toFixed(3),
      human === null ? dash : human[key].toFixed(3),
    ]),
    [
      "longest copy, notes: max",
      String(summary.longestMax),
      human === null ? dash : String(human.longestMax),
    ],
    [
      "longest copy, notes: median",
      String(median(longestNotes(report.pieces.map((row) => row.copy)))),
      human === null ? dash : String(human.longestMedian),
    ],
    [
      "mean OA with the reference (1 = same)",
      summary.meanOA === null ? dash : summary.meanOA.toFixed(3),
      dash,
    ],
  ];
  const parts = [
    heading,
    "",
    formatTable(
      ["measure", "pieces", human === null ? "human baseline (none)" : "human baseline (held-out songs)"],
      summaryRows,
    ),
  ];
  if (summary.oa !== null) {
    const oa = summary.oa;
    const mean = (key: ScalarFeature) =>
      report.pieces.reduce((sum, row) => sum + row.features[key], 0) / Math.max(1, report.pieces.length);
    parts.push(
      "",
      formatTable(
        ["feature", "OA", "KL", "pieces' mean"],
        SCALAR_FEATURES.map((key) => [key, f3(oa[key].oa), f3(oa[key].kl), f3(mean(key))]),
      ),
    );
  }
  const pieceRows = report.pieces.map((row): Cell[] => [
    row.file,
    row.notes,
    row.collapse ? "yes" : "no",
    f3(row.copy["copy@8"]),
    f3(row.copy["copy@16"]),
    f3(row.copy["copy@32"]),
    row.copy.longest === null
      ? "none ≥ 9 notes"
      : `${row.copy.longest.notes} notes from ${row.copy.longest.source} bar ${row.copy.longest.bar} (piece bar ${row.copy.longest.pieceBar})`,
    f3(row.features.scaleConsistency),
    f3(row.features.pitchClassEntropy),
    f3(row.features.polyphony),
  ]);
  parts.push(
    "",
    formatTable(
      [
        "file",
        "notes",
        "collapse",
        "copy@8",
        "copy@16",
        "copy@32",
        "longest copy",
        "scale",
        "pc entropy",
        "polyphony",
      ],
      pieceRows,
    ),
  );
  return parts.join("\n") + "\n";
}
