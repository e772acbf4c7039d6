// Set-level comparison of generated and reference pieces (Yang & Lerch, "On the evaluation of
// generative models in music", 2020): per scalar feature, the distribution of distances inside the
// reference set against the distances between the sets, compared by overlapping area and KL.
import { SCALAR_FEATURES, type PieceFeatures, type ScalarFeature } from "./piece-features.js";

/** Points of the shared grid the two distance densities are integrated on. */
export const KDE_GRID_SIZE = 512;

// A zero-spread sample still needs a kernel; 1e-6 of its largest |value| (or 1e-6 when all are 0)
// is far below any musical difference, so it only turns the spike into a well-defined density.
const BANDWIDTH_FLOOR = 1e-6;
// Beyond 8 bandwidths a Gaussian kernel adds under 1e-14 of its peak, so those samples are skipped.
const KERNEL_REACH = 8;
// Density floor inside the KL log, as a share of the uniform density on the grid: scale-free, and it
// keeps log(p/q) finite where the inter-set density has no mass at all.
const KL_FLOOR = 1e-10;

/** Overlap and divergence of the intra-set and inter-set distance densities of one feature. */
export interface FeatureComparison {
  /** Overlapping area ∫ min(p_intra, q_inter) dx, 0..1; 1 means the distributions coincide. */
  oa: number;
  /** KL(p_intra ‖ q_inter) in nats, ≥ 0; 0 means the distributions coincide. */
  kl: number;
  /** Mean pairwise distance inside the reference set. */
  intraMean: number;
  /** Mean distance between a generated and a reference piece. */
  interMean: number;
}

/** Result of `compareSets`. */
export interface SetComparison {
  features: Record<ScalarFeature, FeatureComparison>;
  /** Mean of `oa` over `SCALAR_FEATURES`. */
  meanOA: number;
}

/**
 * Compares a generated set with a reference set on every `SCALAR_FEATURES` entry (Yang & Lerch 2020).
 * Needs at least 2 reference pieces (for one intra-set distance) and 1 generated piece.
 */
export function compareSets(
  generated: readonly PieceFeatures[],
  reference: readonly PieceFeatures[],
): SetComparison {
  if (reference.length < 2)
    throw new Error(`compareSets needs at least 2 reference pieces, got ${reference.length}`);
  if (generated.length < 1) throw new Error("compareSets needs at least 1 generated piece, got 0");
  const entries = SCALAR_FEATURES.map((feature): [ScalarFeature, FeatureComparison] => {
    const ref = reference.map((f) => f[feature]);
    const intra = intraSetDistances(ref);
    const inter = interSetDistances(
      generated.map((f) => f[feature]),
      ref,
    );
    return [feature, { ...compareDistances(intra, inter), intraMean: mean(intra), interMean: mean(inter) }];
  });
  const meanOA = entries.reduce((sum, [, c]) => sum + c.oa, 0) / entries.length;
  return { features: Object.fromEntries(entries) as Record<ScalarFeature, FeatureComparison>, meanOA };
}

/** All |a − b| over pairs i < j of `values`. */
export function intraSetDistances(values: readonly number[]): number[] {
  const distances: number[] = [];
  for (let i = 0; i < values.length; i++) {
    for (let j = i + 1; j < values.length; j++)
      distances.push(Math.abs((values[i] as number) - (values[j] as number)));
  }
  return distances;
}

/** All |g − r| for g in `generated`, r in `reference`. */
export function interSetDistances(generated: readonly number[], reference: readonly number[]): number[] {
  const distances: number[] = [];
  for (const g of generated) for (const r of reference) distances.push(Math.abs(g - r));
  return distances;
}

/**
 * Scott's rule h = σ · n^(−1/5), σ the sample standard deviation (n − 1). Never below 1e-6 of the
 * largest |sample| (1e-6 when all are 0), so a constant or single sample still gets a kernel.
 */
export function scottBandwidth(samples: readonly number[]): number {
  const n = samples.length;
  if (n === 0) throw new RangeError("scottBandwidth needs at least one sample");
  const m = mean(samples);
  const sigma = n < 2 ? 0 : Math.sqrt(samples.reduce((sum, x) => sum + (x - m) ** 2, 0) / (n - 1));
  const scale = samples.reduce((s, x) => Math.max(s, Math.abs(x)), 0) || 1;
  return Math.max(sigma * n ** -0.2, BANDWIDTH_FLOOR * scale);
}

/** Gaussian kernel density estimate of `samples` with standard deviation `bandwidth`; integrates to 1. */
export function gaussianKde(samples: readonly number[], bandwidth: number): (x: number) => number {
  if (samples.length === 0) throw new RangeError("gaussianKde needs at least one sample");
  if (!(bandwidth > 0) || !Number.isFinite(bandwidth))
    throw new RangeError(`gaussianKde bandwidth must be positive, got ${bandwidth}`);
  const sorted = Float64Array.from(samples).sort();
  const norm = 1 / (sorted.length * bandwidth * Math.sqrt(2 * Math.PI));
  const reach = KERNEL_REACH * bandwidth;
  return (x) => {
    let density = 0;
    // Only samples within reach of x matter; sorted, they are one contiguous block.
    for (
      let i = lowerBound(sorted, x - reach);
      i < sorted.length && (sorted[i] as number) <= x + reach;
      i++
    ) {
      const z = (x - (sorted[i] as number)) / bandwidth;
      density += Math.exp(-0.5 * z * z);
    }
    return density * norm;
  };
}

/**
 * Overlapping area and KL(p ‖ q) of the KDEs of two distance lists, on one shared uniform grid
 * from min − 3h to max + 3h over both lists (h the larger bandwidth).
 *
 * A kernel narrower than one grid step cannot be integrated on the grid, so such a bandwidth is
 * widened to one step (this only happens for a near-constant list next to a much wider one).
 * Both densities are renormalised on the grid, so the cut-off tails do not bias OA downwards.
 */
export function compareDistances(
  intra: readonly number[],
  inter: readonly number[],
  gridSize = KDE_GRID_SIZE,
): { oa: number; kl: number } {
  if (!Number.isInteger(gridSize) || gridSize < 16)
    throw new RangeError(`gridSize must be an integer ≥ 16, got ${gridSize}`);
  const hIntra = scottBandwidth(intra);
  const hInter = scottBandwidth(inter);
  const { grid, step } = sharedGrid(intra, inter, Math.max(hIntra, hInter), gridSize);
  const p = densityOnGrid(intra, Math.max(hIntra, step), grid);
  const q = densityOnGrid(inter, Math.max(hInter, step), grid);
  return { oa: overlapArea(p, q, grid), kl: klDivergence(p, q, grid) };
}

/** ∫ min(p, q) dx by the trapezoid rule; `p`, `q` are densities sampled on `grid`. */
export function overlapArea(p: readonly number[], q: readonly number[], grid: readonly number[]): number {
  return trapezoid(
    p.map((pi, i) => Math.min(pi, q[i] as number)),
    grid,
  );
}

/**
 * KL(p ‖ q) = ∫ p log(p/q) dx in nats by the trapezoid rule, with both densities floored at
 * 1e-10 of the uniform density on the grid inside the log; clamped at 0 against rounding.
 */
export function klDivergence(p: readonly number[], q: readonly number[], grid: readonly number[]): number {
  const span = (grid[grid.length - 1] as number) - (grid[0] as number);
  const floor = KL_FLOOR / (span > 0 ? span : 1);
  const integrand = p.map((pi, i) =>
    pi > 0 ? pi * Math.log(Math.max(pi, floor) / Math.max(q[i] as number, floor)) : 0,
  );
  return Math.max(0, trapezoid(integrand, grid));
}

function sharedGrid(
  a: readonly number[],
  b: readonly number[],
  bandwidth: number,
  size: number,
): { grid: number[]; step: number } {
  const lo = Math.min(minOf(a), minOf(b));
  const range = Math.max(maxOf(a), maxOf(b)) - lo;
  let widest = bandwidth;
  let step = (range + 6 * widest) / (size - 1);
  // Both kernels narrower than a step: widening them to the step also widens the margins, and
  // step = (range + 6·step) / (size − 1) solves to range / (size − 7).
  if (step > widest) widest = step = range / (size - 7);
  const start = lo - 3 * widest;
  return { grid: Array.from({ length: size }, (_, i) => start + i * step), step };
}

function densityOnGrid(samples: readonly number[], bandwidth: number, grid: readonly number[]): number[] {
  const kde = gaussianKde(samples, bandwidth);
  const density = grid.map(kde);
  const mass = trapezoid(density, grid);
  return mass > 0 ? density.map((d) => d / mass) : density;
}

function trapezoid(y: readonly number[], x: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < y.length; i++) {
    area += 0.5 * ((y[i] as number) + (y[i - 1] as number)) * ((x[i] as number) - (x[i - 1] as number));
  }
  return area;
}

/** First index whose value is ≥ x. */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const mean = (xs: readonly number[]): number =>
  xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length;
// Reduce rather than Math.max(...xs): thousands of distances would overflow the call stack.
const maxOf = (xs: readonly number[]): number => xs.reduce((m, x) => Math.max(m, x), -Infinity);
const minOf = (xs: readonly number[]): number => xs.reduce((m, x) => Math.min(m, x), Infinity);
