// The training-curves picture as plain drawing primitives (lines, text, rectangles), laid out
// once and rendered twice: by hand to SVG and rasterised to PNG, so both show the same thing.
import type { EpochMetrics } from "@motif/core";

export type Rgb = readonly [number, number, number];

export type Shape =
  | { kind: "rect"; x: number; y: number; width: number; height: number; fill: Rgb; stroke: Rgb | null }
  | {
      kind: "line";
      points: readonly (readonly [number, number])[];
      color: Rgb;
      width: number;
      dashed: boolean;
    }
  | {
      kind: "text";
      x: number;
      y: number;
      text: string;
      color: Rgb;
      size: number;
      anchor: "start" | "middle" | "end";
    };

export interface Scene {
  width: number;
  height: number;
  shapes: Shape[];
}

const TRAIN_COLOR: Rgb = [31, 119, 180];
const VALIDATION_COLOR: Rgb = [255, 127, 14];
const INK: Rgb = [40, 40, 40];
const GRID: Rgb = [225, 225, 225];
const WHITE: Rgb = [255, 255, 255];

interface Panel {
  title: string;
  train: number[];
  validation: (number | null)[];
}

/** "Nice" tick values covering [low, high]. */
export function niceTicks(low: number, high: number, count: number): number[] {
  if (!(high > low)) high = low + 1;
  const rough = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? rough;
  const ticks: number[] = [];
  const first = Math.floor(low / step + 1e-9);
  const last = Math.ceil(high / step - 1e-9);
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

function tickLabel(value: number): string {
  return Number.isInteger(value)
    ? String(value)
    : value.toFixed(Math.abs(value) < 1 ? 2 : 1).replace(/0$/, "");
}

function panelShapes(
  panel: Panel,
  epochs: number[],
  x0: number,
  y0: number,
  width: number,
  height: number,
): Shape[] {
  const values = [...panel.train, ...panel.validation.filter((v): v is number => v !== null)].filter(
    Number.isFinite,
  );
  const yTicks = niceTicks(Math.min(0, ...values), Math.max(...values, 1e-6), 5);
  const yLow = yTicks[0]!;
  const yHigh = yTicks[yTicks.length - 1]!;
  const firstEpoch = epochs[0] ?? 1;
  const lastEpoch = Math.max(epochs[epochs.length - 1] ?? 1, firstEpoch + 1);
  const px = (epoch: number) => x0 + ((epoch - firstEpoch) / (lastEpoch - firstEpoch)) * width;
  const py = (value: number) => y0 + height - ((value - yLow) / (yHigh - yLow)) * height;
  const shapes: Shape[] = [{ kind: "rect", x: x0, y: y0, width, height, fill: WHITE, stroke: INK }];
  for (const tick of yTicks) {
    const y = py(tick);
    if (tick !== yLow && tick !== yHigh)
      shapes.push({
        kind: "line",
        points: [
          [x0, y],
          [x0 + width, y],
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
  for (const tick of niceTicks(firstEpoch, lastEpoch, 6).filter(
    (t) => Number.isInteger(t) && t >= firstEpoch && t <= lastEpoch,
  )) {
    shapes.push({
      kind: "text",
      x: px(tick),
      y: y0 + height + 16,
      text: String(tick),
      color: INK,
      size: 11,
      anchor: "middle",
    });
  }
  shapes.push({
    kind: "text",
    x: x0 + width / 2,
    y: y0 - 10,
    text: panel.title,
    color: INK,
    size: 14,
    anchor: "middle",
  });
  shapes.push({
    kind: "text",
    x: x0 + width / 2,
    y: y0 + height + 34,
    text: "epoch",
    color: INK,
    size: 11,
    anchor: "middle",
  });
  const series = (data: (number | null)[], color: Rgb, dashed: boolean) => {
    const points = data.flatMap((v, i) =>
      v === null || !Number.isFinite(v) ? [] : [[px(epochs[i]!), py(v)] as const],
    );
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
    else if (points.length > 1) shapes.push({ kind: "line", points, color, width: 2, dashed });
  };
  series(panel.train, TRAIN_COLOR, false);
  series(panel.validation, VALIDATION_COLOR, true);
  // Legend in the top-right corner of the panel.
  const legendX = x0 + width - 120;
  [
    ["training", TRAIN_COLOR, false],
    ["validation", VALIDATION_COLOR, true],
  ].forEach(([label, color, dashed], i) => {
    const y = y0 + 16 + i * 16;
    shapes.push({
      kind: "line",
      points: [
        [legendX, y - 4],
        [legendX + 24, y - 4],
      ],
      color: color as Rgb,
      width: 2,
      dashed: dashed as boolean,
    });
    shapes.push({
      kind: "text",
      x: legendX + 30,
      y,
      text: label as string,
      color: INK,
      size: 11,
      anchor: "start",
    });
  });
  return shapes;
}

/** Loss and accuracy per epoch, training and validation: the two pictures the seed notebook showed. */
export function curvesScene(history: readonly EpochMetrics[], title: string): Scene {
  const width = 960;
  const height = 400;
  const epochs = history.map((m) => m.epoch);
  const panels: Panel[] = [
    { title: "Loss", train: history.map((m) => m.loss), validation: history.map((m) => m.valLoss) },
    {
      title: "Accuracy",
      train: history.map((m) => m.accuracy),
      validation: history.map((m) => m.valAccuracy),
    },
  ];
  const shapes: Shape[] = [
    { kind: "rect", x: 0, y: 0, width, height, fill: WHITE, stroke: null },
    { kind: "text", x: width / 2, y: 24, text: title, color: INK, size: 16, anchor: "middle" },
  ];
  panels.forEach((panel, i) => shapes.push(...panelShapes(panel, epochs, 70 + i * 480, 70, 380, 270)));
  return { width, height, shapes };
}
