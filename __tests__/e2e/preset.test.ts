/**
 * `preset: torchvision` against Debian's prebuilt python3-torchvision 0.14.1,
 * with its upstream sources from Debian's source archive
 * (scripts/fetch-torchvision-src.sh, run by scripts/setup-debian.sh).
 * Its CPU kernels are serial by design, which the report must say, and which
 * is not the finding "compiled without OpenMP".
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { validateReport } from '../../src/report/schema.js'
import type { Report } from '../../src/report/types.js'
import { torchPython } from '../../__fixtures__/python.js'

const sources = path.resolve('.cache/debian-src/vision-0.14.1/torchvision/csrc')

function debianTorchvisionBinary(): string {
  const out = spawnSync(torchPython(), ['-c', 'import torchvision, os; print(os.path.dirname(torchvision.__file__))'], { encoding: 'utf8' })
  if (out.status !== 0) throw new Error(`Setup error: python3-torchvision is not importable by ${torchPython()}: ${out.stderr}`)
  const dir = out.stdout.trim()
  const lib = fs.readdirSync(dir).find(f => /^_C\..*so$/.test(f))
  if (!lib) throw new Error(`Setup error: no _C*.so in ${dir}`)
  return path.join(dir, lib)
}

describe('preset: torchvision on Debian torchvision 0.14.1', () => {
  let report: Report
  let status: number | null
  beforeAll(() => {
    if (!fs.existsSync(sources)) throw new Error(`Setup error: ${sources} is missing; run scripts/fetch-torchvision-src.sh`)
    // An empty working directory, so `import torchvision` finds Debian's package.
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-tv-'))
    const r = spawnSync(
      process.execPath,
      ['dist/cli.js', 'check', '--working-directory', work, '--build-command', 'none', '--python', torchPython(), '--preset', 'torchvision', '--extensions', debianTorchvisionBinary(), '--sources', `${sources}/**/*.{cpp,h}`, '--max-time', '120', '--json'],
      { encoding: 'utf8', timeout: 600_000 }
    )
    status = r.status
    if (!r.stdout.trim()) throw new Error(`cli printed no report: ${r.stderr}`)
    report = validateReport(JSON.parse(r.stdout))
  })

  it('times every preset case against the installed torchvision', () => {
    expect(report.cases.map(c => c.name)).toEqual(['deform_conv2d-s32-b1', 'deform_conv2d-s32-b4', 'deform_conv2d-s64-b1', 'deform_conv2d-s64-b4', 'roi_align', 'nms'])
    expect(report.cases.every(c => !c.error && c.rows.length === 3)).toBe(true)
    expect(report.measurement?.workloadInfo.torchvision).toMatch(/^0\.14\.1/)
    expect(report.measurement?.workloadInfo.torchvision_path).toMatch(/dist-packages\/torchvision\/__init__\.py$/)
  })

  it('says serial by design: no parallel construct in the sources and no OpenMP in the binary', () => {
    expect(report.sources.filter(h => h.construct !== 'stable-parallel')).toEqual([])
    expect(report.binaries).toHaveLength(1)
    const b = report.binaries[0]
    expect(b.images[0].openmp.forkImports).toEqual([])
    expect(b.cause).toBe('serial-by-design')
    expect(b.reasons[0]).toMatch(/^Serial by design: the scanned sources have no parallel construct .* and the binary has no OpenMP parallel regions/)
    expect(report.binaries.some(x => x.cause === 'compiled-without-openmp')).toBe(false)
    expect(JSON.stringify(report.reasons)).not.toMatch(/Compiled without OpenMP/)
  })

  it('does not fail the check for kernels that are serial by design', () => {
    expect(report.verdict).toBe('skipped')
    expect(report.cases.every(c => c.verdict === 'skipped' && /^Serial by design/.test(c.reasons[0]))).toBe(true)
    expect(status).toBe(0)
  })
})
