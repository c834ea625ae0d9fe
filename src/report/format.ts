import type { Verdict } from '../judge/types.js'
import { stealShare } from '../measure/rounds.js'
import type { Interval } from '../measure/stats.js'
import type { CountingInfo, ReferenceInfo, Sample } from '../measure/types.js'
import type { RowRegions } from '../judge/counts.js'

/** Escapes text from the user's project (case names, paths) for Markdown tables. */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>~]/g, c => `\\${c}`).replace(/\r?\n/g, ' ')
}

export const ICON: Record<Verdict, string> = { pass: '✅', fail: '❌', inconclusive: '⚠️', skipped: '⏭️' }

export function num(x: number | null | undefined, digits = 2): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : 'n/a'
}

export function seconds(x: number | null | undefined): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return 'n/a'
  if (x >= 1) return `${x.toFixed(2)} s`
  if (x >= 1e-3) return `${(x * 1e3).toFixed(2)} ms`
  return `${(x * 1e6).toFixed(1)} µs`
}

export function interval(s: Interval | null): string {
  if (!s || s.estimate === null || !Number.isFinite(s.estimate)) return 'n/a'
  return s.low === s.high ? `${num(s.estimate)}x` : `${num(s.estimate)}x (${num(s.low)}-${num(s.high)})`
}

/** A bar of width proportional to value/max, in eighth blocks: a chart that renders everywhere. */
export function bar(value: number, max: number, width = 16): string {
  if (!Number.isFinite(value) || !Number.isFinite(max) || max <= 0) return ''
  const eighths = Math.max(0, Math.min(width * 8, Math.round((value / max) * width * 8)))
  return '█'.repeat(Math.floor(eighths / 8)) + (eighths % 8 ? ' ▏▎▍▌▋▊▉'[eighths % 8] : '')
}

/** The hypervisor's steal over all measured samples, as a short phrase, or '' when unknown. */
export function stealNote(m: { samples: { samples: Sample[] }[] } | null): string {
  const share = m ? stealShare(m.samples.flatMap(c => c.samples)) : null
  return share === null ? '' : `hypervisor steal ${(share * 100).toFixed(1)}% while measuring`
}

/** How the throughput reference ran, as a short phrase: copies and peak memory, or why none ran; '' before report 1.2. */
export function referenceNote(m: { reference?: ReferenceInfo } | null): string {
  const ref = m?.reference
  if (!ref) return ''
  if (ref.skipped) return `no throughput reference: ${ref.skipped}`
  const peak = ref.peakRss.length ? `; peak memory per process ${Math.round(Math.max(...ref.peakRss.map(p => p.bytes)) / 2 ** 20)} MiB` : ''
  return `throughput reference: ${ref.copies} single-thread copies at once${peak}`
}

const STOPPED: Record<string, string> = {
  decided: 'every case was decided',
  'static-verdict': 'the binary alone decided the verdict, so timings are for information',
  'max-rounds': 'round limit reached',
  'max-time': 'max-time reached'
}

/** Why measuring stopped, in words. */
export function stoppedBy(reason: string): string {
  return STOPPED[reason] ?? reason
}

/** A row's region counts for the tables: regions per call opened by the extension / by libtorch, and the extension's largest team. */
export function regionsCell(r: RowRegions | null | undefined): string {
  if (!r) return 'not counted'
  const per = (n: number): string => (r.calls > 0 ? num(n / r.calls) : 'n/a')
  return `${per(r.extension.regions)} / ${per(r.libtorch.regions)}${r.extension.regions ? ` (team ${r.extension.largestTeam})` : ''}`
}

/** A row's Amdahl bound from the extension's share p, shown beside the measured speedup: '≤ 1.33x (p 33%)'; '' where there is none. */
export function boundCell(r: RowRegions | null | undefined): string {
  if (!r || r.bound == null || r.share == null) return ''
  return `≤ ${num(r.bound)}x (p ${Math.round(r.share * 100)}%)`
}

/** One line on whether regions were counted, for the report's footers. */
export function countingNote(c: CountingInfo | undefined): string | null {
  if (!c) return null
  return c.available
    ? `regions = parallel regions per call opened by the extension / by libtorch (counted per shared object ${c.via === 'ompt' ? "by an OMPT tool, which sees LLVM libomp's regions only" : 'through LD_PRELOAD'}), with the largest extension team that ran; Amdahl bound = 1/((1-p)+p/n), p = the share of the single-thread time inside the extension's own regions.`
    : `Parallel regions not counted: ${c.reason ?? 'unknown reason'}; the verdicts rest on timings and thread evidence alone.`
}
