import { describe, expect, it } from "vitest";
import { sceneToSvg } from "../charts/curves-svg.js";
import { bestValidation, firstBelow, splitSignature, type RunSummary } from "./quality.js";
import { qualityScene } from "./quality-plot.js";

const history = (losses: (number | null)[], secondsPerEpoch = 60): RunSummary["history"] =>
  losses.map((valLoss, i) => ({
    epoch: i + 1,
    valLoss,
    elapsedSeconds: (i + 1) * secondsPerEpoch,
    tokensPerSecond: 1000,
  }));

describe("time-to-quality figures", () => {
  it("finds the best validation loss and ignores epochs without one", () => {
    expect(bestValidation(history([5.2, null, 4.9, 5.0]))).toEqual({
      epoch: 3,
      loss: 4.9,
      elapsedSeconds: 180,
    });
    expect(bestValidation(history([null, null]))).toBeNull();
  });

  it("finds the first epoch strictly below a threshold, with its wall time", () => {
    const run = history([6, 5.5, 4.95, 4.8], 30);
    expect(firstBelow(run, 4.9)).toEqual({ epoch: 4, loss: 4.8, elapsedSeconds: 120 });
    expect(firstBelow(run, 4.95)).toEqual({ epoch: 4, loss: 4.8, elapsedSeconds: 120 });
    expect(firstBelow(run, 4.0)).toBeNull();
  });

  it("compares splits by file name and content hash, ignoring order", () => {
    const one = {
      dataset: {
        files: [
          { name: "a.mid", sha256: "1", split: "train" },
          { name: "b.mid", sha256: "2", split: "validation" },
          { name: "c.mid", sha256: "3", split: "train" },
        ],
      },
    };
    const reordered = {
      dataset: { files: [one.dataset.files[2]!, one.dataset.files[1]!, one.dataset.files[0]!] },
    };
    const moved = {
      dataset: {
        files: [
          { ...one.dataset.files[0]!, split: "validation" },
          one.dataset.files[1]!,
          one.dataset.files[2]!,
        ],
      },
    };
    expect(splitSignature(reordered)).toEqual(splitSignature(one));
    expect(splitSignature(moved)).not.toEqual(splitSignature(one));
    expect(splitSignature(one)).toEqual({ train: ["a.mid 1", "c.mid 3"], validation: ["b.mid 2"] });
  });

  it("plots both curves, the seed's best and the budget line", () => {
    const scene = qualityScene({
      title: "Time to quality",
      series: [
        {
          label: "default preset",
          points: [
            [0.5, 6],
            [1, 5],
            [2, 4.5],
          ],
        },
        {
          label: "seed preset",
          points: [
            [5, 5.3],
            [10, 5.0],
            [15, 5.1],
          ],
        },
      ],
      baseline: { label: "seed best 5.000", loss: 5 },
      budgetMinutes: 15,
    });
    const lines = scene.shapes.filter((s) => s.kind === "line");
    // two curves, the budget line, the baseline, and a legend line per entry (3)
    expect(lines.filter((l) => l.kind === "line" && l.points.length === 3)).toHaveLength(2);
    const svg = sceneToSvg(scene);
    expect(svg).toContain("seed best 5.000");
    expect(svg).toContain("15 min");
    for (const shape of scene.shapes) {
      if (shape.kind === "line")
        for (const [x, y] of shape.points) expect(Number.isFinite(x) && Number.isFinite(y)).toBe(true);
    }
  });
});
