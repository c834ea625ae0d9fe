import { bootstrapMedian, median, type Interval } from './stats.js'
import type { CaseMeasurement, ReferenceSample, Sample } from './types.js'

/** Samples in the order a round runs them: rotated each round so no thread count (or the reference) always goes first. */
export function roundOrder<T>(slots: readonly T[], round: number): T[] {
  const k = round % slots.length
  return [...slots.slice(k), ...slots.slice(0, k)]
}

/**
 * Seconds per call of one sample: the median over its timed chunks, so a
 * neighbour that preempts us for a few milliseconds spoils one chunk only.
 */
export function callTime(s: Pick<Sample, 'perCall' | 'wall' | 'iters'>): number {
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

function referenceByRound(c: CaseMeasurement, copies: number): Map<number, ReferenceSample> {
  return new Map((c.reference ?? []).filter(r => r.perCopy.length === copies && r.perCopy.every(t => t > 0)).map(r => [r.round, r]))
}

/**
 * Calls per second that n threads splitting one call into equal chunks could
 * reach, from the n copies of the same round: n times the slowest copy.
 * at::parallel_for (like `omp for` by default) gives each thread an equal
 * chunk and waits for the last one, so where the runner's vCPUs run at
 * different speeds a sound team reaches n times the slow one, not the
 * copies' sum. Seen on this project's runners: copies side by side at 0.062
 * and 0.095 s a call for tens of seconds; against their sum a sound kernel
 * measured 0.76-0.79 of its copies, under the fail bar.
 */
const teamRate = (r: ReferenceSample): number => r.perCopy.length / Math.max(...r.perCopy)

/**
 * Per-round throughput that `copies` independent single-thread copies run at
 * once allow a team of as many threads (teamRate), against the single-thread
 * sample of the same round: T(n), the most threading this work in equal
 * chunks could gain on this runner at that moment.
 */
export function referenceRatios(c: CaseMeasurement, copies: number): number[] {
  const ref = referenceByRound(c, copies)
  const out: number[] = []
  for (const [round, s1] of byRound(c.samples, 1)) {
    const r = ref.get(round)
    if (r) out.push(callTime(s1) * teamRate(r))
  }
  return out
}

/**
 * Per-round S(n)/T(n): the threaded kernel's throughput against what n
 * copies in the same round allow it (teamRate). The single-thread time cancels out, so this is
 * the cleanest measure of what threading itself costs: about 1 for a kernel
 * that is as parallel as the runner allows, 1/n for a serial one.
 */
export function relativeRatios(c: CaseMeasurement, threads: number): number[] {
  const ref = referenceByRound(c, threads)
  const out: number[] = []
  for (const [round, sn] of byRound(c.samples, threads)) {
    const r = ref.get(round)
    if (r && callTime(sn) > 0) out.push(1 / callTime(sn) / teamRate(r))
  }
  return out
}

/**
 * Per-round CPU time per call of the threaded kernel against that of its
 * copies: about 1 when threads do the same work copies do, well above 1
 * when threads burn CPU on each other (cache lines bouncing between cores,
 * spinning on a lock) or on opening regions. Reported for information only:
 * beside a busy CPU, threads that spin at barriers while a teammate waits
 * inflate it as much as false sharing does (bench: 1.6-1.8 for both).
 */
export function inflationRatios(c: CaseMeasurement, threads: number): number[] {
  const ref = referenceByRound(c, threads)
  const out: number[] = []
  for (const [round, sn] of byRound(c.samples, threads)) {
    const copies = ref.get(round)?.cpuPerCopy
    const perCopy = copies && copies.length ? copies.reduce((a, x) => a + x, 0) / copies.length : 0
    if (perCopy > 0 && sn.iters > 0) out.push(sn.cpu / sn.iters / perCopy)
  }
  return out
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
