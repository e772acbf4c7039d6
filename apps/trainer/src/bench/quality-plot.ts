// The time-to-quality picture: validation loss against minutes of training for each run, the
// best loss of the baseline as a dashed line and the time budget as a vertical line.
import { niceTicks, type Rgb, type Scene, type Shape } from "../charts/curves-scene.js";

interface QualitySeries {
  label: string;
  /** [minutes since training started, validation loss] per epoch. */
  points: readonly (readonly [number, number])[];
}

const COLORS: readonly Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
];
const INK: Rgb = [40, 40, 40];
const GRID: Rgb = [225, 225, 225];
const MUTED: Rgb = [150, 150, 150];
const WHITE: Rgb = [255, 255, 255];

function tickLabel(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(3)));
}

export function qualityScene(args: {
  title: string;
  series: readonly QualitySeries[];
  /** Horizontal reference: the baseline's best validation loss. */
  baseline: { label: string; loss: number } | null;
  budgetMinutes: number;
}): Scene {
  const width = 960;
  const height = 480;
  const x0 = 80;
  const y0 = 70;
  const plotWidth = 640;
  const plotHeight = 340;
  const all = args.series.flatMap((s) => s.points);
  const losses = [...all.map(([, loss]) => loss), ...(args.baseline ? [args.baseline.loss] : [])].filter(
    Number.isFinite,
  );
  const yTicks = niceTicks(Math.min(...losses), Math.max(...losses), 6);
  const xTicks = niceTicks(0, Math.max(args.budgetMinutes, ...all.map(([minutes]) => minutes)), 8);
  const [yLow, yHigh] = [yTicks[0]!, yTicks.at(-1)!];
  const xHigh = xTicks.at(-1)!;
  const px = (minutes: number) => x0 + (minutes / xHigh) * plotWidth;
  const py = (loss: number) => y0 + plotHeight - ((loss - yLow) / (yHigh - yLow)) * plotHeight;

  const shapes: Shape[] = [
    { kind: "rect", x: 0, y: 0, width, height, fill: WHITE, stroke: null },
    { kind: "text", x: width / 2, y: 28, text: args.title, color: INK, size: 16, anchor: "middle" },
    { kind: "rect", x: x0, y: y0, width: plotWidth, height: plotHeight, fill: WHITE, stroke: INK },
  ];
  for (const tick of yTicks) {
    const y = py(tick);
    if (tick !== yLow && tick !== yHigh)
      shapes.push({
        kind: "line",
        points: [
          [x0, y],
          [x0 + plotWidth, y],
        ],
        color: GRID,
        width: 1,
        dashed: false,
      });
    shapes.push({
      kind: "text",
      x: x0 - 6,
      y: y + 4,
      text: tickLabel(tick),
      color: INK,
      size: 11,
      anchor: "end",
    });
  }
  for (const tick of xTicks)
    shapes.push({
      kind: "text",
      x: px(tick),
      y: y0 + plotHeight + 16,
      text: tickLabel(tick),
      color: INK,
      size: 11,
      anchor: "middle",
    });
  shapes.push({
    kind: "text",
    x: x0 + plotWidth / 2,
    y: y0 + plotHeight + 36,
    text: "minutes of training (wall clock)",
    color: INK,
    size: 12,
    anchor: "middle",
  });
  shapes.push({
    kind: "text",
    x: x0 - 50,
    y: y0 - 12,
    text: "validation loss (nats/token)",
    color: INK,
    size: 12,
    anchor: "start",
  });

  const budgetX = px(args.budgetMinutes);
  shapes.push({
    kind: "line",
    points: [
      [budgetX, y0],
      [budgetX, y0 + plotHeight],
    ],
    color: MUTED,
    width: 1,
    dashed: true,
  });
  shapes.push({
    kind: "text",
    x: budgetX + 4,
    y: y0 + 14,
    text: `${args.budgetMinutes} min`,
    color: MUTED,
    size: 11,
    anchor: "start",
  });

  const legend: { label: string; color: Rgb; dashed: boolean }[] = [];
  args.series.forEach((series, i) => {
    const color = COLORS[i % COLORS.length]!;
    const points = series.points
      .filter(([, loss]) => Number.isFinite(loss))
      .map(([m, loss]) => [px(m), py(loss)] as const);
    if (points.length === 1)
      shapes.push({
        kind: "rect",
        x: points[0]![0] - 2,
        y: points[0]![1] - 2,
        width: 4,
        height: 4,
        fill: color,
        stroke: null,
      });
    else if (points.length > 1) shapes.push({ kind: "line", points, color, width: 2, dashed: false });
    legend.push({ label: series.label, color, dashed: false });
  });
  if (args.baseline) {
    const y = py(args.baseline.loss);
    shapes.push({
      kind: "line",
      points: [
        [x0, y],
        [x0 + plotWidth, y],
      ],
      color: COLORS[1]!,
      width: 1,
      dashed: true,
    });
    legend.push({ label: args.baseline.label, color: COLORS[1]!, dashed: true });
  }
  const legendX = x0 + plotWidth + 20;
  legend.forEach(({ label, color, dashed }, i) => {
    const y = y0 + 16 + i * 20;
    shapes.push({
      kind: "line",
      points: [
        [legendX, y - 4],
        [legendX + 24, y - 4],
      ],
      color,
      width: 2,
      dashed,
    });
    shapes.push({ kind: "text", x: legendX + 30, y, text: label, color: INK, size: 11, anchor: "start" });
  });
  return { width, height, shapes };
}
