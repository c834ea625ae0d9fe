import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

const script = path.resolve('scripts/compare-reports.mjs')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-compare-'))

function compare(a: object, b: object, ...extra: string[]) {
  const fa = path.join(dir, 'a.json')
  const fb = path.join(dir, 'b.json')
  fs.writeFileSync(fa, JSON.stringify(a))
  fs.writeFileSync(fb, JSON.stringify(b))
  return spawnSync(process.execPath, [script, fa, fb, ...extra], { encoding: 'utf8' })
}

const report = (over: object = {}) => ({
  createdAt: '2026-12-02T10:00:00Z',
  verdict: 'fail',
  reasons: ['Speedup 1.01x at 2 threads is below the required 1.50x.'],
  build: { seconds: 12.5, logPath: '/tmp/tsc-abc123/build.log' },
  binaries: [{ path: '_C.so', verdict: 'fail', cause: 'compiled-without-openmp' }],
  cases: [{ name: 'gather', verdict: 'fail', rows: [{ threads: 2, seconds: 0.03 }] }],
  ...over
})

describe('scripts/compare-reports.mjs', () => {
  it('matches two runs that differ only in times, timings and temporary paths', () => {
    const r = compare(report(), report({ createdAt: '2026-12-02T11:00:00Z', reasons: ['Speedup 0.98x at 2 threads is below the required 1.50x.'], build: { seconds: 40, logPath: '/tmp/tsc-zzz999/build.log' }, cases: [{ name: 'gather', verdict: 'fail', rows: [] }] }))
    expect(r.stdout).toMatch(/The reports match/)
    expect(r.status).toBe(0)
  })

  it('names every key whose value changed, was added or removed', () => {
    const r = compare(report(), report({ verdict: 'pass', binaries: [{ path: '_C.so', verdict: 'pass', cause: 'openmp-compiled-in' }], extra: 1 }))
    expect(r.status).toBe(1)
    expect(r.stdout.trim().split('\n').slice(1).map(l => l.trim().split(':')[0])).toEqual(['binaries[0].cause', 'binaries[0].verdict', 'extra', 'verdict'])
  })

  it('compares the mapped libraries and a parallel build\'s translation units as sets, and measured numbers in sentences not at all', () => {
    const a = report({ runner: { mappedLibraries: ['/lib/a.so', '/lib/b.so', '/x/libtsc_count-ab12.so'] }, build: { audit: { tus: [{ file: 'a.cpp' }, { file: 'b.cpp' }], flagged: [{ file: 'a.cpp' }, { file: 'b.cpp' }] } }, reasons: ['waited 76.5% of their time; interval 0.97-1.33; 57% of copies'] })
    const b = report({ runner: { mappedLibraries: ['/lib/b.so', '/x/libtsc_count-cd34.so', '/lib/a.so'] }, build: { audit: { tus: [{ file: 'b.cpp' }, { file: 'a.cpp' }], flagged: [{ file: 'b.cpp' }, { file: 'a.cpp' }] } }, reasons: ['waited 73.2% of their time; interval 0.84-1.06; 61% of copies'] })
    expect(compare(a, b).status).toBe(0)
    const c = report({ runner: { mappedLibraries: ['/lib/a.so', '/lib/c.so', '/x/libtsc_count-cd34.so'] }, build: { audit: { tus: [{ file: 'b.cpp' }, { file: 'c.cpp' }], flagged: [{ file: 'b.cpp' }, { file: 'a.cpp' }] } }, reasons: a.reasons })
    expect(compare(a, c).stdout.trim().split('\n').slice(1).map(l => l.trim().split(':')[0])).toEqual(['build.audit.tus[0].file', 'build.audit.tus[1].file', 'runner.mappedLibraries[1]'])
  })

  it('leaves out the keys it is told to ignore', () => {
    expect(compare(report(), report({ verdict: 'pass' }), '--ignore', 'verdict').status).toBe(0)
  })
})
