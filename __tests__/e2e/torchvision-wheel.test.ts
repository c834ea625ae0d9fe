/**
 * `preset: torchvision` against the prebuilt torchvision 0.29.1 wheel from pip,
 * beside torch 2.14.1 (scripts/setup-torchvision-wheel.sh installs it into the
 * torch 2.14.1 environment of scripts/setup-cuda-venv.sh), with no sources at
 * all: what a user sees who installs the wheel and points the check at it.
 *
 * The wheel ships `_C_stable.so` only (no `_C.so`), built against the stable
 * ABI. It imports no OpenMP fork entry and no `torch_parallel_for`, so the
 * report must say, from the binary alone, that its kernels run on one thread
 * unless they call into libtorch, and must not claim either "compiled without
 * OpenMP" (that needs sources) or "parallel through libtorch".
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { validateReport } from '../../src/report/schema.js'
import type { Report } from '../../src/report/types.js'
import { cudaToolchain } from '../../__fixtures__/cuda.js'

const TORCHVISION = '0.29.1'

/** The wheel's package folder, or a setup error naming the script that installs it. */
function wheelPackage(python: string): { dir: string; version: string; torch: string } {
  const out = spawnSync(python, ['-c', 'import os, torch, torchvision; print(os.path.dirname(torchvision.__file__)); print(torchvision.__version__); print(torch.__version__)'], {
    encoding: 'utf8',
    timeout: 180_000
  })
  if (out.status !== 0) throw new Error(`Setup error: torchvision is not importable by ${python}: ${out.stderr.trim().split('\n').pop()}. Run scripts/setup-torchvision-wheel.sh.`)
  const [dir, version, torch] = out.stdout.trim().split('\n')
  if (!version.startsWith(TORCHVISION)) throw new Error(`Setup error: ${python} has torchvision ${version}, the test needs the ${TORCHVISION} wheel. Run scripts/setup-torchvision-wheel.sh.`)
  return { dir, version, torch }
}

describe(`preset: torchvision on the torchvision ${TORCHVISION} wheel, torch 2.14.1 (pip), binary only`, () => {
  let report: Report
  let inspectOut: string
  let stable: string
  let torch: string
  beforeAll(() => {
    const { python } = cudaToolchain()
    const pkg = wheelPackage(python)
    torch = pkg.torch
    stable = path.join(pkg.dir, '_C_stable.so')
    if (!fs.existsSync(stable)) throw new Error(`Setup error: the wheel has no ${stable}`)
    // An empty working directory: no sources to scan, and `import torchvision` finds the wheel.
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-tvwheel-'))
    const r = spawnSync(
      process.execPath,
      // _C*.so: _C_stable.so, and _C.so too should a later wheel ship one again.
      ['dist/cli.js', 'check', '--working-directory', work, '--build-command', 'none', '--python', python, '--preset', 'torchvision', '--extensions', path.join(pkg.dir, '_C*.so'), '--threads', '1,2', '--max-time', '30', '--json'],
      { encoding: 'utf8', timeout: 600_000 }
    )
    if (!r.stdout.trim()) throw new Error(`cli printed no report: ${r.stderr}`)
    report = validateReport(JSON.parse(r.stdout))
    const i = spawnSync(process.execPath, ['dist/cli.js', 'inspect', stable], { encoding: 'utf8', timeout: 120_000 })
    inspectOut = i.stdout + i.stderr
  }, 600_000)

  it('measures every preset case against the wheel, with torch 2.14.1', () => {
    expect(torch).toMatch(/^2\.14\.1/)
    expect(report.runner.torchVersion).toMatch(/^2\.14\.1/)
    expect(report.measurement?.workloadInfo.torchvision).toMatch(new RegExp(`^${TORCHVISION.replace(/\./g, '\\.')}`))
    expect(report.measurement?.workloadInfo.torchvision_path).toBe(path.join(path.dirname(stable), '__init__.py'))
    expect(report.cases.map(c => c.name)).toEqual(['deform_conv2d-s32-b1', 'deform_conv2d-s32-b4', 'deform_conv2d-s64-b1', 'deform_conv2d-s64-b4', 'roi_align', 'nms'])
    expect(report.cases.every(c => !c.error && c.rows.length === 2)).toBe(true)
  })

  it('reads _C_stable.so without sources: no OpenMP import, no torch_parallel_for import', () => {
    expect(report.sources).toEqual([])
    expect(report.binaries.map(b => path.basename(b.path))).toEqual(['_C_stable.so'])
    const b = report.binaries[0]
    expect(b.images).toHaveLength(1)
    expect(b.images[0].openmp.forkImports).toEqual([])
    expect(b.images[0].openmp.libtorchParallel).toEqual([])
    expect(b.images[0].openmp.parallel).toBe(false)
  })

  it('says in words that need no sources that every kernel runs on one thread unless it calls into libtorch', () => {
    const b = report.binaries[0]
    expect(b.verdict).toBe('inconclusive')
    expect(b.cause).toBe('no-sources')
    expect(b.reasons[0]).toMatch(/^Serial as compiled: the binary imports no OpenMP fork entry .* and no parallel entry of libtorch \(torch_parallel_for\), so every kernel in this binary runs on one thread, the calling one, unless it calls into libtorch/)
    // Nothing that needs the sources, and nothing the binary contradicts.
    const all = JSON.stringify([report.reasons, b.reasons])
    expect(all).not.toMatch(/Compiled without OpenMP|Serial by design|Parallel through libtorch|stable-parallel/)
    expect(report.binaries.some(x => x.cause === 'compiled-without-openmp' || x.cause === 'stable-parallel')).toBe(false)
    // The inspect command on the file alone says the same.
    expect(inspectOut).toMatch(/_C_stable\.so \[elf x86_64 shared-object\]: no OpenMP parallel regions and no parallel entry of libtorch \(torch_parallel_for\): every kernel in it runs on one thread unless it calls into libtorch\n/)
  })

  it('measures what the binary says: nms opens no parallel region and never passes', () => {
    const nms = report.cases.find(c => c.name === 'nms')!
    const row = nms.rows.find(r => r.threads === 2)!
    // Counted by the LD_PRELOAD interposer: no OpenMP region from the extension or libtorch.
    expect(row.regions?.extension.regions).toBe(0)
    expect(row.regions?.libtorch.regions).toBe(0)
    expect(nms.verdict).not.toBe('pass')
    expect(report.verdict).not.toBe('pass')
  })
})
