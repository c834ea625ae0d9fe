import { timePerIter } from '../measure/rounds.js'
import type { CaseMeasurement, CountingInfo, ObjectRegions } from '../measure/types.js'
import { amdahl } from './amdahl.js'

/** Regions one group of shared objects opened over a case's samples at one thread count. */
export interface RegionTotals {
  /** Parallel regions opened. */
  regions: number
  /** The largest team that ran one of them (0 when none opened). */
  largestTeam: number
  /** Regions whose team was one thread. */
  teamOfOne: number
  /** Seconds of wall time inside them. */
  seconds: number
}

/** What the counter saw at one thread count of one case: the user's extension(s), libtorch, and everything else. */
export interface RowRegions {
  /** Calls of the case the counts cover (the samples' iterations). */
  calls: number
  extension: RegionTotals
  libtorch: RegionTotals
  other: RegionTotals
  /**
   * p: the share of the case's single-thread time that runs inside the
   * extension's own regions, 1 - (time per call outside them at this count) /
   * (time per call at one thread); null at one thread (at::parallel_for opens
   * no region there), where the extension opened none (a stable-ABI kernel's
   * loops run in libtorch's regions, so p would say nothing about them) or
   * where the times are unknown. Optional: absent in older reports.
   */
  share?: number | null
  /** Amdahl's bound 1/((1-p)+p/n) at this count: the most the case reaches if the extension's part scaled perfectly. */
  bound?: number | null
}

/**
 * p and Amdahl's bound at n threads. At one thread no region opens, so the
 * extension's share is read at n: the time outside its regions there (t(n)
 * minus the wall time inside them) stands for the part it can't speed up.
 * Other ops that scale (a libtorch GEMM) are faster at n than at one thread,
 * so this p errs high and the bound errs optimistic: a bound under the
 * requirement is a safe finding.
 */
export function extensionShare(c: CaseMeasurement, threads: number, r: RowRegions): { share: number; bound: number } | null {
  if (threads < 2 || r.calls === 0 || r.extension.regions === 0) return null
  const t1 = timePerIter(c, 1)
  const tn = timePerIter(c, threads)
  if (!(t1 > 0) || !(tn > 0)) return null
  const inside = Math.min(r.extension.seconds / r.calls, tn)
  const share = Math.min(1, Math.max(0, 1 - (tn - inside) / t1))
  return { share, bound: amdahl(share, threads) }
}

const empty = (): RegionTotals => ({ regions: 0, largestTeam: 0, teamOfOne: 0, seconds: 0 })

/** libtorch_cpu, libtorch, libtorch_python... under any directory or version suffix. */
const isLibtorch = (p: string): boolean => /^libtorch(_[a-z]+)?\.(so|dylib)/.test(p.slice(p.lastIndexOf('/') + 1))

function add(t: RegionTotals, o: ObjectRegions): void {
  t.regions += o.regions
  t.largestTeam = Math.max(t.largestTeam, o.maxTeam)
  t.teamOfOne += o.team1
  t.seconds += o.ns / 1e9
}

/**
 * The counts at `threads`, split between the extension(s) and libtorch; null
 * when regions weren't counted, or when a sample at that count lacks them.
 */
export function rowRegions(c: CaseMeasurement, threads: number, counting: CountingInfo | undefined): RowRegions | null {
  if (!counting?.available) return null
  const samples = c.samples.filter(s => s.threads === threads)
  if (samples.length === 0 || samples.some(s => !s.regions)) return null
  const out: RowRegions = { calls: 0, extension: empty(), libtorch: empty(), other: empty() }
  const ext = new Set(counting.extensions)
  for (const s of samples) {
    out.calls += s.iters
    for (const o of s.regions ?? []) add(ext.has(o.path) ? out.extension : isLibtorch(o.path) ? out.libtorch : out.other, o)
  }
  const a = extensionShare(c, threads, out)
  out.share = a?.share ?? null
  out.bound = a?.bound ?? null
  return out
}

/**
 * What the counts say about the extension's own parallelism at the judged
 * count: 'no-region' (it opened none), 'team-of-one' (it opened regions, but
 * every team was one thread), or null (a real team ran, or nothing counted).
 */
export function regionFinding(r: RowRegions | null): 'no-region' | 'team-of-one' | null {
  if (!r || r.calls === 0) return null
  if (r.extension.regions === 0) return 'no-region'
  if (r.extension.largestTeam <= 1) return 'team-of-one'
  return null
}
