import { VERDICT_RANK, worst } from '../judge/judge.js'
import type { Verdict } from '../judge/types.js'
import { bar, ICON, num } from '../report/format.js'
import type { Report } from '../report/types.js'
import { reportView, type CaseView, type ReportView } from '../report/view.js'
import { percent, regressions, regressionText, type Comparison } from './baseline.js'
import { clip, inline, plain } from './escape.js'
import { legId } from './leg.js'

/**
 * The sticky PR comment, as pure text functions: render one leg's section,
 * parse the sections out of a comment body, and render a body from sections.
 * The API side (find, write, verify) is sticky-comment.ts.
 *
 * A body is the marker line, a header computed from the sections, then each
 * section between hidden markers that carry its id (a hash of the leg name),
 * verdict and time. Every string from a report goes through escape.ts, so no
 * report can forge a marker.
 */

export const STICKY_MARKER = '<!-- thread-scaling-check:sticky -->'
/** GitHub rejects comment bodies over 65,536 characters. */
export const BODY_LIMIT = 65_536
/** Rows per leg's table; the job summary has the rest. */
const MAX_ROWS = 20
const MAX_REASONS = 3

export interface Section {
  /** legId(leg): 16 hex digits. */
  id: string
  verdict: Verdict
  /** When the leg's report was made (ms since epoch): the newer copy of a section wins a merge. */
  at: number
  /** Markdown between the markers, starting with the heading line. */
  text: string
}

export interface SectionInput {
  leg: string
  report: Report
  comparison: Comparison | null
  /** Link to the run that made the report. */
  runUrl: string | null
  /**
   * The section's time (ms since epoch) when the report's own createdAt is
   * not to be trusted: in `mode: comment`, the time GitHub gives the run or
   * its artifact.
   */
  at?: number
}

/** The latest time a marker holds (15 digits): later, or before 1970, reads as 0. */
const MAX_AT = 999_999_999_999_999
export const sectionTime = (t: number): number => (Number.isFinite(t) && t >= 0 && t <= MAX_AT ? Math.floor(t) : 0)

const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'inconclusive', 'skipped']
const open = (s: Section): string => `<!-- tsc:section id=${s.id} verdict=${s.verdict} at=${s.at} -->`
const CLOSE = '<!-- tsc:/section -->'
const SECTION_RE = /<!-- tsc:section id=([0-9a-f]{16}) verdict=([a-z]+) at=(\d{1,15}) -->\n([\s\S]*?)\n<!-- tsc:\/section -->/g

/**
 * Parts of a section that can go when the body is too long, innermost
 * first: 1 the chart, 2 the table (folded in <details> already), 3 the
 * reasons. The heading line always stays.
 */
const drop = (level: number, lines: string[]): string[] => (lines.length ? [`<!-- tsc:drop:${level} -->`, ...lines, `<!-- tsc:/drop:${level} -->`] : [])
const TRIMMED = `_Trimmed to fit GitHub's 65,536-character comment limit; the run's job summary has every number._`

function thread(report: Report): number[] {
  const all = report.settings.threads
  if (all.length <= 6) return all
  return [...new Set([all[0], all[1], report.threshold.judgedThreads, all[all.length - 1]])].sort((a, b) => a - b)
}

function table(input: SectionInput, v: ReportView): string[] {
  const { report: r, comparison } = input
  const rows = v.cases
  if (rows.length === 0) return []
  const counts = thread(r)
  const judged = v.threshold.judgedThreads
  const base = new Map((comparison?.cases ?? []).map(d => [d.name, d]))
  const head = counts.map(n => (n === judged ? `**${n}**` : `${n}`))
  const out = [`| case | ${head.join(' | ')} |${comparison ? ' base branch |' : ''} |`, `|---|${counts.map(() => '---:|').join('')}${comparison ? '---:|' : ''}---|`]
  for (const c of rows.slice(0, MAX_ROWS)) {
    const name = c.isControl ? 'control (libtorch op)' : inline(c.name, 60)
    const cells = counts.map(n => {
      const est = c.rows.find(x => x.threads === n)?.speedup.estimate
      return typeof est === 'number' ? `${num(est)}x` : c.error ? 'error' : 'n/a'
    })
    const d = base.get(c.name)
    const baseCell = comparison ? ` ${d ? `${num(d.before)}x (${percent(d.change)}${d.regression ? ' ⚠️' : ''})` : '—'} |` : ''
    out.push(`| ${name} | ${cells.join(' | ')} |${baseCell} ${ICON[c.verdict]} |`)
  }
  if (rows.length > MAX_ROWS) out.push('', `…and ${rows.length - MAX_ROWS} more case(s) in the job summary.`)
  return out
}

/** Bars of the speedup at the judged thread count: the table at a glance. */
function chart(v: ReportView): string[] {
  const rows = v.cases.filter(c => !c.error).slice(0, MAX_ROWS)
  if (rows.length === 0) return []
  const speed = (c: CaseView): number => c.judged?.estimate ?? NaN
  const max = Math.max(v.threshold.required, ...rows.map(speed).filter(Number.isFinite))
  const names = rows.map(c => (c.isControl ? 'control' : plain(c.name, 28)))
  const width = Math.max(...names.map(n => n.length), 8)
  const lines = rows.map((c, i) => `${names[i].padEnd(width)}  ${bar(speed(c), max, 24).padEnd(24)}  ${Number.isFinite(speed(c)) ? `${num(speed(c))}x` : 'n/a'}`)
  lines.push(`${'required'.padEnd(width)}  ${bar(v.threshold.required, max, 24).padEnd(24)}  ${num(v.threshold.required)}x at ${v.threshold.judgedThreads} threads`)
  return ['', '```text', ...lines, '```', '']
}

/** One leg's section, at full detail; renderComment trims it when the body is too long. */
export function renderSection(input: SectionInput): Section {
  const { report: r, leg, comparison } = input
  const v = reportView(r)
  const t = v.threshold
  const reasons = v.reasons.slice(0, MAX_REASONS).map(x => `- ${inline(x, 300)}`)
  if (v.reasons.length > MAX_REASONS) reasons.push(`- …and ${v.reasons.length - MAX_REASONS} more in the job summary.`)
  const facts = `Required **${num(t.required)}x at ${t.judgedThreads} threads**${v.speedup === null ? '' : `; lowest speedup **${num(v.speedup)}x** at ${t.judgedThreads} threads`}. Torch ${inline(v.runner.torchVersion, 40)} (${inline(v.runner.parallelBackend, 40)}), ${num(v.runner.usableCpus, 1).replace(/\.0$/, '')} usable CPU(s).${input.runUrl ? ` [Run](${input.runUrl})` : ''}`
  const bad = regressions(comparison)
  const regression = comparison && bad.length ? [`⚠️ **Slower than the base branch** by more than ${num(comparison.tolerance * 100, 0)}% at ${comparison.threads} threads: ${inline(regressionText(comparison), 600)}`] : []
  const rows = table(input, v)
  const details = rows.length
    ? [`<details${r.verdict === 'pass' ? '' : ' open'}><summary>Speedups by thread count</summary>`, '', ...rows, ...drop(1, chart(v)), '', '</details>']
    : []
  const text = [`### ${ICON[v.verdict]} ${inline(leg, 80)}: ${v.verdict}`, ...drop(3, [...reasons, '', facts, ...regression, ...drop(2, details)])].join('\n')
  return { id: legId(leg), verdict: r.verdict, at: sectionTime(input.at ?? Date.parse(r.createdAt)), text }
}

/** Removes the droppable parts up to `level` (0 keeps everything) and says so once. */
export function degrade(text: string, level: number): string {
  let out = text.replace(`\n${TRIMMED}`, '')
  for (let l = 1; l <= level; l++) out = out.replace(new RegExp(`\\n?<!-- tsc:drop:${l} -->[\\s\\S]*?<!-- tsc:/drop:${l} -->`, 'g'), '')
  return out === text.replace(`\n${TRIMMED}`, '') ? text : `${out}\n${TRIMMED}`
}

export function parseSections(body: string): Section[] {
  const out: Section[] = []
  for (const m of body.matchAll(SECTION_RE)) {
    const verdict = m[2] as Verdict
    if (VERDICTS.includes(verdict)) out.push({ id: m[1], verdict, at: Number(m[3]), text: m[4] })
  }
  return out
}

/**
 * Which copy of a section to keep: the newer report, then the less trimmed
 * text, then a fixed order, so every leg picks the same one.
 */
export function newer(a: Section, b: Section): Section {
  if (a.at !== b.at) return a.at > b.at ? a : b
  if (a.text.length !== b.text.length) return a.text.length > b.text.length ? a : b
  return a.text >= b.text ? a : b
}

/** Sections keyed by id, keeping the newer copy of each. */
export function mergeSections(into: Map<string, Section>, sections: Iterable<Section>): Map<string, Section> {
  for (const s of sections) {
    const have = into.get(s.id)
    into.set(s.id, have ? newer(have, s) : s)
  }
  return into
}

function header(sections: Section[]): string {
  const worstVerdict = worst(sections.map(s => s.verdict))
  const counts = VERDICTS.map(v => [v, sections.filter(s => s.verdict === v).length] as const).filter(([, n]) => n > 0)
  return [
    STICKY_MARKER,
    `## ${ICON[worstVerdict]} Thread scaling: ${sections.length} leg(s), ${counts.map(([v, n]) => `${n} ${v}`).join(', ')}`,
    '',
    `<sub>thread-scaling-check keeps one section per matrix leg here; each leg updates only its own.</sub>`,
    ''
  ].join('\n')
}

const wrap = (s: Section, text: string): string => `${open(s)}\n${text}\n${CLOSE}\n`

/** Room kept for the line that names the legs left out. */
const DROPPED_ROOM = 2_000

/** Which sections stay when not even their headings fit: worst verdict, then newest, then a fixed order. */
function keepOrder(a: { s: Section; key: string }, b: { s: Section; key: string }): number {
  return VERDICT_RANK[b.s.verdict] - VERDICT_RANK[a.s.verdict] || b.s.at - a.s.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
}

function droppedNote(dropped: Section[]): string {
  if (dropped.length === 0) return ''
  const names: string[] = []
  let length = 0
  for (const s of dropped) {
    const name = sectionTitle(s)
    if (length + name.length > DROPPED_ROOM - 300) break
    names.push(name)
    length += name.length + 2
  }
  const more = dropped.length - names.length
  return `_Left out to fit GitHub's 65,536-character comment limit, ${dropped.length} leg(s): ${names.join('; ')}${more ? `; …and ${more} more` : ''}._\n\n`
}

/**
 * The whole body. Sections are sorted by heading, so every leg renders the
 * same body from the same sections (verdict icons aside, so a leg keeps
 * its place when its verdict changes). When the body would pass the limit,
 * space is shared out: sections that fit an equal share keep all of their
 * text, and the rest are trimmed (chart, then table, then reasons) until
 * they fit what is left. When even the headings alone don't fit (a flood of
 * legs), sections are left out in a fixed order (passes before fails, older
 * before newer) and named in a line under the header.
 */
export function renderComment(sections: Iterable<Section>, limit = BODY_LIMIT): string {
  const keyed = [...sections].map(s => ({ s, key: `${sectionTitle(s)}\u0000${s.id}` }))
  const size = (s: Section, text: string): number => open(s).length + text.length + CLOSE.length + 2
  const minimal = (s: Section): number => size(s, degrade(s.text, 3))
  let dropped: Section[] = []
  if (header(keyed.map(k => k.s)).length + keyed.reduce((n, k) => n + minimal(k.s), 0) > limit) {
    let left = limit - header(keyed.map(k => k.s)).length - DROPPED_ROOM
    const keep = new Set<Section>()
    for (const k of [...keyed].sort(keepOrder)) {
      const m = minimal(k.s)
      if (m <= left) {
        keep.add(k.s)
        left -= m
      } else dropped.push(k.s)
    }
    dropped = keyed.filter(k => !keep.has(k.s)).sort((a, b) => (a.key < b.key ? -1 : 1)).map(k => k.s)
  }
  const list = keyed
    .filter(k => !dropped.includes(k.s))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(k => k.s)
  const head = header(list) + droppedNote(dropped)
  const chosen = new Map<Section, string>()
  let room = limit - head.length
  let pending = list
  for (;;) {
    const share = Math.floor(room / Math.max(1, pending.length))
    const fits = new Set(pending.filter(s => size(s, s.text) <= share))
    if (fits.size === 0) break
    for (const s of fits) {
      chosen.set(s, s.text)
      room -= size(s, s.text)
    }
    pending = pending.filter(s => !fits.has(s))
  }
  pending.forEach((s, i) => {
    const share = Math.floor(room / (pending.length - i))
    let text = degrade(s.text, 3)
    for (let level = 1; level < 3; level++) {
      const candidate = degrade(s.text, level)
      if (size(s, candidate) <= share) {
        text = candidate
        break
      }
    }
    chosen.set(s, text)
    room -= size(s, text)
  })
  return head + list.map(s => wrap(s, chosen.get(s) ?? s.text)).join('')
}

/** True when the body is one of our sticky comments. */
export const isSticky = (body: string | null | undefined): boolean => !!body && body.startsWith(STICKY_MARKER)

/** The leg's heading without the verdict icon: the sort key, and a name for logs. */
export function sectionTitle(s: Section): string {
  return clip(s.text.split('\n')[0].replace(/^#+\s*\S+\s*/, ''), 120)
}
