/** Small statistics for speedups: medians and a bootstrap interval, deterministic by seed. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/** mulberry32: tiny seeded PRNG so intervals are reproducible run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface Interval {
  estimate: number
  low: number
  high: number
}

/**
 * Percentile-bootstrap interval of the median. Used on per-round paired
 * ratios, so drift that hits both thread counts of a round cancels out.
 */
export function bootstrapMedian(values: readonly number[], confidence = 0.95, resamples = 2000, seed = 1): Interval {
  const estimate = median(values)
  if (values.length < 2) return { estimate, low: estimate, high: estimate }
  const rand = seededRandom(seed)
  const meds = new Float64Array(resamples)
  const sample = new Array<number>(values.length)
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < values.length; i++) sample[i] = values[Math.floor(rand() * values.length)]
    meds[r] = median(sample)
  }
  meds.sort()
  const tail = (1 - confidence) / 2
  const at = (q: number): number => meds[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]
  return { estimate, low: at(tail), high: at(1 - tail) }
}
