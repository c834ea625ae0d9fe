import { THRESHOLD_THREADS } from '../constants.js'

/** Parallel fraction p that gives `speedup` on `threads` threads: S = 1 / ((1 - p) + p / n). */
export function parallelFraction(speedup: number, threads: number): number {
  if (threads <= 1) return 0
  return (1 - 1 / speedup) / (1 - 1 / threads)
}

/** Speedup on n threads of a program whose parallel fraction is p. */
export function amdahl(p: number, threads: number): number {
  return 1 / (1 - p + p / threads)
}

/**
 * The speedup to require at `threads`, given min-speedup stated at 4 threads:
 * the same parallel fraction, run on the threads the runner really has.
 */
export function requiredSpeedup(minSpeedupAt4: number, threads: number): number {
  return amdahl(parallelFraction(minSpeedupAt4, THRESHOLD_THREADS), threads)
}

/** The largest measured thread count the runner can run without oversubscription (1 when none fits). */
export function judgedThreads(threads: readonly number[], usableCpus: number): number {
  const fitting = threads.filter(n => n <= Math.floor(usableCpus + 1e-9))
  return fitting.length ? Math.max(...fitting) : 1
}
