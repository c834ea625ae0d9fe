import type { RunnerFacts } from '../runner-facts.js'
/** One timed sample: `iters` calls of a case in the worker for `threads`. */
export interface Sample {
  round: number
  threads: number
  iters: number
  wall: number
  cpu: number
  /** Seconds per call in each timed chunk of the sample (up to 8 chunks); null from an older harness. */
  perCall?: number[] | null
  /** [steal, total] CPU ticks of the whole machine during the sample (/proc/stat); null where unknown. */
  steal?: [number, number] | null
  /** Seconds this process's threads were runnable but waited for a CPU (schedstat run_delay); null where unknown. */
  wait?: number | null
  /** CPU seconds per OS thread over the second half of the sample (after the previous op's spin-wait tail), busiest first; null without /proc. */
  threadCpu: number[] | null
  /**
   * Parallel regions opened during the sample, per shared object that opened
   * them (the counter); absent or null where regions weren't counted.
   */
  regions?: ObjectRegions[] | null
}

/** What the counter saw one shared object do during one sample. */
export interface ObjectRegions {
  /** The object's path (symlinks resolved). */
  path: string
  /** Parallel regions it opened. */
  regions: number
  /** The largest team that really ran one of them (threads that entered the outlined function). */
  maxTeam: number
  /** Regions whose team was one thread. */
  team1: number
  /** Nanoseconds of wall time inside its regions. */
  ns: number
}

/** Whether parallel regions were counted, or why not. */
export interface CountingInfo {
  available: boolean
  /** Why regions were not counted; null when they were. */
  reason: string | null
  /** The user's extension binaries (symlinks resolved): regions they open count as the extension's. */
  extensions: string[]
  /**
   * Those the measuring process had mapped once the workload was imported.
   * None: Python loaded the extension from elsewhere (another copy) or later,
   * so "the extension opened no region" can't be told from "not this file".
   */
  mapped: string[]
  /** How the counter got into the process: LD_PRELOAD (wrapping the fork entries) or an OMPT tool (libomp's regions only); absent in older reports. */
  via?: 'ld-preload' | 'ompt'
}

/**
 * One reference sample: the case run at the same moment in `copies`
 * independent single-thread processes, each holding its own inputs. Their
 * combined throughput is the most any threading of this work could gain on
 * this runner right then.
 */
export interface ReferenceSample {
  round: number
  iters: number
  /** Seconds per call in each copy (median of its timed chunks), one entry per copy. */
  perCopy: number[]
  /** CPU seconds per call in each copy; absent in reports before 1.2. */
  cpuPerCopy?: number[]
}

/** Everything measured for one case (or the control). */
export interface CaseMeasurement {
  name: string
  /** Iterations per sample, calibrated at 1 thread. */
  iters: number
  samples: Sample[]
  /** Reference samples (n single-thread copies at once); absent when none ran. */
  reference?: ReferenceSample[]
  /** Set when the case raised, crashed or hung: what happened, with the relevant stderr. */
  error?: string
  /** Set when the case was not run, and why: it needs CUDA and the runner has none. Not an error. */
  skipped?: string
  /** A case marked needs_cuda, run where CUDA is there: timed for information, not held to min-speedup. */
  gpu?: boolean
}

export interface Measurement {
  facts: RunnerFacts
  threads: number[]
  cases: CaseMeasurement[]
  control: CaseMeasurement
  /** What the workload's optional describe() said it ran against. */
  workloadInfo: Record<string, string>
  rounds: number
  seconds: number
  /** The throughput reference: how many copies ran, each process's peak memory, or why none ran. */
  reference: ReferenceInfo
  /** Whether the measuring processes counted parallel regions per shared object; absent in reports before 1.4. */
  counting?: CountingInfo
  /**
   * Why measuring stopped: 'decided' (every case's interval cleared the
   * threshold), 'static-verdict' (the binary alone fixed the verdict, so only
   * a few rounds ran, for the report), 'max-rounds' or 'max-time'.
   */
  stoppedBy: 'decided' | 'static-verdict' | 'max-rounds' | 'max-time'
}

/** How the throughput reference was run, or why it wasn't. */
export interface ReferenceInfo {
  /** Independent single-thread copies run at once (the judged thread count); 0 when none ran. */
  copies: number
  /** Why no reference ran (one CPU, the binary alone decided, too little memory), or null. */
  skipped: string | null
  /** Peak resident memory of every measuring process, in bytes, where the harness could read it. */
  peakRss: { process: string; bytes: number }[]
}

export const CONTROL_CASE = '__control__'
