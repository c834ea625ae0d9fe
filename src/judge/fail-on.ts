import type { FailOn } from '../config/settings.js'
import type { Verdict } from './types.js'

/** Whether the step fails for this verdict under fail-on. */
export function stepFails(verdict: Verdict, failOn: FailOn): boolean {
  if (failOn === 'never') return false
  if (failOn === 'inconclusive') return verdict === 'fail' || verdict === 'inconclusive'
  return verdict === 'fail'
}
