import { busyThreads, cpuPerWall, inflationRatios, pairedRatios, referenceRatios, relativeRatios, speedupInterval, stealShare, timePerIter, waitShare } from '../measure/rounds.js'
import { bootstrapMedian, type Interval } from '../measure/stats.js'
import { CONTROL_CASE, type CaseMeasurement, type CountingInfo, type Sample } from '../measure/types.js'
import { regionFinding, rowRegions, type RowRegions } from './counts.js'
import type { CaseCause, ReferenceFinding, Threshold, Verdict } from './types.js'

/** Where a measured interval stands against a bar. */
export function position(s: Interval | null, bar: number): 'above' | 'below' | 'unclear' {
  if (!s || !Number.isFinite(s.estimate)) return 'unclear'
  if (s.low >= bar) return 'above'
  if (s.high < bar) return 'below'
  return 'unclear'
}

/**
 * Without a throughput reference: rounds that a 'below' finding on a kernel
 * that ran on several threads needs before it fails. A parallel kernel that
 * won't scale may be caught in a slow spell of a shared runner that the
 * control op happened to miss; a longer stretch outlasts most of those.
 */
export const CONFIRM_ROUNDS = 12

/**
 * With the reference: rounds before a kernel clearly slower than its copies
 * fails. Copies and threads are measured in the same round, so a slow spell
 * hits both; these rounds only have to make the interval trustworthy.
 */
export const REFERENCE_ROUNDS = 6

/** Copies' throughput under this multiple of the requirement counts as the runner's limit sitting at the requirement. */
export const LIMIT_MARGIN = 1.1

/**
 * Rounds after which a speedup that still straddles the requirement is left
 * inconclusive, when the kernel keeps up with its copies: it can no longer
 * fail, and whether this runner allows the requirement is the runner's business.
 */
export const STRADDLE_ROUNDS = 12

/**
 * S(n)/T(n) below which a threaded kernel is clearly worse than n copies of
 * the same call. Kernels that are as parallel as the runner allows measure
 * 0.9-1.05 on a quiet runner (fork/join, barrier and shared-cache effects);
 * serial ones 1/n, false sharing well under 0.5. See the README.
 */
export const RELATIVE_FAIL = 0.8

/** Share of CPU time stolen by the hypervisor above which the runner counts as withholding CPUs. */
export const STEAL_LIMIT = 0.03

/** Likewise for time our threads waited for a CPU that another process on the runner held. */
export const WAIT_LIMIT = 0.05

/** A call shorter than this at one thread is too little work to amortise opening a parallel region. */
export const SHORT_CALL_S = 200e-6

/** One decision for one case: the measuring loop stops on `settled`, and the report explains `cause`. */
export interface CaseDecision {
  verdict: Verdict
  cause: CaseCause
  /** True when more rounds can't change the verdict. */
  settled: boolean
  speedup: Interval | null
  reference: ReferenceFinding | null
  /** Why the runner withheld CPUs from this case, or null. */
  withheld: string | null
  /** Busy threads at the judged count, or null where unknown. */
  busy: number | null
  /** The judged thread count. */
  threads: number
  /** Rounds measured at the judged count. */
  rounds: number
  /** Parallel regions counted at the judged count, or null where they weren't counted. */
  regions: RowRegions | null
}

/** What the region counter adds to a case's decision. */
export interface CountingContext {
  counting?: CountingInfo
  /** True when every extension binary has OpenMP regions compiled in: then the case's extension code must open them at run time. */
  openmpExtension: boolean
}

/** The reference at the judged count, when copies ran for this case. */
export function referenceFinding(c: CaseMeasurement, threads: number): ReferenceFinding | null {
  const throughput = referenceRatios(c, threads)
  const relative = relativeRatios(c, threads)
  if (throughput.length === 0 || relative.length === 0) return null
  const inflation = inflationRatios(c, threads)
  return { copies: threads, throughput: bootstrapMedian(throughput), relative: bootstrapMedian(relative), inflation: inflation.length ? bootstrapMedian(inflation) : null }
}

/** Why these samples' threads were kept off the CPUs, or null when they weren't. */
export function cpuWithheld(samples: readonly Sample[]): string | null {
  const steal = stealShare(samples)
  if (steal !== null && steal >= STEAL_LIMIT) return `the hypervisor took ${(steal * 100).toFixed(1)}% of the CPUs' time while this case ran (steal)`
  const wait = waitShare(samples)
  if (wait !== null && wait >= WAIT_LIMIT) return `this case's threads waited ${(wait * 100).toFixed(1)}% of their time for a CPU (run delay: other processes held the CPUs, or the runner gives fewer CPUs than it reports)`
  return null
}

/**
 * Process CPU time per wall time, as a share of the threads, under which a
 * team that falls short spent part of each call idle rather than busy.
 */
export const BUSY_SHARE = 0.75

/** Why a case that ran on several threads fell short, from how it fell short. */
function shortfallCause(c: CaseMeasurement, threads: number): CaseCause {
  if (timePerIter(c, 1) < SHORT_CALL_S) return 'too-little-work'
  // Busy all along yet slower than copies: they fight. Idle part of the time: they wait.
  return cpuPerWall(c, threads) < BUSY_SHARE * threads ? 'partly-serial' : 'contention'
}

/**
 * The verdict on one measured case at the judged thread count.
 *
 * 1. The interval of S(n) at or above the requirement: pass.
 * 2. Below it on one busy thread: fail, serial, whatever the runner did.
 * 3. Below it, with the reference: fail when S(n)/T(n) is clearly under the
 *    bar (the kernel wastes what the runner gave its copies) on a runner that
 *    gave the threads their CPUs; inconclusive when S(n)/T(n) is clearly over
 *    the bar (the runner can't give more: T(n) itself falls short), or when
 *    other processes took the CPUs. The control op plays no part: T(n) is
 *    made of the kernel's own work.
 * 4. Below it, without the reference (too little memory for copies): the
 *    control op and a longer confirmation stand in for it.
 */
export function decideCase(c: CaseMeasurement, control: CaseMeasurement | null, t: Threshold, ctx?: CountingContext): CaseDecision {
  const n = t.judgedThreads
  const base = { speedup: null, reference: null, withheld: null, busy: null, threads: n, rounds: 0, regions: null }
  if (c.error) return { ...base, verdict: 'skipped', cause: 'not-measured', settled: true }
  if (n < 2) return { ...base, verdict: 'inconclusive', cause: 'one-cpu', settled: true }
  const s = speedupInterval(c, n)
  const rounds = pairedRatios(c, n).length
  const reference = referenceFinding(c, n)
  const withheld = cpuWithheld(c.samples.filter(x => x.threads === 1 || x.threads === n))
  const busy = busyThreads(c, n)
  const regions = rowRegions(c, n, ctx?.counting)
  const d = { speedup: s, reference, withheld, busy, threads: n, rounds, regions }
  // Counted, not inferred: an extension with OpenMP compiled in that opened no
  // region (or only teams of one) ran its own loops serially, whatever
  // libtorch's threads did for the speedup and the busy-thread count.
  const counted = ctx?.openmpExtension && ctx.counting?.mapped.length && c.name !== CONTROL_CASE ? regionFinding(regions) : null
  if (counted) return { ...d, verdict: 'fail', cause: counted, settled: true }
  const where = position(s, t.required)
  if (where === 'above') return { ...d, verdict: 'pass', cause: 'scales', settled: true }
  if (where === 'unclear') {
    // Copies that barely beat the requirement: the runner's limit sits at it.
    // Unless the kernel's own median clears that margin: then the straddle is
    // noise in a few rounds, and more rounds may pass it.
    const atLimit = reference !== null && position(reference.relative, RELATIVE_FAIL) === 'above' && reference.throughput.estimate < t.required * LIMIT_MARGIN && s.estimate < t.required * LIMIT_MARGIN
    return { ...d, verdict: 'inconclusive', cause: atLimit ? 'runner-limit' : 'unclear', settled: atLimit && rounds >= STRADDLE_ROUNDS }
  }
  // One busy thread: serial whatever the runner's load. CPU/wall alone can't
  // tell, since a parallel kernel sharing a core with a neighbour also shows about 1.
  if (busy !== null && busy <= 1) return { ...d, verdict: 'fail', cause: 'serial', settled: true }
  if (reference) return decideByReference(c, reference, d)
  return decideByControl(c, control, t, d)
}

type Measured = Omit<CaseDecision, 'verdict' | 'cause' | 'settled'>

/**
 * Rule 3: a kernel that ran on several threads and fell short, against its
 * own copies. Where other processes took CPUs, a team pays for its slowest
 * thread at every barrier (and its threads spin there, burning CPU) while
 * copies don't wait for each other: sound kernels fall to 0.6 of their
 * copies beside one CPU hog, as far as false sharing does. No measurement
 * tells the two apart then, so it is never a failure.
 */
function decideByReference(c: CaseMeasurement, reference: ReferenceFinding, d: Measured): CaseDecision {
  const relative = position(reference.relative, RELATIVE_FAIL)
  if (relative === 'above') return { ...d, verdict: 'inconclusive', cause: 'runner-limit', settled: true }
  const confirmed = d.rounds >= REFERENCE_ROUNDS
  if (d.withheld) return { ...d, verdict: 'inconclusive', cause: 'cpu-withheld', settled: confirmed }
  if (relative === 'unclear') return { ...d, verdict: 'inconclusive', cause: 'unclear-reference', settled: false }
  return { ...d, verdict: 'fail', cause: shortfallCause(c, d.threads), settled: confirmed }
}

/** Rule 4: no reference ran, so libtorch's control op tells what the runner delivers. */
function decideByControl(c: CaseMeasurement, control: CaseMeasurement | null, t: Threshold, d: Measured): CaseDecision {
  if (c === control) return { ...d, verdict: 'inconclusive', cause: 'control-flat', settled: true }
  const controlScales = control && !control.error ? position(speedupInterval(control, t.judgedThreads), t.required) !== 'below' : null
  if (controlScales !== true) return { ...d, verdict: 'inconclusive', cause: 'control-flat', settled: true }
  if (d.rounds < CONFIRM_ROUNDS) return { ...d, verdict: 'inconclusive', cause: 'unconfirmed', settled: false }
  if (d.withheld) return { ...d, verdict: 'inconclusive', cause: 'cpu-withheld', settled: true }
  return { ...d, verdict: 'fail', cause: shortfallCause(c, d.threads), settled: true }
}

/**
 * Whether more rounds could still change a case's verdict: the measuring loop
 * stops on this. 'counted' when a counted fact settled it (the extension
 * opened no region, or only teams of one, at the judged count): that fact is
 * no timing, so it needs no confirmation rounds.
 */
export function caseSettled(c: CaseMeasurement, control: CaseMeasurement, t: Threshold, ctx?: CountingContext): boolean | 'counted' {
  const d = decideCase(c, control, t, ctx)
  return d.settled && (d.cause === 'no-region' || d.cause === 'team-of-one') ? 'counted' : d.settled
}
