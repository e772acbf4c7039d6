/** Share of the steps spent warming up (linearly from ~0 to the base rate), capped. */
const WARMUP_SHARE = 0.05;
const MAX_WARMUP_STEPS = 500;
/** The cosine decays to this fraction of the base rate, not to zero. */
const FINAL_FRACTION = 0.1;

/**
 * Cosine schedule with linear warmup, for optimizer step `step` (0-based) of `totalSteps`.
 * @example learningRateAt(0, 1000, 1e-3) // 2e-5 (warmup); learningRateAt(999, 1000, 1e-3) ≈ 1e-4
 */
export function learningRateAt(step: number, totalSteps: number, baseRate: number): number {
  const warmup = Math.min(MAX_WARMUP_STEPS, Math.max(1, Math.ceil(totalSteps * WARMUP_SHARE)));
  if (step < warmup) return (baseRate * (step + 1)) / warmup;
  const progress = Math.min(1, (step - warmup) / Math.max(1, totalSteps - warmup));
  return baseRate * (FINAL_FRACTION + (1 - FINAL_FRACTION) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}
