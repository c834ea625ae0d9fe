import { num } from '../report/format.js'
import type { Report } from '../report/types.js'
import { inline } from './escape.js'
import { legKey } from './leg.js'

/**
 * Baselines: the default branch's latest report per leg, and how a pull
 * request's speedups compare with it. The comparison is pure; storage is
 * behind BaselineStore (baseline-store.ts).
 */

/** Where reports are kept between runs. The action uses @actions/cache; tests use a folder. */
export interface BaselineStore {
  /** Stores the report under a new, unique key; false when no store is available here (a laptop, a GHES without cache). */
  save(key: string, report: Report): Promise<boolean>
  /** The newest report stored under a key that starts with prefix (as parsed JSON, unvalidated), or null. */
  restoreLatest(prefix: string): Promise<unknown>
}

export function baselinePrefix(leg: string): string {
  return `thread-scaling-baseline-${legKey(leg)}-`
}

/** Cache entries are immutable, so every run gets its own key; restore takes the newest by prefix. */
export function baselineKey(leg: string, runId: number, runAttempt: number): string {
  return `${baselinePrefix(leg)}${runId}-${runAttempt}`
}

export interface CaseDelta {
  name: string
  /** Speedup on the base branch at the compared thread count. */
  before: number
  after: number
  /** after / before - 1: -0.25 is a 25% drop. */
  change: number
  regression: boolean
}

export interface Comparison {
  /** Thread count compared: the current run's judged count. */
  threads: number
  /** Largest relative drop still accepted, 0.15 for 15%. */
  tolerance: number
  /** When the base report was made. */
  baseCreatedAt: string
  cases: CaseDelta[]
}

function speedupAt(r: Report, name: string, threads: number): number | null {
  const c = r.cases.find(x => x.name === name && !x.error)
  const est = c?.rows.find(row => row.threads === threads)?.speedup.estimate
  return typeof est === 'number' && Number.isFinite(est) && est > 0 ? est : null
}

/**
 * Per case, the speedup at the judged thread count before (base branch) and
 * after (this run). A drop by more than the tolerance is a regression even
 * when the case still clears min-speedup: 2.8x down to 2.1x is a lost core.
 */
export function compareToBaseline(current: Report, base: Report, tolerance: number): Comparison {
  const threads = current.threshold.judgedThreads
  const cases: CaseDelta[] = []
  for (const c of current.cases) {
    const before = speedupAt(base, c.name, threads)
    const after = speedupAt(current, c.name, threads)
    if (before === null || after === null) continue
    const change = after / before - 1
    cases.push({ name: c.name, before, after, change, regression: -change > tolerance + 1e-9 })
  }
  return { threads, tolerance, baseCreatedAt: base.createdAt, cases }
}

export const regressions = (c: Comparison | null): CaseDelta[] => c?.cases.filter(d => d.regression) ?? []

export function percent(change: number): string {
  return `${change >= 0 ? '+' : '−'}${Math.abs(change * 100).toFixed(0)}%`
}

/** One line per regression, for the warning annotation and the comment. */
export function regressionText(c: Comparison, max = 5): string {
  const r = regressions(c)
  const listed = r.slice(0, max).map(d => `'${d.name}' ${num(d.before)}x → ${num(d.after)}x (${percent(d.change)})`)
  return `${listed.join(', ')}${r.length > max ? ` and ${r.length - max} more` : ''}`
}

/** The before/after table for the step summary. */
export function renderComparison(c: Comparison): string {
  const bad = regressions(c)
  const out = [`### Against the base branch`, '']
  if (c.cases.length === 0) return [...out, `The base branch's report (${inline(c.baseCreatedAt, 40)}) has no case in common with this run at ${c.threads} threads.`, ''].join('\n')
  out.push(
    bad.length
      ? `⚠️ **${bad.length} case(s) regressed** by more than ${num(c.tolerance * 100, 0)}% at ${c.threads} threads (regression-tolerance), even if they still pass min-speedup.`
      : `No case lost more than ${num(c.tolerance * 100, 0)}% of its speedup at ${c.threads} threads.`,
    '',
    `| case | base branch | this run | change | |`,
    `|---|---:|---:|---:|---|`
  )
  for (const d of c.cases) out.push(`| ${inline(d.name, 80)} | ${num(d.before)}x | ${num(d.after)}x | ${percent(d.change)} | ${d.regression ? '⚠️ regression' : ''} |`)
  out.push('', `Base report from ${inline(c.baseCreatedAt, 40)}.`, '')
  return out.join('\n')
}
