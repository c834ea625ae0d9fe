import type { Measurement } from '../measure/types.js'
import type { CaseFinding } from './types.js'

/**
 * The one speedup the action reports (output, terminal, summary, comment):
 * the worst case's estimate at the judged thread count, or null when no case has one.
 */
export function reportedSpeedup(cases: readonly CaseFinding[]): number | null {
  const speeds = cases.filter(c => !c.error).map(c => c.judged?.estimate ?? NaN).filter(Number.isFinite)
  return speeds.length ? Math.min(...speeds) : null
}

/** Each case (the control included) that could not be measured, in words for the report's errors. */
export function caseErrors(m: Measurement | null): string[] {
  if (!m) return []
  return [...m.cases, m.control].filter(c => c.error).map(c => `Case '${c.name}': ${c.error}`)
}
