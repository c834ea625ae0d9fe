import { THRESHOLD_THREADS } from '../constants.js'
import { judgedThreads, requiredSpeedup } from './amdahl.js'
import type { Threshold } from './types.js'

const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a')

/** min-speedup, stated at 4 threads, as the speedup required at the thread count this runner can judge. */
export function threshold(minSpeedup: number, threads: readonly number[], usableCpus: number): Threshold {
  const n = judgedThreads(threads, usableCpus)
  const required = requiredSpeedup(minSpeedup, n)
  if (n === THRESHOLD_THREADS) return { minSpeedup, judgedThreads: n, required }
  const why =
    n < THRESHOLD_THREADS
      ? `the runner has ${fmt(usableCpus).replace(/\.00$/, '')} usable CPU(s), so ${THRESHOLD_THREADS} threads would be oversubscribed`
      : `${n} threads were measured`
  return {
    minSpeedup,
    judgedThreads: n,
    required,
    note: `min-speedup ${fmt(minSpeedup)} at ${THRESHOLD_THREADS} threads is judged as ${fmt(required)} at ${n} thread(s) (Amdahl's law, same parallel fraction): ${why}.`
  }
}

