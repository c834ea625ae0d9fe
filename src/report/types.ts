import type { BinaryEvidence, BinaryFinding, CaseFinding, Threshold, Verdict } from '../judge/types.js'
import type { SourceHit } from '../inspect/sources.js'
import type { CaseMeasurement, RunnerFacts } from '../measure/types.js'

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
  /** Lowest speedup at the largest thread count over all cases; null when nothing was timed. */
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
  build: { command: string; seconds: number; exitCode: number; log: string } | null
  binaries: (BinaryFinding & { images: BinaryEvidence['images'] })[]
  sources: SourceHit[]
  cases: CaseFinding[]
  control: CaseFinding | null
  controlScales: boolean | null
  measurement: { rounds: number; seconds: number; stoppedBy: string; workloadInfo: Record<string, string>; samples: Pick<CaseMeasurement, 'name' | 'iters' | 'samples'>[] } | null
  /** Errors that kept part of the check from running (a case that raised, ...). */
  errors: string[]
}
