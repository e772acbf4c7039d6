// Training progress on stderr: a live bar with per-epoch and overall ETA on a terminal; otherwise
// (logs, CI, pipes) one plain line per epoch, plus a plain progress line with the ETAs at most
// once a minute while a long epoch runs.
import type { EpochMetrics } from "@motif/core";

export interface ProgressOptions {
  totalEpochs: number;
  tty: boolean;
  write: (text: string) => void;
  now?: () => number;
  /** Terminal width for the bar. */
  columns?: number;
  /** Without a terminal: seconds between progress lines inside an epoch (default 60). */
  plainIntervalSeconds?: number;
}

export interface ProgressReporter {
  onBatch(progress: { epoch: number; batch: number; batches: number; loss: number }): void;
  onEpoch(metrics: EpochMetrics): void;
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

export function createProgressReporter(options: ProgressOptions): ProgressReporter {
  const now = options.now ?? (() => performance.now() / 1000);
  let lastEpochEnd = now();
  let lastDraw = -Infinity;
  let drawn = false;
  const epochDurations: number[] = [];

  const clear = () => {
    if (drawn) options.write("\r\x1b[2K");
    drawn = false;
  };

  return {
    onBatch({ epoch, batch, batches, loss }) {
      const t = now();
      const minGap = options.tty ? 0.1 : (options.plainIntervalSeconds ?? 60);
      // Without a terminal the first line waits a full interval (short epochs print none) and the epoch line ends the epoch.
      if (!options.tty && lastDraw < lastEpochEnd) lastDraw = lastEpochEnd;
      if (options.tty ? t - lastDraw < minGap && batch < batches : t - lastDraw < minGap || batch >= batches) return;
      lastDraw = t;
      const done = batch / Math.max(1, batches);
      const epochElapsed = t - lastEpochEnd;
      const epochEta = done > 0 ? (epochElapsed / done) * (1 - done) : NaN;
      const perEpoch = epochDurations.length > 0 ? epochDurations.reduce((a, b) => a + b, 0) / epochDurations.length : done > 0 ? epochElapsed / done : NaN;
      const epochsLeft = options.totalEpochs - epoch;
      const totalEta = epochEta + epochsLeft * perEpoch;
      const text = `epoch ${epoch}/${options.totalEpochs} {bar} ${batch}/${batches}  loss ${loss.toFixed(4)}  ETA ${formatDuration(epochEta)}  total ETA ${formatDuration(totalEta)}`;
      if (!options.tty) {
        options.write(text.replace("{bar}", `${Math.floor(done * 100)}%`) + "\n");
        return;
      }
      const barWidth = Math.max(10, Math.min(40, (options.columns ?? 100) - text.length + 5));
      const filled = Math.round(done * barWidth);
      options.write(`\r\x1b[2K${text.replace("{bar}", `[${"#".repeat(filled)}${".".repeat(barWidth - filled)}]`)}`);
      drawn = true;
    },
    onEpoch(metrics) {
      clear();
      const t = now();
      epochDurations.push(t - lastEpochEnd);
      lastEpochEnd = t;
      options.write(formatEpochLine(metrics, options.totalEpochs) + "\n");
    },
    clear,
  };
}
