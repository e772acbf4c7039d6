// The picture of a music report: per scalar feature, the histogram of the generated pieces over
// the histogram of the training songs on the same bins, with the overlap (OA) in the title, and a
// header line with the collapse rate and copies next to the human baseline. Rendered to SVG and
// PNG by the same code as the training curves.
import { SCALAR_FEATURES, type FeatureHistogram, type MusicReport, type ScalarFeature } from "@motif/core";
import type { Rgb, Scene, Shape } from "./curves-scene.js";

const GENERATED: Rgb = [31, 119, 180];
const REFERENCE: Rgb = [255, 127, 14];
const INK: Rgb = [40, 40, 40];
const WHITE: Rgb = [255, 255, 255];
const COLUMNS = 4;
const PANEL_WIDTH = 220;
const PANEL_HEIGHT = 120;
const GAP_X = 30;
const GAP_Y = 60;
const TOP = 90;
const LEFT = 30;

const short = (value: number): string =>
  Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);

function histogramPanel(
  feature: ScalarFeature,
  histogram: FeatureHistogram,
  oa: number | null,
  x0: number,
  y0: number,
): Shape[] {
  const shapes: Shape[] = [
    { kind: "rect", x: x0, y: y0, width: PANEL_WIDTH, height: PANEL_HEIGHT, fill: WHITE, stroke: INK },
  ];
  const bins = histogram.generated.length;
  const top = Math.max(1e-9, ...histogram.generated, ...histogram.reference);
  const binWidth = PANEL_WIDTH / bins;
  for (let i = 0; i < bins; i++) {
    // Reference as the wide pale bar, generated as the narrow bar in front: both stay readable.
    const reference = (histogram.reference[i]! / top) * (PANEL_HEIGHT - 6);
    const generated = (histogram.generated[i]! / top) * (PANEL_HEIGHT - 6);
    if (reference > 0)
      shapes.push({
        kind: "rect",
        x: x0 + i * binWidth + 1,
        y: y0 + PANEL_HEIGHT - reference,
        width: binWidth - 2,
        height: reference,
        fill: REFERENCE,
        stroke: null,
      });
    if (generated > 0)
      shapes.push({
        kind: "rect",
        x: x0 + i * binWidth + binWidth * 0.3,
        y: y0 + PANEL_HEIGHT - generated,
        width: binWidth * 0.4,
        height: generated,
        fill: GENERATED,
        stroke: null,
      });
  }
  const title = oa === null ? feature : `${feature}  OA ${oa.toFixed(2)}`;
  shapes.push({
    kind: "text",
    x: x0 + PANEL_WIDTH / 2,
    y: y0 - 8,
    text: title,
    color: INK,
    size: 12,
    anchor: "middle",
  });
  shapes.push({
    kind: "text",
    x: x0,
    y: y0 + PANEL_HEIGHT + 14,
    text: short(histogram.edges[0]!),
    color: INK,
    size: 10,
    anchor: "start",
  });
  shapes.push({
    kind: "text",
    x: x0 + PANEL_WIDTH,
    y: y0 + PANEL_HEIGHT + 14,
    text: short(histogram.edges[bins]!),
    color: INK,
    size: 10,
    anchor: "end",
  });
  return shapes;
}

/** The report's histograms (from `featureHistograms`) in a grid of panels, four per row. */
export function musicReportScene(args: {
  title: string;
  report: MusicReport;
  histograms: Record<ScalarFeature, FeatureHistogram>;
}): Scene {
  const { summary, human } = args.report;
  const rows = Math.ceil(SCALAR_FEATURES.length / COLUMNS);
  const width = LEFT * 2 + COLUMNS * PANEL_WIDTH + (COLUMNS - 1) * GAP_X;
  const height = TOP + rows * (PANEL_HEIGHT + GAP_Y);
  const baseline = human === null ? "" : ` (human ${human["copy@16"].toFixed(3)})`;
  const longest = human === null ? "" : ` (human max ${human.longestMax})`;
  const header =
    `${summary.pieces} pieces: collapse ${summary.collapseRate.toFixed(2)}, copy@16 ${summary["copy@16"].toFixed(3)}${baseline}, ` +
    `longest copy ${summary.longestMax} notes${longest}, mean OA ${summary.meanOA === null ? "-" : summary.meanOA.toFixed(3)}`;
  const shapes: Shape[] = [
    { kind: "rect", x: 0, y: 0, width, height, fill: WHITE, stroke: null },
    { kind: "text", x: width / 2, y: 24, text: args.title, color: INK, size: 16, anchor: "middle" },
    { kind: "text", x: width / 2, y: 46, text: header, color: INK, size: 12, anchor: "middle" },
    { kind: "rect", x: LEFT, y: 58, width: 12, height: 10, fill: GENERATED, stroke: null },
    { kind: "text", x: LEFT + 18, y: 67, text: "generated pieces", color: INK, size: 11, anchor: "start" },
    { kind: "rect", x: LEFT + 140, y: 58, width: 12, height: 10, fill: REFERENCE, stroke: null },
    { kind: "text", x: LEFT + 158, y: 67, text: "training songs", color: INK, size: 11, anchor: "start" },
  ];
  SCALAR_FEATURES.forEach((feature, i) => {
    const x0 = LEFT + (i % COLUMNS) * (PANEL_WIDTH + GAP_X);
    const y0 = TOP + Math.floor(i / COLUMNS) * (PANEL_HEIGHT + GAP_Y);
    shapes.push(
      ...histogramPanel(feature, args.histograms[feature], summary.oa?.[feature].oa ?? null, x0, y0),
    );
  });
  return { width, height, shapes };
}
