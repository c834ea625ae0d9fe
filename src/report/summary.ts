import { renderAuditMarkdown } from './audit-summary.js'
import { renderBuildCacheMarkdown } from './build-cache-summary.js'
import { bar, boundCell, ICON, interval, md, num, regionsCell, seconds } from './format.js'
import { renderPatchMarkdown, renderRunOnlyFixMarkdown } from './remediation-summary.js'
import type { Report } from './types.js'
import { reportView, type BinaryView, type CaseView, type FixView, type ReportView } from './view.js'

/** GitHub's limit for one step summary is 1024 KiB; stay well under it. */
const SUMMARY_LIMIT = 1000 * 1024

export { md } from './format.js'

function caseTable(c: CaseView): string[] {
  const maxSpeed = Math.max(...c.rows.map(r => r.speedup.estimate ?? 0), c.reference?.throughput.estimate ?? 0, 1)
  const counted = c.counted
  const lines = [
    `| threads | time per call | speedup (95% interval) |${counted ? ' Amdahl bound (p) |' : ''} efficiency | CPU/wall | busy threads |${counted ? ' regions ext / torch |' : ''} |`,
    `|---:|---:|---|${counted ? '---:|' : ''}---:|---:|---:|${counted ? '---:|' : ''}---|`
  ]
  for (const r of c.rows) {
    const mark = r.judged ? ' **(judged)**' : r.oversubscribed ? ' (oversubscribed)' : ''
    lines.push(`| ${r.threads}${mark} | ${seconds(r.seconds)} | ${interval(r.speedup)} |${counted ? ` ${boundCell(r.regions)} |` : ''} ${num(r.efficiency * 100, 0)}% | ${num(r.cpuPerWall)} | ${r.busyThreads ?? 'n/a'} |${counted ? ` ${regionsCell(r.regions)} |` : ''} ${bar(r.speedup.estimate ?? NaN, maxSpeed, 12)} |`)
  }
  const ref = c.reference
  if (ref) lines.push(`| ${ref.copies} single-thread copies (reference) | | ${interval(ref.throughput)} |${counted ? ' |' : ''} | | |${counted ? ' |' : ''} ${bar(ref.throughput.estimate ?? NaN, maxSpeed, 12)} |`)
  return lines
}

/** The patch for the build file when there is one; otherwise the flags to add by hand. */
function fixSection(fix: FixView): string[] {
  if (fix.kind === 'patch') return [renderPatchMarkdown(fix.file, { diff: fix.diff, note: fix.note, patched: '' })]
  return [`**Fix (${fix.platform})**: add OpenMP flags to the extension in \`setup.py\`:`, '', '```python', fix.setupPy, '```', '', fix.note, '']
}

function binaryEntries(b: BinaryView): string {
  if (b.forkEntries.length) return b.forkEntries.map(f => `\`${md(f)}\``).join(', ')
  if (b.stableEntries.length) return `none; parallel through libtorch (stable ABI: ${b.stableEntries.map(f => `\`${md(f)}\``).join(', ')})`
  return 'none'
}

function binariesSection(v: ReportView): string[] {
  const out = ['### Binaries', '', '| binary | verdict | OpenMP fork entries | runtimes | stripped |', '|---|---|---|---|---|']
  for (const b of v.binaries) out.push(`| \`${md(b.path)}\` | ${ICON[b.verdict]} ${b.verdict} | ${binaryEntries(b)} | ${b.runtimes.length ? md(b.runtimes.join(', ')) : 'none'} | ${b.stripped ? 'yes' : 'no'} |`)
  out.push('')
  for (const b of v.binaries) {
    for (const f of b.runtimeFindings) {
      out.push(`${f.severity === 'error' ? '❌' : '⚠️'} **${md(b.path)}: two OpenMP runtimes.** ${md(f.summary)} ${md(f.effect)}`, '')
      for (const fix of f.fix) out.push(`- ${md(fix)}`)
      out.push('')
    }
  }
  for (const b of v.binaries.filter(b => b.failedForLostOpenMP)) {
    out.push(`**${md(b.path)}**: ${b.reasons.map(md).join(' ')}`, '')
    if (b.lostLines.length) {
      out.push(`<details><summary>${b.lostLines.length} source line(s) that run serially</summary>`, '')
      for (const h of b.lostLines.slice(0, 50)) out.push(`- \`${md(h.file)}:${h.line}\`: \`${h.text.replace(/`/g, "'")}\``)
      out.push('', `</details>`, '')
    }
  }
  if (v.fix) out.push(...fixSection(v.fix))
  return out
}

function workloadSection(v: ReportView): string[] {
  const out = ['### Workload', '']
  for (const c of v.cases) {
    out.push(`#### ${ICON[c.verdict]} ${md(c.name)}: ${c.verdict}`, '')
    for (const reason of c.reasons) out.push(`${md(reason)}`)
    out.push('')
    if (!c.error && c.rows.length) out.push(...caseTable(c), '')
  }
  const m = v.measured
  if (m) {
    const info = m.workloadInfo.map(([k, val]) => `${md(k)}: \`${md(val)}\``)
    out.push(`Measured in ${m.rounds} interleaved round(s), ${num(m.seconds, 1)} s (stopped: ${m.stoppedBy}).${info.length ? ` Workload: ${info.join(', ')}.` : ''}${m.counting ? ` ${m.counting}` : ''}`, '')
  }
  return out
}

/** The step summary: verdict first, then why, then the numbers. */
export function renderSummary(r: Report): string {
  const v = reportView(r)
  const t = v.threshold
  const out: string[] = [`## ${ICON[v.verdict]} thread-scaling-check: ${v.verdict}`, '']
  if (v.fixApplied) out.push(renderRunOnlyFixMarkdown(v.fixApplied))
  for (const reason of v.reasons) out.push(`- ${md(reason)}`)
  out.push('')
  out.push(`Required speedup: **${num(t.required)}x at ${t.judgedThreads} threads** (min-speedup ${num(t.minSpeedup)} at 4 threads).${t.note ? ` ${md(t.note)}` : ''}${v.speedup !== null ? ` Lowest speedup measured: **${num(v.speedup)}x** at ${t.judgedThreads} threads.` : ''}`)
  out.push('')
  out.push(`| runner | usable CPUs | torch | ATen parallel backend | python |`)
  out.push(`|---|---:|---|---|---|`)
  const cpus = `${num(v.runner.usableCpus, 1).replace(/\.0$/, '')} of ${v.runner.cpuCount}${v.runner.steal ? ` (${v.runner.steal})` : ''}`
  out.push(`| ${md(v.runner.os)} ${md(v.runner.arch)} | ${cpus} | ${md(v.runner.torchVersion)} | ${md(v.runner.parallelBackend)} | ${md(v.runner.pythonVersion)} |`)
  out.push('')
  const reference = v.runner.reference
  if (reference) out.push(`${md(reference.charAt(0).toUpperCase() + reference.slice(1))}.`, '')
  if (v.binaries.length) out.push(...binariesSection(v))
  if (v.cases.length && v.cases.some(c => !c.isControl)) out.push(...workloadSection(v))
  if (v.errors.length) {
    out.push(`### Errors`, '')
    for (const e of v.errors) out.push('```', e.replace(/```/g, "'''").slice(0, 4000), '```')
  }
  const b = v.build
  if (b?.audit) out.push(renderAuditMarkdown(b.audit))
  if (b?.cache) out.push(renderBuildCacheMarkdown(b.cache))
  if (b) out.push(`Build: \`${md(b.command)}\` took ${num(b.seconds, 1)} s (log: \`${md(b.log)}\`${b.compileDatabase ? `, compile database: \`${md(b.compileDatabase)}\`` : ''}).`)
  const text = out.join('\n') + '\n'
  return text.length > SUMMARY_LIMIT ? text.slice(0, SUMMARY_LIMIT) + '\n\n…(summary truncated; see the JSON report)\n' : text
}
