/**
 * The stable ABI (torch 2.10+), end to end on pip's torch: examples/stable-ext
 * is built with no OpenMP flag, its binary imports torch_parallel_for, and
 * the check must call it parallel through libtorch, from the binary alone
 * and when measured.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { validateReport } from '../../src/report/schema.js'
import { stableAbiTorches } from '../../__fixtures__/torches.js'
import { rerunWhileBusy } from '../../__fixtures__/busy.js'

const cli = path.resolve('dist/cli.js')

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 900_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe.each(stableAbiTorches())('a stable-ABI kernel (torch::stable::parallel_for), $name', torch => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-stable-'))
  let run: ReturnType<typeof runCli>
  let binary: string
  let checkArgs: string[] = []

  beforeAll(() => {
    fs.cpSync(path.resolve('examples/stable-ext'), work, { recursive: true, filter: f => !/(^|\/)(build|__pycache__|\.thread-scaling-check)$|\.so$|\.egg-info$/.test(f) })
    checkArgs = ['check', '--working-directory', work, '--python', torch.python, '--workload', 'workload.py', '--max-time', '120', '--json']
    run = runCli(checkArgs)
    binary = fs.readdirSync(path.join(work, 'stable_ext')).filter(f => f.endsWith('.so')).map(f => path.join(work, 'stable_ext', f))[0]
  })

  it('builds with no OpenMP flag and imports torch_parallel_for, no OpenMP entry', () => {
    const report = validateReport(JSON.parse(run.stdout))
    const log = fs.readFileSync(path.resolve(work, report.build?.log ?? 'missing'), 'utf8')
    expect(log).toMatch(/rowops\.cpp/)
    expect(log).not.toMatch(/openmp/i)
    const image = report.binaries[0].images[0]
    expect(image.openmp).toMatchObject({ parallel: false, forkImports: [], libtorchParallel: ['torch_parallel_for'] })
  })

  it('passes, measured, with a reason that names the stable path', () => {
    // On a busy test machine the judge gives a documented inconclusive: measure again.
    run = rerunWhileBusy(run, () => runCli(checkArgs))
    const report = validateReport(JSON.parse(run.stdout))
    expect(report.runner.torchVersion).toBe(torch.version)
    expect(report.binaries[0]).toMatchObject({ verdict: 'pass', cause: 'stable-parallel' })
    expect(report.binaries[0].reasons[0]).toMatch(/^Parallel through libtorch \(stable ABI\): it imports torch_parallel_for/)
    const kernel = report.cases.find(c => c.name === 'row-softnorm')
    expect([kernel?.verdict, kernel?.cause]).toEqual(['pass', 'scales'])
    expect(report.verdict).toBe('pass')
    expect(run.status).toBe(0)
  })

  it('says the same from the binary alone, with no sources', () => {
    const text = runCli(['inspect', binary])
    expect(text.status).toBe(0)
    expect(text.stdout).toMatch(/: parallel through libtorch \(stable ABI: imports torch_parallel_for\), no OpenMP parallel regions of its own\n/)
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-stable-nosrc-'))
    const alone = runCli(['check', '--working-directory', empty, '--build-command', 'none', '--python', torch.python, '--extensions', binary, '--json'])
    const report = validateReport(JSON.parse(alone.stdout))
    expect(report.sources).toEqual([])
    expect(report.binaries[0]).toMatchObject({ verdict: 'pass', cause: 'stable-parallel' })
    expect(report.verdict).toBe('pass')
  })
})
