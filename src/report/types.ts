import type { BuildAudit } from '../build/audit.js'
import type { BuildCacheReport } from '../build/build-cache.js'
import type { BinaryFinding, CaseFinding, Threshold, Verdict } from '../judge/types.js'
import type { BinaryEvidence } from '../inspect/types.js'
import type { SourceHit } from '../sources/scan.js'
import type { CaseMeasurement, CountingInfo, ReferenceInfo } from '../measure/types.js'
import type { RunnerFacts } from '../runner-facts.js'

/**
 * The JSON report: the run's one public result. Matrix legs hand it to the
 * aggregating step, so its shape is fixed by schema/report.schema.json and
 * checked wherever it is written or read.
 */
export interface Report {
  schema: 'thread-scaling-check/report'
  version: string
  tool: { name: string; version: string }
  createdAt: string
  verdict: Verdict
  reasons: string[]
  /** Lowest speedup at the judged thread count (threshold.judgedThreads) over all cases; null when nothing was timed. */
  speedup: number | null
  settings: {
    workingDirectory: string
    buildCommand: string | null
    workload: string | null
    threads: number[]
    minSpeedup: number
    failOn: string
    maxTime: number
  }
  runner: RunnerFacts & { os: string; arch: string }
  threshold: Threshold
  build: {
    command: string
    seconds: number
    exitCode: number
    log: string
    /** compile_commands.json the wrappers wrote, or null when commands weren't recorded. */
    compileDatabase?: string | null
    /** Per-translation-unit audit of the commands that really ran. */
    audit?: BuildAudit | null
    /** ccache hit rate and the cache keys, when the cache input is on. */
    cache?: BuildCacheReport | null
    /** Variables apply-openmp-fix added for this run, or null. */
    fixApplied?: Record<string, string> | null
  } | null
  /** The patch for the build file that adds OpenMP, when a binary lacks it. */
  remediation: { file: string; diff: string; note: string } | null
  binaries: (BinaryFinding & { images: BinaryEvidence['images'] })[]
  sources: SourceHit[]
  cases: CaseFinding[]
  control: CaseFinding | null
  controlScales: boolean | null
  measurement: {
    rounds: number
    seconds: number
    stoppedBy: string
    workloadInfo: Record<string, string>
    /** How the throughput reference ran (absent in reports before 1.2). */
    reference?: ReferenceInfo
    /** Whether parallel regions were counted per shared object, or why not (absent in reports before 1.4). */
    counting?: CountingInfo
    samples: Pick<CaseMeasurement, 'name' | 'iters' | 'samples' | 'reference'>[]
  } | null
  /** Errors that kept part of the check from running (a case that raised, ...). */
  errors: string[]
}
