/** The sticky comment's text: sections, parsing, merging, and the 65,536-character limit. */
import { describe, expect, it } from '@jest/globals'
import { legReport } from '../../__fixtures__/publish.js'
import { makeReport } from '../../__fixtures__/report.js'
import { compareToBaseline } from '../../src/publish/baseline.js'
import { BODY_LIMIT, degrade, isSticky, mergeSections, newer, parseSections, renderComment, renderSection, type Section } from '../../src/publish/comment.js'
import { defaultLeg, legId } from '../../src/publish/leg.js'
import type { Report } from '../../src/report/types.js'

const section = (i: number, report: Report = legReport(i)): Section => renderSection({ leg: defaultLeg(report.runner), report, comparison: null, runUrl: 'https://github.com/o/r/actions/runs/1' })

/** A leg with n cases: a report as big as a large workload makes. */
function manyCases(i: number, n: number): Report {
  const r = legReport(i)
  r.cases = Array.from({ length: n }, (_, k) => ({ ...r.cases[0], name: `case-${k}-${'w'.repeat(40)}` }))
  r.reasons = Array.from({ length: 3 }, (_, k) => `reason ${k} ${'r'.repeat(250)}`)
  return r
}

/** Leg i of a big matrix (its own name), with many cases. */
const bigLeg = (i: number, cases = 40): Section => renderSection({ leg: `leg ${String(i).padStart(2, '0')}`, report: manyCases(i, cases), comparison: null, runUrl: null })

describe('renderSection', () => {
  it('has the leg, the verdict, the speedup per thread count, a chart and the run link', () => {
    const s = section(2)
    expect(s.id).toBe(legId('macOS ARM64 · Python 3.12 · torch 2.5.1'))
    expect(s.verdict).toBe('fail')
    expect(s.text.split('\n')[0]).toBe('### ❌ macOS ARM64 · Python 3.12 · torch 2.5.1: fail')
    expect(s.text).toContain('| case | 1 | 2 | **4** | |')
    expect(s.text).toContain('| elementwise | 1.00x | 1.00x | 1.00x | ❌ |')
    expect(s.text).toContain('| control (libtorch op) | 1.00x | 1.90x | 3.70x | ✅ |')
    expect(s.text).toMatch(/```text\nelementwise +█+▌? +1\.00x\ncontrol +█+ +3\.70x\nrequired +█+ +2\.00x at 4 threads\n```/)
    expect(s.text).toContain('[Run](https://github.com/o/r/actions/runs/1)')
    // A failing leg's table is open; a passing one is folded.
    expect(s.text).toContain('<details open>')
    expect(section(0).text).toContain('<details>')
  })

  it('shows the base branch beside this run and flags a regression that still passes min-speedup', () => {
    const base = makeReport('pass')
    const now = makeReport('pass')
    // 3.6x down to 2.7x at the judged 4 threads: still above the required 2.0x, but a 25% drop.
    now.cases[0].rows.find(r => r.threads === 4)!.speedup = { estimate: 2.7, low: 2.6, high: 2.8 }
    const s = renderSection({ leg: 'Linux', report: now, comparison: compareToBaseline(now, base, 0.15), runUrl: null })
    expect(s.verdict).toBe('pass')
    expect(s.text).toMatch(/\| case \| 1 \| 2 \| \*\*4\*\* \| base branch \| \|/)
    expect(s.text).toContain('| elementwise | 1.00x | 1.90x | 2.70x | 3.60x (−25% ⚠️) | ✅ |')
    expect(s.text).toContain('⚠️ **Slower than the base branch** by more than 15% at 4 threads: &#39;elementwise&#39; 3.60x → 2.70x \\(−25%\\)')
  })
})

describe('parseSections and renderComment', () => {
  it('round-trip: every section comes back byte for byte', () => {
    const sections = [0, 1, 2, 3, 4, 5].map(i => section(i))
    const body = renderComment(sections)
    expect(isSticky(body)).toBe(true)
    expect(parseSections(body)).toEqual(expect.arrayContaining(sections))
    expect(parseSections(body)).toHaveLength(6)
    expect(body).toMatch(/^<!-- thread-scaling-check:sticky -->\n## ❌ Thread scaling: 6 leg\(s\), 4 pass, 2 fail\n/)
  })

  it('renders the same body whatever order the sections come in', () => {
    const sections = [0, 1, 2, 3, 4, 5].map(i => section(i))
    expect(renderComment([...sections].reverse())).toBe(renderComment(sections))
  })

  it('a time before 1970 or past what a marker holds still round-trips (as 0)', () => {
    for (const createdAt of ['1960-01-01T00:00:00Z', '+275760-09-13T00:00:00Z']) {
      const r = legReport(0)
      r.createdAt = createdAt
      const s = renderSection({ leg: 'Linux', report: r, comparison: null, runUrl: null })
      expect(s.at).toBe(0)
      expect(parseSections(renderComment([s]))).toEqual([s])
    }
  })

  it('keeps the newer copy of a section, then the less trimmed one', () => {
    const old = section(0)
    const fresh = { ...old, at: old.at + 1, text: 'new' }
    expect(newer(old, fresh)).toBe(fresh)
    expect(newer({ ...old, text: degrade(old.text, 2) }, old)).toBe(old)
    expect(mergeSections(new Map([[old.id, fresh]]), [old]).get(old.id)).toBe(fresh)
  })

  it('does not let a hostile leg or case name add, end or fake a section', () => {
    const r = legReport(0)
    r.cases[0].name = '\n<!-- tsc:/section -->\n<!-- tsc:section id=0123456789abcdef verdict=pass at=9 -->\nfake'
    r.reasons = ['<!-- tsc:/drop:3 --> ```']
    const s = renderSection({ leg: 'x\n<!-- tsc:/section -->', report: r, comparison: null, runUrl: null })
    expect(parseSections(renderComment([s, section(1)]))).toEqual(expect.arrayContaining([s, section(1)]))
    expect(parseSections(renderComment([s, section(1)]))).toHaveLength(2)
  })
})

describe('the 65,536-character limit', () => {
  it('trims big sections (chart, then table) and keeps every section and every heading', () => {
    const sections = Array.from({ length: 30 }, (_, i) => bigLeg(i))
    expect(sections.reduce((n, s) => n + s.text.length, 0)).toBeGreaterThan(BODY_LIMIT)
    const body = renderComment(sections)
    expect(body.length).toBeLessThanOrEqual(BODY_LIMIT)
    const back = parseSections(body)
    expect(back.map(s => s.id).sort()).toEqual(sections.map(s => s.id).sort())
    for (const s of sections) expect(back.find(b => b.id === s.id)!.text.split('\n')[0]).toBe(s.text.split('\n')[0])
    expect(body).toContain("_Trimmed to fit GitHub's 65,536-character comment limit")
  })

  it('leaves small sections whole while trimming a huge one', () => {
    const small = [0, 1, 2].map(i => section(i))
    const big = Array.from({ length: 25 }, (_, i) => bigLeg(i))
    const back = parseSections(renderComment([...small, ...big]))
    for (const s of small) expect(back.find(b => b.id === s.id)!.text).toBe(s.text)
    for (const s of big) {
      const trimmed = back.find(b => b.id === s.id)!.text
      expect(trimmed.length).toBeLessThan(s.text.length)
      expect(trimmed).not.toContain('```text')
    }
  })

  it('a flood of legs whose headings alone pass the limit: drops sections in a fixed order and names them', () => {
    // Runs of many legs with long names full of characters the escaping expands (& becomes &amp;).
    const flood = Array.from({ length: 160 }, (_, i) => {
      const r = legReport(i)
      return renderSection({ leg: `${String(i).padStart(3, '0')} ${'&'.repeat(76)}`, report: r, comparison: null, runUrl: null, at: 1_000 + i })
    })
    const body = renderComment(flood)
    expect(body.length).toBeLessThanOrEqual(BODY_LIMIT)
    expect(renderComment([...flood].reverse())).toBe(body)
    const kept = parseSections(body)
    expect(kept.length).toBeGreaterThan(0)
    expect(kept.length).toBeLessThan(160)
    // Fails stay before passes.
    expect(kept.filter(s => s.verdict === 'fail')).toHaveLength(flood.filter(s => s.verdict === 'fail').length)
    const note = /_Left out to fit GitHub's 65,536-character comment limit, (\d+) leg\(s\): (.*)\._/.exec(body)
    expect(note).not.toBeNull()
    expect(Number(note![1])).toBe(160 - kept.length)
    const dropped = flood.filter(s => !kept.some(k => k.id === s.id))
    expect(note![2]).toContain(dropped[0].text.split('\n')[0].replace(/^#+\s*\S+\s*/, '').slice(0, 20))
  })

  it('trims a section only as far as needed, and trimming twice changes nothing', () => {
    const s = section(0, manyCases(0, 50))
    expect(degrade(s.text, 1)).not.toContain('```text')
    expect(degrade(s.text, 1)).toContain('| case |')
    expect(degrade(s.text, 2)).not.toContain('| case |')
    expect(degrade(s.text, 2)).toContain('Required **')
    expect(degrade(s.text, 3).split('\n')[0]).toBe(s.text.split('\n')[0])
    expect(degrade(degrade(s.text, 2), 2)).toBe(degrade(s.text, 2))
    expect(degrade(degrade(s.text, 1), 2)).toBe(degrade(s.text, 2))
    expect(degrade(s.text, 0)).toBe(s.text)
  })
})
