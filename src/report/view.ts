import type { BinaryFinding, CaseFinding, ThreadRow } from '../judge/types.js'
import { lostOpenMP } from '../judge/binary-verdict.js'
import { openmpFix } from '../fix/remediation.js'
import type { RowRegions } from '../judge/counts.js'
import type { Interval } from '../measure/stats.js'
import { countingNote, referenceNote, stealNote, stoppedBy } from './format.js'
import type { Report } from './types.js'

/**
 * What the step summary, the terminal and the PR comment show, decided once
 * from the report: which cases are listed and in what order, which row is
 * judged, which fix applies. Each renderer only formats this, so the three
 * can't disagree on a fact.
 */
export interface ReportView {
  verdict: Report['verdict']
  reasons: string[]
  /** Variables apply-openmp-fix set for this run, or null. */
  fixApplied: Record<string, string> | null
  threshold: Report['threshold']
  /** The lowest speedup at the judged thread count, the one the verdict rests on. */
  speedup: number | null
  runner: RunnerView
  binaries: BinaryView[]
  /** The user's cases, then the control (isControl). */
  cases: CaseView[]
  /** How to add OpenMP when a binary lost it: the build-file patch, else the flags by hand; null when none lost it. */
  fix: FixView | null
  measured: MeasuredView | null
  errors: string[]
  build: Report['build']
}

export interface RunnerView {
  os: string
  arch: string
  usableCpus: number
  cpuCount: number
  torchVersion: string
  parallelBackend: string
  pythonVersion: string
  /** 'hypervisor steal 1.2% while measuring', or ''. */
  steal: string
  /** How the throughput reference ran, or ''. */
  reference: string
}

export interface BinaryView {
  path: string
  verdict: BinaryFinding['verdict']
  reasons: string[]
  images: Report['binaries'][number]['images']
  /** OpenMP fork entries imported, over all images. */
  forkEntries: string[]
  /** libtorch's stable-ABI parallel entries imported (torch_parallel_for). */
  stableEntries: string[]
  /** 'libgomp.so.1 (gnu)', ... */
  runtimes: string[]
  stripped: boolean
  runtimeFindings: NonNullable<BinaryFinding['runtimeFindings']>
  lostLines: BinaryFinding['lostLines']
  /** Failed because sources lost OpenMP at compile time: the fix applies to it. */
  failedForLostOpenMP: boolean
}

export interface RowView {
  threads: number
  judged: boolean
  oversubscribed: boolean
  seconds: number
  speedup: Interval
  efficiency: number
  cpuPerWall: number
  busyThreads: number | null
  regions: RowRegions | null
}

export interface CaseView {
  name: string
  isControl: boolean
  verdict: CaseFinding['verdict']
  reasons: string[]
  error: string | null
  /** Speedup at the judged thread count. */
  judged: Interval | null
  /** Whether any row has region counts (adds the regions and Amdahl columns). */
  counted: boolean
  rows: RowView[]
  /** n single-thread copies at once: the most this runner gives the work. */
  reference: { copies: number; throughput: Interval } | null
}

export type FixView = { kind: 'patch'; file: string; diff: string; note: string } | { kind: 'flags'; platform: string; setupPy: string; note: string }

export interface MeasuredView {
  rounds: number
  seconds: number
  /** Why measuring stopped, in words. */
  stoppedBy: string
  workloadInfo: [string, string][]
  /** Whether regions were counted and what the columns mean, or null. */
  counting: string | null
}

function rowView(r: ThreadRow, judgedThreads: number): RowView {
  return {
    threads: r.threads,
    judged: r.threads === judgedThreads,
    oversubscribed: r.oversubscribed,
    seconds: r.seconds,
    speedup: r.speedup,
    efficiency: r.efficiency,
    cpuPerWall: r.cpuPerWall,
    busyThreads: r.busyThreads,
    regions: r.regions ?? null
  }
}

function caseView(c: CaseFinding, isControl: boolean, judgedThreads: number): CaseView {
  const ref = c.reference
  return {
    name: c.name,
    isControl,
    verdict: c.verdict,
    reasons: c.reasons,
    error: c.error ?? null,
    judged: c.judged,
    counted: c.rows.some(r => r.regions),
    rows: c.rows.map(r => rowView(r, judgedThreads)),
    reference: ref ? { copies: ref.copies, throughput: ref.throughput } : null
  }
}

function binaryView(b: Report['binaries'][number]): BinaryView {
  const unique = (xs: string[]): string[] => [...new Set(xs)]
  return {
    path: b.path,
    verdict: b.verdict,
    reasons: b.reasons,
    images: b.images,
    forkEntries: unique(b.images.flatMap(i => i.openmp.forkImports)),
    stableEntries: unique(b.images.flatMap(i => i.openmp.libtorchParallel ?? [])),
    runtimes: unique(b.images.flatMap(i => i.openmp.runtimes.map(x => `${x.library} (${x.family})`))),
    stripped: b.images.every(i => i.stripped),
    runtimeFindings: b.runtimeFindings ?? [],
    lostLines: b.lostLines,
    failedForLostOpenMP: b.verdict === 'fail' && lostOpenMP(b.cause)
  }
}

function fixView(r: Report): FixView | null {
  if (!r.binaries.some(b => lostOpenMP(b.cause))) return null
  if (r.remediation) return { kind: 'patch', ...r.remediation }
  const fix = openmpFix(r.runner.platform)
  return { kind: 'flags', platform: fix.platform, setupPy: fix.setupPy, note: fix.note }
}

export function reportView(r: Report): ReportView {
  const judgedThreads = r.threshold.judgedThreads
  const m = r.measurement
  return {
    verdict: r.verdict,
    reasons: r.reasons,
    fixApplied: r.build?.fixApplied ?? null,
    threshold: r.threshold,
    speedup: r.speedup,
    runner: {
      os: r.runner.os,
      arch: r.runner.arch,
      usableCpus: r.runner.usableCpus,
      cpuCount: r.runner.cpuCount,
      torchVersion: r.runner.torchVersion,
      parallelBackend: r.runner.parallelBackend,
      pythonVersion: r.runner.pythonVersion,
      steal: stealNote(m),
      reference: referenceNote(m)
    },
    binaries: r.binaries.map(binaryView),
    cases: [...r.cases.map(c => caseView(c, false, judgedThreads)), ...(r.control ? [caseView(r.control, true, judgedThreads)] : [])],
    fix: fixView(r),
    measured: m ? { rounds: m.rounds, seconds: m.seconds, stoppedBy: stoppedBy(m.stoppedBy), workloadInfo: Object.entries(m.workloadInfo ?? {}), counting: countingNote(m.counting) } : null,
    errors: r.errors,
    build: r.build
  }
}
