import type { BinaryEvidence } from '../inspect/types.js'
import type { StopRule } from '../measure/measure.js'
import type { RunnerFacts } from '../runner-facts.js'
import type { SourceHit } from '../sources/scan.js'
import { judgeBinary } from './binary-verdict.js'
import { caseSettled } from './case-verdict.js'
import { threshold } from './threshold.js'

export interface StaticEvidence {
  binaries: readonly BinaryEvidence[]
  sources: readonly SourceHit[]
  /** How many source files were scanned. */
  sourceFiles: number
  threads: number[]
  minSpeedup: number
}

/**
 * The stopping rule measuring follows: the same decisions judge() makes at
 * the end, asked early, so a case stops once more rounds can't change its
 * verdict. The runner facts are only known once the harness runs, hence functions.
 */
export function stopRule(ev: StaticEvidence): StopRule {
  const verdicts = (f: RunnerFacts) => ev.binaries.map(b => judgeBinary(b, ev.sources, f.parallelBackend, ev.sourceFiles))
  const openmpExtension = (f: RunnerFacts): boolean => ev.binaries.length > 0 && verdicts(f).every(b => b.cause === 'openmp-compiled-in')
  const t = (f: RunnerFacts) => threshold(ev.minSpeedup, ev.threads, f.usableCpus)
  return {
    progressThreads: f => t(f).judgedThreads,
    staticVerdict: f => {
      const failed = verdicts(f).filter(b => b.verdict === 'fail')
      return failed.length ? `The verdict is already FAIL from the binary alone (${failed.map(b => `${b.path}: ${b.cause.replace(/-/g, ' ')}`).join('; ')}).` : null
    },
    isDecided: (c, f, control, counting) => caseSettled(c, control, t(f), { counting, openmpExtension: openmpExtension(f) })
  }
}
