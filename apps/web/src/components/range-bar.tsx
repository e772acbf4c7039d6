import type { MetricRange } from "@/lib/music-report";

const WIDTH = 160;
const HEIGHT = 18;
const PAD = 5;

/**
 * A value against the training songs' spread: the line spans min–max (widened to hold the value),
 * the shaded band is p10–p90 ("typical"), the tick the median and the dot the piece.
 */
export function RangeBar({ value, range, label }: { value: number; range: MetricRange; label: string }) {
  // Padded, so a range of one value (or one off by rounding noise) reads as a point, not a full bar.
  const pad = Math.max(
    (Math.max(range.max, value) - Math.min(range.min, value)) * 0.04,
    Math.max(Math.abs(range.min), Math.abs(range.max), 1e-3) * 0.02,
  );
  const low = Math.min(range.min, value) - pad;
  const high = Math.max(range.max, value) + pad;
  const span = high - low;
  const x = (v: number) => PAD + ((v - low) / span) * (WIDTH - 2 * PAD);
  const mid = HEIGHT / 2;
  return (
    <svg
      className="range-bar"
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={label}
    >
      <line x1={x(range.min)} x2={x(range.max)} y1={mid} y2={mid} className="range-line" />
      <rect
        x={x(range.p10)}
        width={Math.max(2, x(range.p90) - x(range.p10))}
        y={mid - 4}
        height={8}
        rx={3}
        className="range-band"
      />
      <line x1={x(range.median)} x2={x(range.median)} y1={mid - 6} y2={mid + 6} className="range-median" />
      <circle cx={x(value)} cy={mid} r={4.5} className="range-dot" />
    </svg>
  );
}
