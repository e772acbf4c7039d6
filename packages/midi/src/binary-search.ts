/** Index of the last item whose tick is ≤ `tick` in a list sorted by tick, or -1 if none is. */
export function lastIndexAtOrBefore<T>(sorted: readonly T[], tickOf: (item: T) => number, tick: number): number {
  let low = -1;
  let high = sorted.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (tickOf(sorted[middle]!) <= tick) low = middle;
    else high = middle - 1;
  }
  return low;
}
