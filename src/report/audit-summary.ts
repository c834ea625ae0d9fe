/** The per-TU flag audit, as a compact Markdown table for the summary and plain text for the terminal. Pure. */
import type { BuildAudit, TuAudit } from '../build/audit.js'
import { md } from './format.js'

/** Rows shown in the summary before the rest is folded away. */
const MAX_ROWS = 60

const code = (s: string): string => `\`${md(s)}\``
const list = (xs: string[]): string => (xs.length ? xs.map(code).join(' ') : '–')

function openmpCell(t: TuAudit): string {
  if (t.openmp.enabled) return `✅ ${list(t.openmp.flags)}`
  const mark = t.flagged ? '❌' : '–'
  return `${mark} ${t.openmp.flags.length ? list(t.openmp.flags) : 'none'}${t.openmp.note ? ` (${md(t.openmp.note)})` : ''}`
}

function parallelCell(t: TuAudit): string {
  const kinds = [...new Set(t.hits.map(h => (h.construct === 'omp-pragma' ? '#pragma omp' : 'parallel_for')))]
  const parts = [...kinds.map(k => code(k)), ...(t.parallelHeader ? [`via ${code(t.parallelHeader)}`] : [])]
  return parts.length ? parts.join(', ') : '–'
}

/** Sort flagged first, then by file, so the problem is at the top of a long table. */
const order = (tus: readonly TuAudit[]): TuAudit[] => [...tus].sort((a, b) => Number(b.flagged) - Number(a.flagged) || a.file.localeCompare(b.file))

export function renderAuditMarkdown(audit: BuildAudit): string {
  const out: string[] = ['### Compile flags, per translation unit', '']
  if (audit.tus.length === 0) {
    out.push('No compile commands were recorded (the build compiled nothing, or ran a compiler the wrappers could not stand in for).', '')
    return out.join('\n')
  }
  const n = audit.flagged.length
  out.push(
    n
      ? `**${n} of ${audit.tus.length} translation units** hold parallel code and were compiled **without OpenMP**: their parallel loops run on one thread.`
      : `All ${audit.tus.length} translation units with parallel code were compiled with OpenMP.`,
    ''
  )
  out.push('| file | OpenMP | opt | target | debug | parallel code | linked into |', '|---|---|---|---|---|---|---|')
  const rows = order(audit.tus)
  for (const t of rows.slice(0, MAX_ROWS)) {
    out.push(`| ${code(t.file)} | ${openmpCell(t)} | ${t.optimisation ? code(t.optimisation) : 'default'} | ${list(t.target)} | ${list(t.debug)} | ${parallelCell(t)} | ${list(t.linkedInto)} |`)
  }
  if (rows.length > MAX_ROWS) out.push('', `…and ${rows.length - MAX_ROWS} more (all in compile_commands.json).`)
  out.push('')
  if (audit.links.length) {
    out.push('| link output | objects | OpenMP runtime on the link line |', '|---|---:|---|')
    for (const l of audit.links) out.push(`| ${code(l.output)} | ${l.objects.length} | ${l.openmpLibraries.length ? list(l.openmpLibraries) : 'none'} |`)
    out.push('')
  }
  return out.join('\n')
}

export function renderAuditText(audit: BuildAudit): string {
  if (audit.tus.length === 0) return 'Compile flags: no compile commands were recorded.\n'
  const rows = order(audit.tus).map(t => [
    t.file,
    t.openmp.enabled ? t.openmp.flags.join(' ') : t.flagged ? 'no OpenMP  <- parallel code runs serially' : 'no OpenMP',
    t.optimisation ?? 'default',
    t.target.join(' ') || '-',
    t.debug.join(' ') || '-'
  ])
  const head = ['file', 'OpenMP', 'opt', 'target', 'debug']
  const width = head.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)))
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(width[i]))).join('  ').trimEnd()
  const out = [`Compile flags (${audit.flagged.length} of ${audit.tus.length} TUs with parallel code lack OpenMP):`, line(head), ...rows.map(line)]
  for (const l of audit.links) out.push(`link ${l.output}: ${l.objects.length} object(s), OpenMP runtime: ${l.openmpLibraries.join(', ') || 'none'}`)
  return out.join('\n') + '\n'
}
