/**
 * A kernel with OpenMP compiled in that runs on every thread and gets slower
 * on more of them (false sharing: each thread's counter shares one cache
 * line). The binary passes; only the measurement can catch it, and it must
 * fail it for the right reason, against the kernel's own copies.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { Report } from '../../src/report/types.js'
import { validateReport } from '../../src/report/schema.js'
import { torchPython } from '../../__fixtures__/python.js'

const cli = path.resolve('dist/cli.js')

describe('false sharing (bench/kernels, built with -fopenmp)', () => {
  let dir: string
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-contention-'))
    fs.cpSync(path.resolve('bench', 'kernels'), dir, { recursive: true })
    execFileSync(torchPython(), ['setup.py', 'build_ext', '--inplace'], { cwd: dir, env: { ...process.env, BENCH_OPENMP: '1' }, stdio: 'pipe' })
  }, 600_000)

  function check(kernel = 'false_sharing', python = torchPython()): { status: number | null; stdout: string; report: Report } {
    const reportPath = path.join(dir, `report-${kernel}.json`)
    const r = spawnSync(process.execPath, [cli, 'check', '--working-directory', dir, '--build-command', 'none', '--python', python, '--workload', 'workload.py', '--threads', '1,2', '--report-path', reportPath], {
      env: { ...process.env, BENCH_CASE: kernel, REAL_PYTHON: torchPython() },
      encoding: 'utf8',
      timeout: 300_000
    })
    return { status: r.status, stdout: r.stdout, report: validateReport(JSON.parse(fs.readFileSync(reportPath, 'utf8'))) as Report }
  }

  it('fails with a contention reason: threads busy, yet slower than independent copies', () => {
    let r = check()
    // By design a shortfall is never failed while other processes hold the
    // CPUs (cause cpu-withheld): if something else on the test machine did,
    // measure once more rather than assert on a busy machine.
    if (r.report.cases[0].cause === 'cpu-withheld') r = check()
    const report = r.report
    expect(report.binaries.map(b => b.cause)).toEqual(['openmp-compiled-in'])
    const k = report.cases[0]
    expect(k.name).toBe('false_sharing')
    expect(k).toMatchObject({ verdict: 'fail', cause: 'contention' })
    expect(k.rows.find(x => x.threads === 2)?.busyThreads).toBe(2)
    expect(k.reference?.copies).toBe(2)
    expect(k.reference?.relative.high).toBeLessThan(0.8)
    expect(k.reasons[0]).toMatch(/clearly below what 2 independent single-thread copies of the same call reached .*contention inside the kernel, such as threads writing to the same cache lines \(false sharing\)/)
    // One speedup everywhere: the report's is the judged one.
    expect(report.speedup).toBeCloseTo(k.judged?.estimate ?? NaN, 10)
    expect(report.measurement?.reference).toMatchObject({ copies: 2, skipped: null })
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(/2 copies +\d\.\d\dx/)
    expect(r.stdout).toMatch(/throughput reference: 2 single-thread copies at once; peak memory per process \d+ MiB/)
  }, 300_000)

  it('counts the fma kernel\'s regions: one per call, each run by a full team (count_regions.c)', () => {
    const { report } = check('fma')
    expect(report.measurement?.counting).toMatchObject({ available: true, reason: null })
    const k = report.cases[0]
    expect(k.name).toBe('fma')
    expect(k.cause).not.toMatch(/no-region|team-of-one/)
    const two = k.rows.find(x => x.threads === 2)?.regions
    expect(two?.calls).toBeGreaterThan(0)
    expect(two?.extension.regions).toBe(two?.calls)
    expect(two?.extension.largestTeam).toBe(2)
    expect(two?.extension.teamOfOne).toBe(0)
    // fma calls no libtorch op that forks a region.
    expect(two?.libtorch.regions).toBe(0)
  }, 300_000)

  it('a kernel that scales is inconclusive, not fail, when every measuring process shares one CPU: its copies are flat too', () => {
    // The runner reports two CPUs, but every measuring process is pinned to
    // CPU 0 (taskset), as when two vCPUs sit on one physical core. The
    // kernel can't scale, and neither can its independent copies: the
    // shortfall is the runner's, so the verdict must not be fail.
    const r = check('fma', path.resolve('__fixtures__', 'one-cpu', 'python'))
    const k = r.report.cases[0]
    expect(k.name).toBe('fma')
    expect(r.report.runner.usableCpus).toBe(2)
    expect(k.rows.find(x => x.threads === 2)?.speedup.high).toBeLessThan(1.5)
    expect(k.reference?.copies).toBe(2)
    // The copies gained nothing either: their throughput's interval stays under the bar.
    expect(k.reference?.throughput.high).toBeLessThan(1.5)
    expect(k).toMatchObject({ verdict: 'inconclusive' })
    expect(k.reasons[0]).toMatch(/this runner gives at most \d\.\d\dx for this kernel's kind of work \(2 independent single-thread copies/)
    expect(r.report.verdict).toBe('inconclusive')
    expect(r.status).toBe(0)
  }, 300_000)
})
