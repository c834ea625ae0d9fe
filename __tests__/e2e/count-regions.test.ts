/**
 * Count, don't infer: the region counter (count_regions.c, LD_PRELOAD) in a
 * real run of the CLI against both test torches (Debian's 1.13 and pip's
 * 2.13 wheel, whose bundled libgomp.so.1 the extension shares). The
 * fixture's kernels are built with -fopenmp and each case also runs a
 * libtorch GEMM, as deform_conv2d does: libtorch's threads keep the process
 * busy whatever the kernel does.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { Report } from '../../src/report/types.js'
import { validateReport } from '../../src/report/schema.js'
import { torches, type Torch } from '../../__fixtures__/torches.js'

const cli = path.resolve('dist/cli.js')

describe.each(torches())('region counter (count_ext, built with -fopenmp), $name', (torch: Torch) => {
  let dir: string
  const torchPython = (): string => torch.python
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-count-'))
    fs.cpSync(path.resolve('__fixtures__', 'count-ext'), dir, { recursive: true })
    execFileSync(torchPython(), ['setup.py', 'build_ext', '--inplace'], { cwd: dir, stdio: 'pipe' })
  }, 900_000)

  function check(kernel: string, env: Record<string, string> = {}): { status: number | null; stdout: string; report: Report } {
    const reportPath = path.join(dir, `report-${kernel}-${Object.keys(env).join('-')}.json`)
    const r = spawnSync(process.execPath, [cli, 'check', '--working-directory', dir, '--build-command', 'none', '--python', torchPython(), '--workload', 'workload.py', '--threads', '1,2', '--report-path', reportPath], {
      env: { ...process.env, COUNT_KERNEL: kernel, ...env },
      encoding: 'utf8',
      timeout: 300_000
    })
    return { status: r.status, stdout: r.stdout + r.stderr, report: validateReport(JSON.parse(fs.readFileSync(reportPath, 'utf8'))) as Report }
  }

  it(`fails a kernel whose grain covers its range with the no-region reason, whatever the GEMM did, in under 4 rounds (${torch.name})`, () => {
    const { report, status } = check('covered')
    expect(report.binaries.map(b => b.cause)).toEqual(['openmp-compiled-in'])
    expect(report.measurement?.counting).toMatchObject({ available: true, reason: null })
    const k = report.cases[0]
    expect(k).toMatchObject({ name: 'covered+mm', verdict: 'fail', cause: 'no-region' })
    expect(k.reasons[0]).toMatch(/^The extension opened no parallel region in this case at 2 threads/)
    expect(k.reasons[0]).toMatch(/grain size is at least its range/)
    const row = k.rows.find(r => r.threads === 2)
    expect(row?.regions?.extension.regions).toBe(0)
    expect(row?.regions?.calls).toBeGreaterThan(0)
    // Settled from the counts, which no timing changes: two rounds, no confirmation rounds.
    expect(report.measurement?.rounds).toBeLessThan(4)
    expect(report.measurement?.stoppedBy).toBe('decided')
    expect(report.verdict).toBe('fail')
    expect(status).toBe(1)
  }, 300_000)

  it(`gives a region nested inside libtorch's (TensorIterator::for_each) its team-of-one reason, in under 4 rounds (${torch.name})`, () => {
    const { report, status } = check('nested')
    const k = report.cases[0]
    expect(k).toMatchObject({ name: 'nested+mm', verdict: 'fail', cause: 'team-of-one' })
    expect(k.reasons[0]).toMatch(/^The extension opened \d+ parallel region\(s\) in this case at 2 threads \(counted over \d+ call\(s\)\), but every team had one thread/)
    expect(k.reasons[0]).toMatch(/nested inside another one/)
    const row = k.rows.find(r => r.threads === 2)?.regions
    // Each call: libtorch's for_each region with a full team, and the extension's regions inside it, one thread each.
    expect(row?.extension.regions).toBeGreaterThanOrEqual(row?.calls ?? Infinity)
    expect(row?.extension).toMatchObject({ largestTeam: 1, teamOfOne: row?.extension.regions })
    expect(row?.libtorch.regions).toBeGreaterThanOrEqual(row?.calls ?? Infinity)
    expect(row?.libtorch.largestTeam).toBe(2)
    expect(report.measurement?.rounds).toBeLessThan(4)
    expect(status).toBe(1)
  }, 300_000)

  // These two run on Debian's torch only (CI time): the counting they check doesn't depend on torch's version.
  const debianOnly = (name: string, fn: () => void, timeout: number): void => {
    if (torch.origin === 'debian') it(name, fn, timeout)
  }
  debianOnly(`counts a full team for a kernel with a small grain, and gives p and Amdahl's bound (${torch.name})`, () => {
    const { report, stdout } = check('full')
    expect(stdout).toMatch(/Amdahl bound/)
    const k = report.cases[0]
    expect(k.cause).not.toMatch(/no-region|team-of-one/)
    const two = k.rows.find(r => r.threads === 2)?.regions
    // One region per call, every call, each run by both threads.
    expect(two?.extension.regions).toBe(two?.calls)
    expect(two?.extension.largestTeam).toBe(2)
    expect(two?.extension.teamOfOne).toBe(0)
    expect(two?.extension.seconds).toBeGreaterThan(0)
    // p, the share of the single-thread time inside the extension's regions, and Amdahl's bound from it at 2 threads.
    // (Its value rests on timings of a shared machine, so only its range is asserted.)
    expect(two?.share).toBeGreaterThanOrEqual(0)
    expect(two?.share).toBeLessThanOrEqual(1)
    expect(two?.bound).toBeCloseTo(1 / (1 - (two?.share ?? NaN) + (two?.share ?? NaN) / 2), 6)
    expect(k.rows.find(r => r.threads === 1)?.regions?.bound).toBeNull()
    // At one thread at::parallel_for runs inline: no region.
    expect(k.rows.find(r => r.threads === 1)?.regions?.extension.regions).toBe(0)
    // The samples carry the per-object counts, by real path.
    const s = report.measurement?.samples[0].samples.find(x => x.threads === 2)
    expect(s?.regions?.some(o => o.path === fs.realpathSync(path.join(dir, fs.readdirSync(dir).find(f => f.startsWith('count_ext') && f.endsWith('.so')) as string)))).toBe(true)
  }, 300_000)

  debianOnly(`says "not counted", with the reason, when no C compiler builds the counter, and judges as before (${torch.name})`, () => {
    const { report, stdout } = check('covered', { TSC_COUNT_CC: '/nonexistent/cc' })
    expect(report.measurement?.counting).toMatchObject({ available: false, reason: expect.stringMatching(/C compiler '\/nonexistent\/cc' that builds the counter did not run/) })
    const k = report.cases[0]
    expect(k.cause).not.toMatch(/no-region|team-of-one/)
    expect(k.rows.every(r => r.regions === null)).toBe(true)
    expect(report.measurement?.samples.flatMap(c => c.samples).every(s => s.regions === undefined)).toBe(true)
    expect(stdout).toMatch(/Parallel regions not counted: the C compiler/)
  }, 300_000)
})
