/** The index of the first element of a sorted array that is at least x (its length when none is): binary search, so string-table lookups stay O(log n). */
export function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid] < x) lo = mid + 1
    else hi = mid
  }
  return lo
}
