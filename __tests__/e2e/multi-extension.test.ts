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
import { torchPython } from '../../__fixtures__/python.js'

const kernel = (name: string): string => `#include <torch/extension.h>
at::Tensor ${name}(const at::Tensor& x) {
  auto y = at::empty_like(x);
  const float* p = x.data_ptr<float>();
  float* q = y.data_ptr<float>();
  at::parallel_for(0, x.numel(), 2048, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) q[i] = std::sqrt(std::fabs(p[i]));
  });
  return y;
}
PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) { m.def("${name}", &${name}); }
`

describe('two extensions in one project', () => {
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
    const py = torchPython()
    const r = spawnSync(process.execPath, ['dist/cli.js', 'check', '--working-directory', dir, '--python', py, '--build-command', `${py} setup.py build_ext --inplace`, '--json'], { encoding: 'utf8', timeout: 600_000 })
    status = r.status
    if (!r.stdout.trim()) throw new Error(`no report: ${r.stderr.slice(-3000)}`)
    report = validateReport(JSON.parse(r.stdout))
  })

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
