/** Index of the last entry ≤ `tick` in an ascending list of ticks, or -1 if none is. */
export function lastIndexAtOrBefore(sortedTicks: readonly number[], tick: number): number {
  let low = -1;
  let high = sortedTicks.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (sortedTicks[middle]! <= tick) low = middle;
    else high = middle - 1;
  }
  return low;
}
