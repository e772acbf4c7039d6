// What "normal" looks like for each scalar feature in a corpus: quantiles over its songs, so a piece
// can be shown against its model's training set, and histograms of two sets on one shared grid.
import { SCALAR_FEATURES, type PieceFeatures, type ScalarFeature } from "./piece-features.js";

/** A feature's spread over a set of songs. */
export interface FeatureRange {
  min: number;
  /** 10th percentile. */
  p10: number;
  median: number;
  /** 90th percentile. */
  p90: number;
  max: number;
  mean: number;
  /** Population standard deviation. */
  std: number;
}

/** Histograms of one feature for two sets on the same bins (`edges` has bins + 1 entries). */
export interface FeatureHistogram {
  edges: number[];
  /** Share of the generated pieces in each bin (sums to 1, or all 0 for no pieces). */
  generated: number[];
  /** Share of the reference songs in each bin. */
  reference: number[];
}

/** Where a value sits against a range: under its 10th percentile, between p10 and p90, or over p90. */
export type RangePosition = "below" | "typical" | "above";

/** Linear-interpolated quantile q (0..1) of values sorted ascending; 0 for none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const at = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const low = Math.floor(at);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

/** The range of a list of values; all zero for none. */
export function valueRange(values: readonly number[]): FeatureRange {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length === 0 ? 0 : sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  const std =
    sorted.length === 0 ? 0 : Math.sqrt(sorted.reduce((sum, v) => sum + (v - mean) ** 2, 0) / sorted.length);
  return {
    min: quantile(sorted, 0),
    p10: quantile(sorted, 0.1),
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    max: quantile(sorted, 1),
    mean,
    std,
  };
}

/** Per scalar feature, its range over the given songs' features. */
export function featureRanges(features: readonly PieceFeatures[]): Record<ScalarFeature, FeatureRange> {
  return Object.fromEntries(
    SCALAR_FEATURES.map((key) => [key, valueRange(features.map((f) => f[key]))]),
  ) as Record<ScalarFeature, FeatureRange>;
}

/** "below" under p10, "above" over p90, else "typical". */
export function rangePosition(value: number, range: Pick<FeatureRange, "p10" | "p90">): RangePosition {
  if (value < range.p10) return "below";
  if (value > range.p90) return "above";
  return "typical";
}

/** Shares of `values` in each bin of `edges` (the last bin includes its right edge). */
function binShares(values: readonly number[], edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  const low = edges[0]!;
  const width = (edges[bins]! - low) / bins;
  for (const value of values) {
    const bin = width === 0 ? 0 : Math.min(bins - 1, Math.max(0, Math.floor((value - low) / width)));
    counts[bin]! += 1;
  }
  return counts.map((count) => (values.length === 0 ? 0 : count / values.length));
}

/**
 * Per scalar feature, histograms of the generated pieces and the reference songs over one grid of
 * `bins` equal bins spanning both sets (a single value gets a unit-wide grid around it).
 */
export function featureHistograms(
  generated: readonly PieceFeatures[],
  reference: readonly PieceFeatures[],
  bins = 16,
): Record<ScalarFeature, FeatureHistogram> {
  if (!Number.isInteger(bins) || bins < 1)
    throw new RangeError(`bins must be a positive integer, got ${bins}`);
  return Object.fromEntries(
    SCALAR_FEATURES.map((key) => {
      const g = generated.map((f) => f[key]);
      const r = reference.map((f) => f[key]);
      const all = [...g, ...r];
      let low = all.length === 0 ? 0 : all.reduce((m, v) => Math.min(m, v), Infinity);
      let high = all.length === 0 ? 1 : all.reduce((m, v) => Math.max(m, v), -Infinity);
      if (high === low) [low, high] = [low - 0.5, high + 0.5];
      const edges = Array.from({ length: bins + 1 }, (_, i) => low + ((high - low) * i) / bins);
      return [key, { edges, generated: binShares(g, edges), reference: binShares(r, edges) }];
    }),
  ) as Record<ScalarFeature, FeatureHistogram>;
}
