import { bootstrapMedian, median, type Interval } from './stats.js'
import type { CaseMeasurement, Sample } from './types.js'

/** Thread counts in the order a round runs them: rotated each round so no count always goes first. */
export function roundOrder(threads: readonly number[], round: number): number[] {
  const k = round % threads.length
  return [...threads.slice(k), ...threads.slice(0, k)]
}

/**
 * Seconds per call of one sample: the median over its timed chunks, so a
 * neighbour that preempts us for a few milliseconds spoils one chunk only.
 */
export function callTime(s: Sample): number {
  return s.perCall && s.perCall.length > 0 ? median(s.perCall) : s.wall / s.iters
}

function byRound(samples: readonly Sample[], threads: number): Map<number, Sample> {
  return new Map(samples.filter(s => s.threads === threads).map(s => [s.round, s]))
}

/** Per-round paired ratios t(1)/t(n): both samples of a pair were taken seconds apart. */
export function pairedRatios(c: CaseMeasurement, threads: number): number[] {
  const base = byRound(c.samples, 1)
  const other = byRound(c.samples, threads)
  const out: number[] = []
  for (const [round, s1] of base) {
    const sn = other.get(round)
    if (sn && callTime(sn) > 0) out.push(callTime(s1) / callTime(sn))
  }
  return out
}

/** Speedup at `threads` with a 95% bootstrap interval. */
export function speedupInterval(c: CaseMeasurement, threads: number): Interval {
  return bootstrapMedian(pairedRatios(c, threads))
}

/** Median seconds per iteration at `threads`. */
export function timePerIter(c: CaseMeasurement, threads: number): number {
  return median(c.samples.filter(s => s.threads === threads).map(callTime))
}

/** Share of the machine's CPU time the hypervisor stole during these samples, or null where unknown. */
export function stealShare(samples: readonly Sample[]): number | null {
  let steal = 0
  let total = 0
  for (const s of samples) {
    if (!s.steal) continue
    steal += s.steal[0]
    total += s.steal[1]
  }
  return total > 0 ? steal / total : null
}

/** Share of its threads' time these samples spent waiting for a CPU held by another process, or null where unknown. */
export function waitShare(samples: readonly Sample[]): number | null {
  let wait = 0
  let capacity = 0
  for (const s of samples) {
    if (typeof s.wait !== 'number') continue
    wait += s.wait
    capacity += s.wall * s.threads
  }
  return capacity > 0 ? wait / capacity : null
}

/** Median process CPU time per wall time at `threads`: about 1 for a serial kernel. */
export function cpuPerWall(c: CaseMeasurement, threads: number): number {
  return median(c.samples.filter(s => s.threads === threads && s.wall > 0).map(s => s.cpu / s.wall))
}

/**
 * Median number of threads that did real work in a sample: those with at
 * least a quarter of the busiest thread's CPU time. Pool threads that only
 * spin briefly between calls stay under that bar.
 */
export function busyThreads(c: CaseMeasurement, threads: number): number | null {
  const counts = c.samples
    .filter(s => s.threads === threads && s.threadCpu && s.threadCpu.length > 0)
    .map(s => {
      const cpu = s.threadCpu as number[]
      const top = cpu[0]
      return cpu.filter(x => x >= top * 0.25).length
    })
  return counts.length ? median(counts) : null
}
