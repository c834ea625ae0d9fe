import { busyThreads, cpuPerWall, speedupInterval, timePerIter } from '../measure/rounds.js'
import type { Interval } from '../measure/stats.js'
import type { CaseMeasurement, CountingInfo } from '../measure/types.js'
import { judgeBinary } from './binary-verdict.js'
import { caseReason } from './case-reasons.js'
import { decideCase, position, type CountingContext } from './case-verdict.js'
import { rowRegions } from './counts.js'
import { caseErrors, reportedSpeedup } from './overall.js'
import { threshold } from './threshold.js'
import type { CaseFinding, Evidence, Judgement, Threshold, ThreadRow, Verdict } from './types.js'

/** How bad a verdict is: higher is worse. */
export const VERDICT_RANK: Record<Verdict, number> = { fail: 3, inconclusive: 2, pass: 1, skipped: 0 }

/** The worst of several verdicts (fail > inconclusive > pass > skipped). */
export function worst(verdicts: readonly Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((a, b) => (VERDICT_RANK[b] > VERDICT_RANK[a] ? b : a), 'skipped')
}

const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a')

function rows(c: CaseMeasurement, threads: readonly number[], usable: number, counting?: CountingInfo): ThreadRow[] {
  return threads.map(n => {
    const speedup: Interval = n === 1 ? { estimate: 1, low: 1, high: 1 } : speedupInterval(c, n)
    return {
      threads: n,
      seconds: timePerIter(c, n),
      speedup,
      efficiency: speedup.estimate / n,
      cpuPerWall: cpuPerWall(c, n),
      busyThreads: busyThreads(c, n),
      ...(counting ? { regions: rowRegions(c, n, counting) } : {}),
      oversubscribed: n > Math.floor(usable + 1e-9)
    }
  })
}

function judgeCase(c: CaseMeasurement, ev: Evidence, t: Threshold, control: CaseMeasurement | null, ctx: CountingContext): CaseFinding {
  // Skipped, never failed: the runner can't run it, which says nothing about the code.
  if (c.skipped !== undefined) return { name: c.name, verdict: 'skipped', cause: 'needs-cuda', rows: [], judged: null, reference: null, reasons: [`Skipped: ${c.skipped}.`] }
  const usable = ev.facts.usableCpus
  const base = { name: c.name, rows: rows(c, ev.threads, usable, ctx.counting) }
  if (c.gpu && !c.error) {
    const t1 = timePerIter(c, 1)
    return { ...base, verdict: 'skipped', cause: 'gpu-case', judged: null, reference: null, reasons: [`Runs on the GPU (needs_cuda): ${Number.isFinite(t1) ? `${(t1 * 1e3).toFixed(3)} ms per call at 1 thread, ` : ''}timed for information and not held to min-speedup, since CPU threads don't speed up a GPU kernel.`] }
  }
  const d = decideCase(c, control, t, ctx)
  if (d.cause === 'not-measured') return { ...base, verdict: 'skipped', cause: d.cause, judged: null, reference: null, reasons: [`Not measured: ${(c.error ?? '').split('\n')[0]}`], error: c.error }
  if (d.cause === 'one-cpu') return { ...base, verdict: 'inconclusive', cause: d.cause, judged: null, reference: null, reasons: [`The runner has ${usable} usable CPU; scaling can't be measured on one CPU.`] }
  const row = base.rows.find(r => r.threads === t.judgedThreads) as ThreadRow
  const skipped = ev.measurement?.reference.skipped ?? null
  // Not where other processes held the CPUs: p rests on times at 1 and n threads, which a busy runner skews.
  const bound = d.withheld ? null : amdahlReason(row, t)
  return { ...base, verdict: d.verdict, cause: d.cause, judged: d.speedup, reference: d.reference, reasons: [caseReason(d, row, timePerIter(c, 1), t, skipped), ...(bound ? [bound] : [])] }
}

/** When the extension's share p of the case caps it under the requirement, whatever its regions do: that sentence, else null. */
export function amdahlReason(row: ThreadRow, t: Threshold): string | null {
  const r = row.regions
  if (!r || !r.extension.regions || r.share == null || r.bound == null || r.bound >= t.required) return null
  return `Amdahl's law caps this case at ${fmt(r.bound)}x at ${t.judgedThreads} threads, below the required ${fmt(t.required)}x, however well the extension scales: its own parallel regions hold p = ${Math.round(r.share * 100)}% of the case's single-thread time (1/((1-p)+p/${t.judgedThreads}) = ${fmt(r.bound)}). Either the case is mostly not the extension's work, or its parallel part is too small: make the workload time the kernel on its own.`
}

/** Evidence in, verdicts out: no I/O, no clocks. */
export function judge(ev: Evidence): Judgement {
  const t = threshold(ev.minSpeedup, ev.threads, ev.facts.usableCpus)
  const binaries = ev.binaries.map(b => judgeBinary(b, ev.sources, ev.facts.parallelBackend, ev.sourceFiles))
  // Kernels with nothing to parallelise are not held to a speedup: their timings are information.
  const serialByDesign = binaries.length > 0 && binaries.every(b => b.cause === 'serial-by-design')
  const m = ev.measurement
  let control: CaseFinding | null = null
  let controlScales: boolean | null = null
  let cases: CaseFinding[] = []
  if (m) {
    const cs = m.control.error || t.judgedThreads < 2 ? null : speedupInterval(m.control, t.judgedThreads)
    controlScales = cs ? position(cs, t.required) !== 'below' : null
    control = { name: 'control (torch.digamma)', verdict: controlScales ? 'pass' : 'inconclusive', rows: rows(m.control, ev.threads, ev.facts.usableCpus), judged: cs, reasons: [controlScales ? `libtorch's own parallel op reached ${fmt(cs?.estimate ?? NaN)}x: the runner delivers parallel speedup.` : m.control.error ? `The control could not be measured: ${m.control.error.split('\n')[0]}` : cs ? `libtorch's own parallel op reached only ${fmt(cs.estimate)}x: the runner is busy or short of cores.` : `libtorch's own parallel op can't show a speedup on ${t.judgedThreads} thread: the runner has one usable CPU.`] }
    // Only where every extension has OpenMP regions compiled in: a case may call an extension that has none.
    const ctx: CountingContext = { counting: m.counting, openmpExtension: binaries.length > 0 && binaries.every(b => b.cause === 'openmp-compiled-in') }
    cases = m.cases.map(c => judgeCase(c, ev, t, m.control, ctx))
    if (serialByDesign) {
      cases = cases.map(c => (c.error ? c : { ...c, verdict: 'skipped', cause: 'serial-by-design', reasons: ['Serial by design (no parallel construct in the sources, no OpenMP in the binary): not held to min-speedup; timings shown for information.', ...c.reasons] }))
    }
  }

  const failed = binaries.filter(b => b.verdict === 'fail')
  const verdict = worst([...binaries.map(b => b.verdict), ...cases.map(c => c.verdict)])
  const reasons: string[] = []
  for (const b of failed) reasons.push(`${b.path}: ${b.reasons[0]}`)
  for (const c of cases.filter(c => c.verdict === verdict && verdict !== 'pass')) reasons.push(`${c.name}: ${c.reasons[0]}`)
  if (!m) reasons.push('No workload was given, so nothing was timed; the verdict rests on the binary alone.')
  if (reasons.length === 0) reasons.push(verdict === 'pass' ? `Every case reached the required speedup of ${fmt(t.required)}x at ${t.judgedThreads} threads.` : 'Nothing to judge.')
  return { verdict, reasons, threshold: t, binaries, cases, control, controlScales, speedup: reportedSpeedup(cases), errors: caseErrors(m) }
}
