import { describe, expect, it } from "vitest";
import type { EpochMetrics } from "@motif/core";
import {
  ESTIMATE_STEPS,
  createProgressReporter,
  formatDuration,
  formatEpochLine,
  formatValidationLine,
} from "./progress.js";

const metrics = (epoch: number): EpochMetrics => ({
  epoch,
  loss: 2.5,
  accuracy: 0.31,
  valLoss: 2.75,
  valAccuracy: 0.28,
  perplexity: Math.exp(2.75),
  tokensPerSecond: 1234.4,
  elapsedSeconds: 75,
  learningRate: 0.002,
});

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
    expect(out).toEqual([
      "epoch 1/3  loss 2.5000  acc 0.3100  val loss 2.7500  val acc 0.2800  ppl 15.64  1,234 tok/s  elapsed 1:15\n",
    ]);
  });

  it("without a terminal, prints a progress line with ETAs at most once per interval inside a long epoch", () => {
    const out: string[] = [];
    let now = 0;
    const reporter = createProgressReporter({
      totalEpochs: 2,
      tty: false,
      write: (t) => out.push(t),
      now: () => now,
      plainIntervalSeconds: 60,
    });
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
    const reporter = createProgressReporter({
      totalEpochs: 4,
      tty: true,
      write: (t) => out.push(t),
      now: () => now,
    });
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
    expect(
      formatEpochLine({ ...metrics(2), valLoss: null, valAccuracy: null, perplexity: null }, 10),
    ).toContain("val loss -  val acc -  ppl -");
  });

  it("after the first steps, says the speed and how long an epoch will take (and how much of one a time budget covers)", () => {
    const out: string[] = [];
    let now = 0;
    const reporter = createProgressReporter({
      totalEpochs: 3,
      tty: false,
      write: (t) => out.push(t),
      now: () => now,
      timeBudgetSeconds: 600,
    });
    now = 5; // the first step (warm-up) is not timed
    reporter.onBatch({ epoch: 1, batch: 1, batches: 1000, loss: 4, tokens: 1024 });
    for (let step = 1; step <= ESTIMATE_STEPS; step++) {
      now = 5 + step * 0.5;
      reporter.onBatch({ epoch: 1, batch: step + 1, batches: 1000, loss: 4, tokens: 1024 });
    }
    // 1,024 tokens per 0.5 s step; 1,000 steps of 0.5 s
    expect(out).toEqual([
      "speed: 2,048 tok/s, 0.50 s/step; an epoch of 1,000 steps ≈ 8:20 (time budget 10:00 ≈ 1.2 epochs)\n",
    ]);
    now = 100;
    reporter.onBatch({ epoch: 1, batch: 200, batches: 1000, loss: 4, tokens: 1024 });
    expect(out).toHaveLength(2); // said once; then the usual progress line, with tokens/s
    expect(out[1]).toMatch(/^epoch 1\/3 20% 200\/1000 {2}loss 4\.0000 {2}\d[\d,]* tok\/s {2}ETA/);
  });

  it("leaves the time of a validation out of the estimate", () => {
    const out: string[] = [];
    let now = 0;
    const reporter = createProgressReporter({
      totalEpochs: 1,
      tty: false,
      write: (t) => out.push(t),
      now: () => now,
    });
    const step = () => reporter.onBatch({ epoch: 1, batch: 1, batches: 100, loss: 4, tokens: 100 });
    step();
    for (let i = 0; i < ESTIMATE_STEPS; i++) {
      if (i === 3) {
        now += 50; // a validation every few steps
        reporter.onValidation({
          at: "step",
          epoch: 1,
          step: 4,
          tokensSeen: 400,
          elapsedSeconds: now,
          loss: 4,
          accuracy: 0,
          valLoss: 4,
          valAccuracy: 0,
          valInKeyMass: null,
          valNoteAccuracy: null,
          learningRate: 1,
        });
        now += 0.25;
        step(); // this gap holds the validation's end: not timed
      }
      now += 0.25;
      step();
    }
    expect(out.at(-1)).toBe("speed: 400 tok/s, 0.25 s/step; an epoch of 100 steps ≈ 0:25\n");
  });

  it("prints validations inside an epoch, and leaves epoch ends to the epoch line", () => {
    const out: string[] = [];
    const reporter = createProgressReporter({ totalEpochs: 3, tty: false, write: (t) => out.push(t) });
    const point = {
      at: "step" as const,
      epoch: 2,
      step: 1500,
      tokensSeen: 1e6,
      elapsedSeconds: 600,
      loss: 3.2,
      accuracy: 0.3,
      valLoss: 3.1,
      valAccuracy: 0.31,
      valInKeyMass: 0.9,
      valNoteAccuracy: null,
      learningRate: 0.001,
    };
    reporter.onValidation(point);
    reporter.onValidation({ ...point, at: "epoch" });
    expect(out).toEqual([formatValidationLine(point, 3) + "\n"]);
    expect(out[0]).toBe(
      "step 1,500 (epoch 2/3)  loss 3.2000  val loss 3.1000  val acc 0.3100  in-key 0.900  elapsed 10:00\n",
    );
    expect(formatValidationLine({ ...point, at: "stop", valLoss: null }, 3)).toMatch(
      /^time budget reached at step 1,500 .*val loss -/,
    );
  });
});
