import type { CaseFinding } from '../judge/types.js'
import { renderAuditMarkdown } from './audit-summary.js'
import { renderBuildCacheMarkdown } from './build-cache-summary.js'
import { bar, boundCell, countingNote, ICON, interval, md, num, referenceNote, regionsCell, seconds, stealNote, stoppedBy } from './format.js'
import { openmpFix } from '../fix/remediation.js'
import { renderPatchMarkdown, renderRunOnlyFixMarkdown } from './remediation-summary.js'
import type { Report } from './types.js'
import { lostOpenMP } from '../judge/binary-verdict.js'

/** GitHub's limit for one step summary is 1024 KiB; stay well under it. */
const SUMMARY_LIMIT = 1000 * 1024

export { md } from './format.js'

function caseTable(c: CaseFinding, judgedThreads: number): string[] {
  const maxSpeed = Math.max(...c.rows.map(r => r.speedup.estimate ?? 0), c.reference?.throughput.estimate ?? 0, 1)
  const counted = c.rows.some(r => r.regions)
  const lines = [
    `| threads | time per call | speedup (95% interval) |${counted ? ' Amdahl bound (p) |' : ''} efficiency | CPU/wall | busy threads |${counted ? ' regions ext / torch |' : ''} |`,
    `|---:|---:|---|${counted ? '---:|' : ''}---:|---:|---:|${counted ? '---:|' : ''}---|`
  ]
  for (const r of c.rows) {
    const mark = r.threads === judgedThreads ? ' **(judged)**' : r.oversubscribed ? ' (oversubscribed)' : ''
    lines.push(`| ${r.threads}${mark} | ${seconds(r.seconds)} | ${interval(r.speedup)} |${counted ? ` ${boundCell(r.regions)} |` : ''} ${num(r.efficiency * 100, 0)}% | ${num(r.cpuPerWall)} | ${r.busyThreads ?? 'n/a'} |${counted ? ` ${regionsCell(r.regions)} |` : ''} ${bar(r.speedup.estimate ?? NaN, maxSpeed, 12)} |`)
  }
  const ref = c.reference
  if (ref) lines.push(`| ${ref.copies} single-thread copies (reference) | | ${interval(ref.throughput)} |${counted ? ' |' : ''} | | |${counted ? ' |' : ''} ${bar(ref.throughput.estimate, maxSpeed, 12)} |`)
  return lines
}

/** The patch for the build file when there is one; otherwise the flags to add by hand. */
function fixSection(r: Report): string[] {
  if (r.remediation) return [renderPatchMarkdown(r.remediation.file, { diff: r.remediation.diff, note: r.remediation.note, patched: '' })]
  const fix = openmpFix(r.runner.platform)
  return [`**Fix (${fix.platform})**: add OpenMP flags to the extension in \`setup.py\`:`, '', '```python', fix.setupPy, '```', '', fix.note, '']
}

/** The step summary: verdict first, then why, then the numbers. */
export function renderSummary(r: Report): string {
  const out: string[] = []
  out.push(`## ${ICON[r.verdict]} thread-scaling-check: ${r.verdict}`)
  out.push('')
  if (r.build?.fixApplied) out.push(renderRunOnlyFixMarkdown(r.build.fixApplied))
  for (const reason of r.reasons) out.push(`- ${md(reason)}`)
  out.push('')
  const t = r.threshold
  out.push(`Required speedup: **${num(t.required)}x at ${t.judgedThreads} threads** (min-speedup ${num(t.minSpeedup)} at 4 threads).${t.note ? ` ${md(t.note)}` : ''}${r.speedup !== null ? ` Lowest speedup measured: **${num(r.speedup)}x** at ${t.judgedThreads} threads.` : ''}`)
  out.push('')
  out.push(`| runner | usable CPUs | torch | ATen parallel backend | python |`)
  out.push(`|---|---:|---|---|---|`)
  const steal = stealNote(r.measurement)
  const cpus = `${num(r.runner.usableCpus, 1).replace(/\.0$/, '')} of ${r.runner.cpuCount}${steal ? ` (${steal})` : ''}`
  out.push(`| ${md(r.runner.os)} ${md(r.runner.arch)} | ${cpus} | ${md(r.runner.torchVersion)} | ${md(r.runner.parallelBackend)} | ${md(r.runner.pythonVersion ?? '')} |`)
  out.push('')
  const reference = referenceNote(r.measurement)
  if (reference) out.push(`${md(reference.charAt(0).toUpperCase() + reference.slice(1))}.`, '')

  if (r.binaries.length) {
    out.push(`### Binaries`)
    out.push('')
    out.push(`| binary | verdict | OpenMP fork entries | runtimes | stripped |`)
    out.push(`|---|---|---|---|---|`)
    for (const b of r.binaries) {
      const forks = [...new Set(b.images.flatMap(i => i.openmp.forkImports))]
      const runtimes = [...new Set(b.images.flatMap(i => i.openmp.runtimes.map(x => `${x.library} (${x.family})`)))]
      const shim = [...new Set(b.images.flatMap(i => i.openmp.libtorchParallel ?? []))]
      const entries = forks.length ? forks.map(f => `\`${md(f)}\``).join(', ') : shim.length ? `none; parallel through libtorch (stable ABI: ${shim.map(f => `\`${md(f)}\``).join(', ')})` : 'none'
      out.push(`| \`${md(b.path)}\` | ${ICON[b.verdict]} ${b.verdict} | ${entries} | ${runtimes.length ? md(runtimes.join(', ')) : 'none'} | ${b.images.every(i => i.stripped) ? 'yes' : 'no'} |`)
    }
    out.push('')
    for (const b of r.binaries) {
      for (const f of b.runtimeFindings ?? []) {
        out.push(`${f.severity === 'error' ? '❌' : '⚠️'} **${md(b.path)}: two OpenMP runtimes.** ${md(f.summary)} ${md(f.effect)}`, '')
        for (const fix of f.fix) out.push(`- ${md(fix)}`)
        out.push('')
      }
    }
    for (const b of r.binaries.filter(b => b.verdict === 'fail' && lostOpenMP(b.cause))) {
      out.push(`**${md(b.path)}**: ${b.reasons.map(md).join(' ')}`)
      out.push('')
      if (b.lostLines.length) {
        out.push(`<details><summary>${b.lostLines.length} source line(s) that run serially</summary>`)
        out.push('')
        for (const h of b.lostLines.slice(0, 50)) out.push(`- \`${md(h.file)}:${h.line}\`: \`${h.text.replace(/`/g, "'")}\``)
        out.push('')
        out.push(`</details>`)
        out.push('')
      }
    }
    if (r.binaries.some(b => lostOpenMP(b.cause))) out.push(...fixSection(r))
  }

  if (r.cases.length) {
    out.push(`### Workload`)
    out.push('')
    for (const c of [...r.cases, ...(r.control ? [r.control] : [])]) {
      out.push(`#### ${ICON[c.verdict]} ${md(c.name)}: ${c.verdict}`)
      out.push('')
      for (const reason of c.reasons) out.push(`${md(reason)}`)
      out.push('')
      if (!c.error && c.rows.length) out.push(...caseTable(c, t.judgedThreads), '')
    }
    if (r.measurement) {
      const info = Object.entries(r.measurement.workloadInfo ?? {}).map(([k, v]) => `${md(k)}: \`${md(v)}\``)
      out.push(`Measured in ${r.measurement.rounds} interleaved round(s), ${num(r.measurement.seconds, 1)} s (stopped: ${stoppedBy(r.measurement.stoppedBy)}).${info.length ? ` Workload: ${info.join(', ')}.` : ''}${countingNote(r.measurement.counting) ? ` ${countingNote(r.measurement.counting)}` : ''}`, '')
    }
  }
  if (r.errors.length) {
    out.push(`### Errors`)
    out.push('')
    for (const e of r.errors) out.push('```', e.replace(/```/g, "'''").slice(0, 4000), '```')
  }
  if (r.build?.audit) out.push(renderAuditMarkdown(r.build.audit))
  if (r.build?.cache) out.push(renderBuildCacheMarkdown(r.build.cache))
  if (r.build) out.push(`Build: \`${md(r.build.command)}\` took ${num(r.build.seconds, 1)} s (log: \`${md(r.build.log)}\`${r.build.compileDatabase ? `, compile database: \`${md(r.build.compileDatabase)}\`` : ''}).`)
  const text = out.join('\n') + '\n'
  return text.length > SUMMARY_LIMIT ? text.slice(0, SUMMARY_LIMIT) + '\n\n…(summary truncated; see the JSON report)\n' : text
}
