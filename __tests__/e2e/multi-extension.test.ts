/**
 * A project with two extensions, one built with OpenMP and one without:
 * the build's own records tie each source to its binary, so only the
 * serial one fails, and only its lines are blamed.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { validateReport } from '../../src/report/schema.js'
import type { Report } from '../../src/report/types.js'
import { torches } from '../../__fixtures__/torches.js'

// Static check only (no workload imports them), so no Python binding: ATen/Parallel.h alone
// compiles in about 2 s of CPU where torch/extension.h takes far longer on torch 2.x, which
// pays for building on both torches. at::parallel_for is on line 6, as the test expects.
const kernel = (name: string): string => `#include <ATen/Parallel.h>
#include <cmath>
#include <cstdint>
// ${name}: a square root per element, in parallel where OpenMP is compiled in.
void ${name}(const float* p, float* q, int64_t n) {
  at::parallel_for(0, n, 2048, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) q[i] = std::sqrt(std::fabs(p[i]));
  });
}
`

// Both torches: Debian's 1.13 and pip's 2.13 wheel.
describe.each(torches())('two extensions in one project, $name', torch => {
  let report: Report
  let status: number | null
  beforeAll(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-two-'))
    fs.mkdirSync(path.join(dir, 'csrc'))
    fs.writeFileSync(path.join(dir, 'csrc', 'fast.cpp'), kernel('fast'))
    fs.writeFileSync(path.join(dir, 'csrc', 'slow.cpp'), kernel('slow'))
    fs.writeFileSync(
      path.join(dir, 'setup.py'),
      `from setuptools import setup
from torch.utils.cpp_extension import BuildExtension, CppExtension
setup(name="twoext", ext_modules=[
    CppExtension("twoext_fast", ["csrc/fast.cpp"], extra_compile_args=["-fopenmp"], extra_link_args=["-fopenmp"]),
    CppExtension("twoext_slow", ["csrc/slow.cpp"]),
], cmdclass={"build_ext": BuildExtension})
`
    )
    const py = torch.python
    // No 'build_ext -j 2': torch 2.x's BuildExtension writes one build.ninja per build folder, which parallel extensions overwrite.
    const r = spawnSync(process.execPath, ['dist/cli.js', 'check', '--working-directory', dir, '--python', py, '--build-command', `${py} setup.py build_ext --inplace`, '--json'], { encoding: 'utf8', timeout: 600_000 })
    status = r.status
    if (!r.stdout.trim()) throw new Error(`no report: ${r.stderr.slice(-3000)}`)
    report = validateReport(JSON.parse(r.stdout))
  }, 600_000)

  it('passes the extension built with OpenMP and fails the other, blaming only its own source', () => {
    const byName = Object.fromEntries(report.binaries.map(b => [b.path.split('.')[0], b]))
    expect(Object.keys(byName).sort()).toEqual(['twoext_fast', 'twoext_slow'])
    expect(byName.twoext_fast).toMatchObject({ verdict: 'pass', cause: 'openmp-compiled-in', lostLines: [] })
    expect(byName.twoext_slow).toMatchObject({ verdict: 'fail', cause: 'compiled-without-openmp' })
    expect(byName.twoext_slow.lostLines.map(h => [h.file, h.line])).toEqual([[path.join('csrc', 'slow.cpp'), 6]])
    expect(report.verdict).toBe('fail')
    expect(status).toBe(1)
  })
})
