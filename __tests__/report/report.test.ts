import { describe, expect, it } from '@jest/globals'
import { PER_LEVEL_LIMIT, rankAnnotations, setupPyFlagLine } from '../../src/report/annotations.js'
import { bar } from '../../src/report/format.js'
import { openmpFix } from '../../src/fix/remediation.js'
import { ReportSchemaError, validateReport } from '../../src/report/schema.js'
import { md, renderSummary } from '../../src/report/summary.js'
import { renderTerminal } from '../../src/report/terminal.js'
import { makeReport } from '../../__fixtures__/report.js'

describe('report schema', () => {
  it('accepts the reports the pipeline makes, for every verdict', () => {
    for (const kind of ['pass', 'fail-static', 'fail-timing'] as const) expect(validateReport(makeReport(kind)).verdict).toBe(kind === 'pass' ? 'pass' : 'fail')
  })

  it('rejects a report with a bad verdict, a missing field or a newer major version', () => {
    expect(() => validateReport({ ...makeReport(), verdict: 'maybe' })).toThrow(ReportSchemaError)
    const { cases: _cases, ...missing } = makeReport()
    expect(() => validateReport(missing, 'leg linux-x64')).toThrow(/leg linux-x64 does not match the report schema: .*cases/)
    expect(() => validateReport({ ...makeReport(), version: '2.0' })).toThrow(/version/)
  })
})

describe('step summary', () => {
  it('leads with the verdict and shows the per-thread table, the control and the runner', () => {
    const text = renderSummary(makeReport('pass'))
    expect(text.split('\n')[0]).toBe('## ✅ thread-scaling-check: pass')
    expect(text).toMatch(/\| threads \| time per call \| speedup \(95% interval\) \| efficiency \| CPU\/wall \| busy threads \|/)
    expect(text).toMatch(/\| 4 \*\*\(judged\)\*\* \|/)
    expect(text).toMatch(/#### ✅ control \\\(torch\.digamma\\\): pass/)
    expect(text).toMatch(/\| Linux X64 \| 4 of 4 \| 1\.13\.1 \| OpenMP \|/)
  })

  it('shows region counts per call, extension / libtorch, with the largest team; or why they were not counted', () => {
    const r = makeReport('pass')
    const totals = (regions: number, largestTeam: number) => ({ regions, largestTeam, teamOfOne: 0, seconds: 0.1 })
    const counted = { ...r, cases: r.cases.map(c => ({ ...c, rows: c.rows.map(x => ({ ...x, regions: { calls: 40, extension: totals(x.threads > 1 ? 40 : 0, x.threads > 1 ? x.threads : 0), libtorch: totals(0, 0), other: totals(0, 0), share: x.threads > 1 ? 0.9 : null, bound: x.threads > 1 ? 1 / (0.1 + 0.9 / x.threads) : null } })) })) }
    const withCounting = { ...counted, measurement: counted.measurement && { ...counted.measurement, counting: { available: true, reason: null, extensions: ['/w/_C.so'], mapped: ['/w/_C.so'] } } }
    expect(validateReport(withCounting)).toBeTruthy()
    const text = renderSummary(withCounting)
    expect(text).toMatch(/\| busy threads \| regions ext \/ torch \| \|/)
    expect(text).toMatch(/\| 4 \*\*\(judged\)\*\* \|.*\| 1\.00 \/ 0\.00 \(team 4\) \|/)
    // Amdahl's bound from p, right after the measured speedup: 1/(0.1 + 0.9/4) = 3.08.
    expect(text).toMatch(/\| speedup \(95% interval\) \| Amdahl bound \(p\) \| efficiency \|/)
    expect(text).toMatch(/\| 4 \*\*\(judged\)\*\* \| [^|]+ \| [^|]+ \| ≤ 3\.08x \(p 90%\) \|/)
    expect(renderTerminal(withCounting)).toMatch(/\n\s*4\* .*≤ 3\.08x \(p 90%\)/)
    // Every table row has as many cells as the header.
    const table = text.split('\n').filter(l => l.startsWith('| '))
    const cells = (l: string): number => l.split('|').length
    const header = table.find(l => l.includes('Amdahl bound')) as string
    for (const l of table.slice(table.indexOf(header), table.indexOf(header) + 5)) expect(cells(l)).toBe(cells(header))
    expect(text).toMatch(/regions = parallel regions per call opened by the extension \/ by libtorch/)
    expect(renderTerminal(withCounting)).toMatch(/regions ext\/torch/)
    expect(renderTerminal(withCounting)).toMatch(/\n\s*4\* .*1\.00 \/ 0\.00 \(team 4\)/)
    const off = { ...r, measurement: r.measurement && { ...r.measurement, counting: { available: false, reason: "the C compiler 'cc' could not build the counter (x)", extensions: [], mapped: [] } } }
    expect(renderSummary(off)).toMatch(/Parallel regions not counted: the C compiler 'cc' could not build the counter \(x\); the verdicts rest on timings/)
    expect(renderSummary(off)).not.toMatch(/regions ext/)
  })

  it('shows the copies\' throughput beside the threads, the peak memory, and one speedup: the judged one', () => {
    const r = makeReport('pass')
    expect(r.speedup).toBeCloseTo(3.6, 1)
    const text = renderSummary(r)
    expect(text).toMatch(/\| 4 single-thread copies \(reference\) \| \| 3\.[78]\dx \(3\.\d\d-3\.\d\d\) \|/)
    expect(text).toMatch(/Throughput reference: 4 single-thread copies at once; peak memory per process 310 MiB\./)
    expect(text).toMatch(/Lowest speedup measured: \*\*3\.6\dx\*\* at 4 threads\./)
    const terminal = renderTerminal(r)
    expect(terminal).toMatch(/^ {2}4 copies +3\.[78]\dx \(3\.\d\d-3\.\d\d\)/m)
    expect(terminal).toMatch(/Speedup: 3\.6\dx at 4 threads \(the lowest over the cases\)\./)
    expect(terminal).toMatch(/throughput reference: 4 single-thread copies at once; peak memory per process 310 MiB/)
  })

  it('shows the lost lines and the fix when OpenMP is missing', () => {
    const text = renderSummary(makeReport('fail-static', 3))
    expect(text).toMatch(/## ❌ thread-scaling-check: fail/)
    expect(text).toMatch(/3 source line\(s\) that run serially/)
    expect(text).toMatch(/extra_compile_args=\{'cxx': \['-fopenmp'\]\}/)
  })

  it('escapes Markdown in names that come from the user\'s project', () => {
    expect(md('a|b [x](y) <img>')).toBe('a\\|b \\[x\\]\\(y\\) \\<img\\>')
    const r = makeReport('pass')
    r.cases[0].name = 'evil | <script>'
    expect(renderSummary(r)).toMatch(/evil \\\| \\<script\\>/)
  })

  it('renders the same facts for a terminal', () => {
    const text = renderTerminal(makeReport('fail-static'))
    expect(text).toMatch(/^thread-scaling-check: FAIL/)
    expect(text).toMatch(/Binary parallel_ext\.so: FAIL/)
    expect(text).toMatch(/csrc\/a\.cpp:10:/)
  })

  it('draws bars proportional to the value', () => {
    expect(bar(1, 1, 4)).toBe('████')
    expect(bar(0.5, 1, 4)).toBe('██')
    expect(bar(NaN, 1)).toBe('')
  })
})

describe('annotations', () => {
  it('ranks lost parallel_for lines first, then the setup.py line, within the per-level limit', () => {
    const r = makeReport('fail-static', 14)
    const { shown, dropped } = rankAnnotations(r, f => `ext/${f}`, { path: 'ext/setup.py', line: 12 })
    const errors = shown.filter(a => a.level === 'error')
    expect(errors).toHaveLength(PER_LEVEL_LIMIT)
    expect(errors[0].props).toMatchObject({ file: 'ext/csrc/a.cpp', startLine: 10 })
    expect(shown.find(a => a.level === 'warning')?.props).toMatchObject({ file: 'ext/setup.py', startLine: 12 })
    // 14 lost lines + 1 failing case = 15 errors; 5 fold into the summary.
    expect(dropped).toHaveLength(5)
  })

  it('gives no annotations for a pass', () => {
    expect(rankAnnotations(makeReport('pass'), f => f, { path: 'setup.py', line: 1 }).shown).toEqual([])
  })

  it('finds where the flags belong in setup.py', () => {
    expect(setupPyFlagLine('from x import y\nsetup(\n  ext_modules=[CppExtension(\n    "m", ["a.cpp"],\n    extra_compile_args=[])])')).toBe(5)
    expect(setupPyFlagLine('setup(\n  ext_modules=[CppExtension("m", ["a.cpp"])])')).toBe(2)
    expect(setupPyFlagLine('print(1)')).toBe(0)
  })

  it('gives the right flags per platform', () => {
    expect(openmpFix('linux').compileArgs).toEqual(['-fopenmp'])
    expect(openmpFix('darwin').compileArgs.slice(0, 2)).toEqual(['-Xpreprocessor', '-fopenmp'])
    expect(openmpFix('darwin').note).toMatch(/OMP Error #15/)
    expect(openmpFix('win32').compileArgs).toEqual(['/openmp'])
  })
})
