import { validateReport } from '../src/report/schema.js'

// Causes that blame the runner, not the kernel: other processes held the
// CPUs, libtorch's control didn't scale either, or max-time ran out first.
const RUNNER_CAUSES = ['cpu-withheld', 'control-flat', 'unclear', 'unclear-reference', 'runner-limit']

/**
 * An inconclusive report from `check --json` whose cases all blame the
 * runner: on a busy test machine that is the documented answer, and a test
 * that expects a pass measures once more instead of asserting on it.
 */
export function busyInconclusive(stdout: string): boolean {
  const report = validateReport(JSON.parse(stdout))
  return report.verdict === 'inconclusive' && report.cases.every(c => c.verdict === 'pass' || RUNNER_CAUSES.includes(c.cause ?? ''))
}
