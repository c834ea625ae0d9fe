import { renderAuditText } from './audit-summary.js'
import { renderBuildCacheText } from './build-cache-summary.js'
import { renderRunOnlyFixText } from './remediation-summary.js'
import { boundCell, interval, num, regionsCell, seconds } from './format.js'
import { parallelPath } from '../inspect/openmp.js'
import type { Report } from './types.js'
import { reportView, type BinaryView, type CaseView, type ReportView } from './view.js'

const TAG = { pass: 'PASS', fail: 'FAIL', inconclusive: 'INCONCLUSIVE', skipped: 'SKIPPED' } as const

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)))
  return rows.map(r => '  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '))
}

function binaryLines(b: BinaryView, v: ReportView): string[] {
  const out = ['', `Binary ${b.path}: ${TAG[b.verdict]}`]
  for (const i of b.images) out.push(`  ${i.format} ${i.arch}${i.stripped ? ', stripped' : ''}: ${parallelPath(i.openmp)}; runtimes ${i.openmp.runtimes.map(x => x.library).join(', ') || 'none'}`)
  for (const reason of b.reasons) out.push(`  ${reason}`)
  for (const f of b.runtimeFindings) for (const fix of f.fix) out.push(`    fix: ${fix}`)
  for (const h of b.lostLines.slice(0, 10)) out.push(`    ${h.file}:${h.line}: ${h.text}`)
  if (b.lostLines.length > 10) out.push(`    ... and ${b.lostLines.length - 10} more`)
  // Without a patch the flags go under the binary that needs them; a patch is printed once at the end.
  if (b.failedForLostOpenMP && v.fix?.kind === 'flags') {
    out.push(`  Fix (${v.fix.platform}), in setup.py's CppExtension(...):`)
    for (const line of v.fix.setupPy.split('\n')) out.push(`    ${line}`)
  }
  return out
}

function caseLines(c: CaseView): string[] {
  const out = ['', `Case ${c.name}: ${TAG[c.verdict]}`]
  for (const reason of c.reasons) out.push(`  ${reason}`)
  if (c.error || c.rows.length === 0) return out
  const counted = c.counted
  return [
    ...out,
    ...table([
      ['threads', 'time/call', 'speedup (95% interval)', ...(counted ? ['Amdahl bound'] : []), 'efficiency', 'CPU/wall', 'busy', ...(counted ? ['regions ext/torch'] : [])],
      ...c.rows.map(x => [`${x.threads}${x.judged ? '*' : x.oversubscribed ? ' (over)' : ''}`, seconds(x.seconds), interval(x.speedup), ...(counted ? [boundCell(x.regions)] : []), `${num(x.efficiency * 100, 0)}%`, num(x.cpuPerWall), String(x.busyThreads ?? 'n/a'), ...(counted ? [regionsCell(x.regions)] : [])]),
      ...(c.reference ? [[`${c.reference.copies} copies`, '', interval(c.reference.throughput), ...(counted ? [''] : []), '', '', '', ...(counted ? [''] : [])]] : [])
    ])
  ]
}

/** The report as a terminal reads it: the same facts as the step summary, in plain text. */
export function renderTerminal(r: Report): string {
  const v = reportView(r)
  const t = v.threshold
  const out: string[] = [`thread-scaling-check: ${TAG[v.verdict]}`]
  if (v.fixApplied) out.push(renderRunOnlyFixText(v.fixApplied).trimEnd())
  for (const reason of v.reasons) out.push(`  - ${reason}`)
  out.push('')
  out.push(`Required: ${num(t.required)}x at ${t.judgedThreads} threads (min-speedup ${num(t.minSpeedup)} at 4).${t.note ? ` ${t.note}` : ''}`)
  if (v.speedup !== null) out.push(`Speedup: ${num(v.speedup)}x at ${t.judgedThreads} threads (the lowest over the cases).`)
  const notes = [v.runner.steal, v.runner.reference].filter(Boolean).map(n => `; ${n}`).join('')
  out.push(`Runner: ${v.runner.os} ${v.runner.arch}, ${v.runner.usableCpus} usable CPU(s) of ${v.runner.cpuCount}; torch ${v.runner.torchVersion}, ATen parallel backend ${v.runner.parallelBackend}${notes}`)
  for (const b of v.binaries) out.push(...binaryLines(b, v))
  for (const c of v.cases) out.push(...caseLines(c))
  const m = v.measured
  for (const [k, val] of m?.workloadInfo ?? []) out.push(`Workload ${k}: ${val}`)
  if (m) out.push('', `Measured in ${m.rounds} round(s), ${num(m.seconds, 1)} s (stopped: ${m.stoppedBy}). * = judged thread count; copies = that many single-thread processes at once, the most this runner gives the work.`)
  if (m?.counting) out.push(m.counting)
  if (v.fix?.kind === 'patch') out.push('', `Fix: apply this patch to ${v.fix.file} (git apply / patch -p1):`, v.fix.diff.trimEnd(), v.fix.note)
  if (v.build?.audit) out.push('', renderAuditText(v.build.audit).trimEnd())
  if (v.build?.cache) out.push('', renderBuildCacheText(v.build.cache).trimEnd())
  for (const e of v.errors) out.push('', `Error: ${e}`)
  return out.join('\n') + '\n'
}
