// Training progress on stderr: a live bar with per-epoch and overall ETA and tokens/s on a
// terminal; otherwise (logs, CI, pipes) one plain line per epoch, plus a plain progress line with
// the ETAs at most once a minute while a long epoch runs. Either way, after the first few steps one
// line says the speed and how long an epoch will take, and validations inside an epoch get a line.
import type { EpochMetrics, ValidationPoint } from "@motif/core";

interface ProgressOptions {
  totalEpochs: number;
  tty: boolean;
  write: (text: string) => void;
  now?: () => number;
  /** Terminal width for the bar. */
  columns?: number;
  /** Without a terminal: seconds between progress lines inside an epoch (default 60). */
  plainIntervalSeconds?: number;
  /** Shown beside the epoch estimate: how much of an epoch the budget covers. */
  timeBudgetSeconds?: number;
}

/** Steps timed for the up-front estimate; the first step (warm-up, compilation) is not counted. */
export const ESTIMATE_STEPS = 10;

interface ProgressReporter {
  /** `tokens`: trained on in this batch (for tokens/s). */
  onBatch(progress: { epoch: number; batch: number; batches: number; loss: number; tokens?: number }): void;
  onEpoch(metrics: EpochMetrics): void;
  /** A validation inside an epoch (`step`, `stop`) gets its own line; epoch ends are onEpoch's. */
  onValidation(point: ValidationPoint): void;
  /** Clears a half-drawn bar (before printing anything else). */
  clear(): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

export function formatEpochLine(metrics: EpochMetrics, totalEpochs: number): string {
  const parts = [
    `epoch ${String(metrics.epoch).padStart(String(totalEpochs).length)}/${totalEpochs}`,
    `loss ${metrics.loss.toFixed(4)}`,
    `acc ${metrics.accuracy.toFixed(4)}`,
    `val loss ${metrics.valLoss === null ? "-" : metrics.valLoss.toFixed(4)}`,
    `val acc ${metrics.valAccuracy === null ? "-" : metrics.valAccuracy.toFixed(4)}`,
    `ppl ${metrics.perplexity === null ? "-" : metrics.perplexity.toFixed(2)}`,
    ...(metrics.valInKeyMass == null ? [] : [`in-key ${metrics.valInKeyMass.toFixed(3)}`]),
    ...(metrics.valNoteAccuracy == null ? [] : [`note acc ${metrics.valNoteAccuracy.toFixed(3)}`]),
    `${Math.round(metrics.tokensPerSecond).toLocaleString("en-US")} tok/s`,
    `elapsed ${formatDuration(metrics.elapsedSeconds)}`,
  ];
  return parts.join("  ");
}

function formatRate(tokensPerSecond: number): string {
  return `${Math.round(tokensPerSecond).toLocaleString("en-US")} tok/s`;
}

/** A validation inside an epoch: where it fell and what it measured. */
export function formatValidationLine(point: ValidationPoint, totalEpochs: number): string {
  const parts = [
    `${point.at === "stop" ? "time budget reached at step" : "step"} ${point.step.toLocaleString("en-US")} (epoch ${point.epoch}/${totalEpochs})`,
    `loss ${point.loss.toFixed(4)}`,
    `val loss ${point.valLoss === null ? "-" : point.valLoss.toFixed(4)}`,
    `val acc ${point.valAccuracy === null ? "-" : point.valAccuracy.toFixed(4)}`,
    ...(point.valInKeyMass === null ? [] : [`in-key ${point.valInKeyMass.toFixed(3)}`]),
    `elapsed ${formatDuration(point.elapsedSeconds)}`,
  ];
  return parts.join("  ");
}

/** "speed: 3,210 tok/s; an epoch of 1,250 steps ≈ 1:42:30 (time budget 30:00 ≈ 0.29 epochs)". */
function formatEstimateLine(args: {
  tokensPerSecond: number;
  secondsPerStep: number;
  batches: number;
  timeBudgetSeconds?: number;
}): string {
  const epochSeconds = args.secondsPerStep * args.batches;
  const budget =
    args.timeBudgetSeconds === undefined
      ? ""
      : ` (time budget ${formatDuration(args.timeBudgetSeconds)} ≈ ${Number((args.timeBudgetSeconds / epochSeconds).toPrecision(2))} epochs)`;
  return `speed: ${formatRate(args.tokensPerSecond)}, ${args.secondsPerStep.toFixed(2)} s/step; an epoch of ${args.batches.toLocaleString("en-US")} steps ≈ ${formatDuration(epochSeconds)}${budget}`;
}

export function createProgressReporter(options: ProgressOptions): ProgressReporter {
  const now = options.now ?? (() => performance.now() / 1000);
  let lastEpochEnd = now();
  let lastDraw = -Infinity;
  let drawn = false;
  const epochDurations: number[] = [];
  let epochTokens = 0;
  // The up-front estimate times steps from one batch's end to the next; a gap with a validation in
  // it (or the first step: warm-up, compilation) is not counted.
  const timing = { last: null as number | null, steps: 0, seconds: 0, tokens: 0, done: false };

  const clear = () => {
    if (drawn) options.write("\r\x1b[2K");
    drawn = false;
  };

  const estimateAfter = (t: number, batches: number, tokens: number | undefined) => {
    if (timing.done || tokens === undefined) return;
    const last = timing.last;
    timing.last = t;
    if (last === null) return;
    timing.steps++;
    timing.seconds += t - last;
    timing.tokens += tokens;
    if (timing.steps < ESTIMATE_STEPS) return;
    const seconds = Math.max(timing.seconds, 1e-9);
    clear();
    options.write(
      formatEstimateLine({
        tokensPerSecond: timing.tokens / seconds,
        secondsPerStep: seconds / timing.steps,
        batches,
        ...(options.timeBudgetSeconds === undefined ? {} : { timeBudgetSeconds: options.timeBudgetSeconds }),
      }) + "\n",
    );
    timing.done = true;
  };

  return {
    onBatch({ epoch, batch, batches, loss, tokens }) {
      const t = now();
      epochTokens += tokens ?? 0;
      estimateAfter(t, batches, tokens);
      const minGap = options.tty ? 0.1 : (options.plainIntervalSeconds ?? 60);
      // Without a terminal the first line waits a full interval (short epochs print none) and the epoch line ends the epoch.
      if (!options.tty && lastDraw < lastEpochEnd) lastDraw = lastEpochEnd;
      if (options.tty ? t - lastDraw < minGap && batch < batches : t - lastDraw < minGap || batch >= batches)
        return;
      lastDraw = t;
      const done = batch / Math.max(1, batches);
      const epochElapsed = t - lastEpochEnd;
      const epochEta = done > 0 ? (epochElapsed / done) * (1 - done) : NaN;
      const perEpoch =
        epochDurations.length > 0
          ? epochDurations.reduce((a, b) => a + b, 0) / epochDurations.length
          : done > 0
            ? epochElapsed / done
            : NaN;
      const epochsLeft = options.totalEpochs - epoch;
      const totalEta = epochEta + epochsLeft * perEpoch;
      const rate = tokens === undefined ? "" : `  ${formatRate(epochTokens / Math.max(epochElapsed, 1e-9))}`;
      const text = `epoch ${epoch}/${options.totalEpochs} {bar} ${batch}/${batches}  loss ${loss.toFixed(4)}${rate}  ETA ${formatDuration(epochEta)}  total ETA ${formatDuration(totalEta)}`;
      if (!options.tty) {
        options.write(text.replace("{bar}", `${Math.floor(done * 100)}%`) + "\n");
        return;
      }
      const barWidth = Math.max(10, Math.min(40, (options.columns ?? 100) - text.length + 5));
      const filled = Math.round(done * barWidth);
      options.write(
        `\r\x1b[2K${text.replace("{bar}", `[${"#".repeat(filled)}${".".repeat(barWidth - filled)}]`)}`,
      );
      drawn = true;
    },
    onEpoch(metrics) {
      clear();
      const t = now();
      epochDurations.push(t - lastEpochEnd);
      lastEpochEnd = t;
      epochTokens = 0;
      timing.last = null; // the epoch's validation is no step time
      options.write(formatEpochLine(metrics, options.totalEpochs) + "\n");
    },
    onValidation(point) {
      if (point.at === "epoch") return;
      timing.last = null;
      clear();
      options.write(formatValidationLine(point, options.totalEpochs) + "\n");
    },
    clear,
  };
}
