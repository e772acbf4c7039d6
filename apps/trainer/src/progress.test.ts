import { describe, expect, it } from "vitest";
import type { EpochMetrics } from "@motif/core";
import { createProgressReporter, formatDuration, formatEpochLine } from "./progress.js";

const metrics = (epoch: number): EpochMetrics => ({ epoch, loss: 2.5, accuracy: 0.31, valLoss: 2.75, valAccuracy: 0.28, perplexity: Math.exp(2.75), tokensPerSecond: 1234.4, elapsedSeconds: 75, learningRate: 0.002 });

describe("progress", () => {
  it("formats durations", () => {
    expect(formatDuration(5)).toBe("0:05");
    expect(formatDuration(125)).toBe("2:05");
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(Number.NaN)).toBe("--:--");
  });

  it("prints one plain line per epoch without a terminal", () => {
    const out: string[] = [];
    const reporter = createProgressReporter({ totalEpochs: 3, tty: false, write: (t) => out.push(t) });
    reporter.onBatch({ epoch: 1, batch: 1, batches: 10, loss: 3 });
    reporter.onEpoch(metrics(1));
    expect(out).toEqual(["epoch 1/3  loss 2.5000  acc 0.3100  val loss 2.7500  val acc 0.2800  ppl 15.64  1,234 tok/s  elapsed 1:15\n"]);
  });

  it("without a terminal, prints a progress line with ETAs at most once per interval inside a long epoch", () => {
    const out: string[] = [];
    let now = 0;
    const reporter = createProgressReporter({ totalEpochs: 2, tty: false, write: (t) => out.push(t), now: () => now, plainIntervalSeconds: 60 });
    now = 30;
    reporter.onBatch({ epoch: 1, batch: 25, batches: 100, loss: 4 });
    expect(out).toEqual([]); // less than an interval since the start
    now = 60;
    reporter.onBatch({ epoch: 1, batch: 50, batches: 100, loss: 3.5 });
    // half of epoch 1 in 60 s: 60 s left in it, then one more epoch of 120 s
    expect(out).toEqual(["epoch 1/2 50% 50/100  loss 3.5000  ETA 1:00  total ETA 3:00\n"]);
    now = 90;
    reporter.onBatch({ epoch: 1, batch: 75, batches: 100, loss: 3.4 });
    expect(out).toHaveLength(1);
    now = 121;
    reporter.onBatch({ epoch: 1, batch: 100, batches: 100, loss: 3.3 });
    expect(out).toHaveLength(1); // the epoch's own line follows instead
    reporter.onEpoch(metrics(1));
    expect(out).toHaveLength(2);
    now = 150;
    reporter.onBatch({ epoch: 2, batch: 10, batches: 100, loss: 3.2 });
    expect(out).toHaveLength(2); // the interval restarts with each epoch
  });

  it("draws a bar with epoch and overall ETA on a terminal", () => {
    const out: string[] = [];
    let now = 0;
    const reporter = createProgressReporter({ totalEpochs: 4, tty: true, write: (t) => out.push(t), now: () => now });
    now = 10; // 10 s for half of epoch 1 → 10 s left in the epoch, 3 more epochs of 20 s
    reporter.onBatch({ epoch: 1, batch: 5, batches: 10, loss: 3.21 });
    const bar = out.at(-1)!;
    expect(bar).toContain("epoch 1/4 [");
    expect(bar).toContain("5/10  loss 3.2100  ETA 0:10  total ETA 1:10");
    reporter.onEpoch(metrics(1));
    expect(out.at(-2)).toBe("\r\x1b[2K"); // the bar is cleared before the epoch line
    expect(out.at(-1)).toMatch(/^epoch 1\/4 {2}loss/);
  });

  it("shows missing validation as a dash", () => {
    expect(formatEpochLine({ ...metrics(2), valLoss: null, valAccuracy: null, perplexity: null }, 10)).toContain("val loss -  val acc -  ppl -");
  });
});
