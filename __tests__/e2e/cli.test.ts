/**
 * The local command, run as a maintainer runs it: `node dist/cli.js`. The
 * check runs on an extension written here, unlike the example in layout,
 * build flags and workload, to show nothing is tuned to the example.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { validateReport } from '../../src/report/schema.js'
import { rerunWhileBusy } from '../../__fixtures__/busy.js'
import { torches } from '../../__fixtures__/torches.js'

const cli = path.resolve('dist/cli.js')

function runCli(args: string[], env: Record<string, string> = {}, cwd = process.cwd()): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 900_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** An extension this repo has never seen: one file, unqualified parallel_for, flags from CFLAGS/LDFLAGS. */
function writeUnseenExtension(dir: string): void {
  fs.mkdirSync(path.join(dir, 'src', 'rowops'), { recursive: true })
  fs.mkdirSync(path.join(dir, 'perf'), { recursive: true })
  fs.writeFileSync(
    path.join(dir, 'src', 'rowops', 'rowops.cc'),
    `#include <torch/extension.h>
#include <cmath>
using namespace at;

// Per-row soft-clipped norm: heavy enough per row to be compute-bound.
Tensor row_softnorm(const Tensor& x) {
  auto in = x.contiguous();
  auto out = at::empty({in.size(0)}, in.options());
  const float* p = in.data_ptr<float>();
  float* o = out.data_ptr<float>();
  const int64_t cols = in.size(1);
  parallel_for(0, in.size(0), 16, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      double acc = 0;
      for (int64_t c = 0; c < cols; ++c) acc += std::tanh(p[r * cols + c]) * std::log1p(std::fabs(p[r * cols + c]));
      o[r] = static_cast<float>(acc);
    }
  });
  return out;
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) { m.def("row_softnorm", &row_softnorm); }
`
  )
  fs.writeFileSync(
    path.join(dir, 'setup.py'),
    `from setuptools import setup
from torch.utils.cpp_extension import BuildExtension, CppExtension
setup(name="rowops", ext_modules=[CppExtension("rowops._C", ["src/rowops/rowops.cc"])], cmdclass={"build_ext": BuildExtension})
`
  )
  fs.mkdirSync(path.join(dir, 'rowops'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'rowops', '__init__.py'), 'from rowops._C import row_softnorm\n')
  fs.writeFileSync(
    path.join(dir, 'perf', 'scaling_cases.py'),
    `import torch
import rowops
x = torch.randn(4096, 512, generator=torch.Generator().manual_seed(1))
def cases():
    return {"row-softnorm": lambda: rowops.row_softnorm(x)}
`
  )
}

// Both torches: Debian's 1.13 and pip's 2.13 wheel (C++20 headers, bundled libgomp).
describe.each(torches())('thread-scaling-check check on an unseen extension, $name', torch => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-unseen-'))
  const serial = path.join(root, 'serial')
  const parallel = path.join(root, 'parallel')
  let serialRun: ReturnType<typeof runCli>
  let parallelRun: ReturnType<typeof runCli>
  let parallelArgs: string[] = []

  beforeAll(() => {
    writeUnseenExtension(serial)
    writeUnseenExtension(parallel)
    const py = torch.python
    const common = ['--python', py, '--workload', 'perf/scaling_cases.py', '--max-time', '120', '--json']
    serialRun = runCli(['check', '--working-directory', serial, '--build-command', `${py} setup.py build_ext --inplace`, ...common])
    parallelArgs = ['check', '--working-directory', parallel, '--build-command', `CFLAGS=-fopenmp LDFLAGS=-fopenmp ${py} setup.py build_ext --inplace`, ...common]
    parallelRun = runCli(parallelArgs)
  })

  it('fails the build without OpenMP, naming the file and line that lost its parallelism', () => {
    expect(serialRun.status).toBe(1)
    const report = validateReport(JSON.parse(serialRun.stdout))
    expect(report.verdict).toBe('fail')
    expect(report.binaries.map(b => b.path)).toEqual([path.join('rowops', `_C${report.binaries[0].path.slice('rowops/_C'.length)}`)])
    expect(report.binaries[0].lostLines.map(h => [h.file, h.line])).toEqual([[path.join('src', 'rowops', 'rowops.cc'), 12]])
    expect(serialRun.stderr).toMatch(/== Build: /)
    expect(serialRun.stderr).toMatch(/round \d+: speedup at \d threads: row-softnorm/)
  })

  it('passes the build with OpenMP', () => {
    // The judge never fails or passes a shortfall while other processes hold the CPUs
    // (a documented inconclusive): on a busy test machine, measure again.
    parallelRun = rerunWhileBusy(parallelRun, () => runCli(parallelArgs))
    const report = validateReport(JSON.parse(parallelRun.stdout))
    expect(report.runner.torchVersion).toBe(torch.version)
    expect(report.binaries[0].images[0].openmp.parallel).toBe(true)
    expect(report.cases.map(c => [c.name, c.verdict, c.cause])).toEqual([['row-softnorm', 'pass', 'scales']])
    expect(report.verdict).toBe('pass')
    expect(parallelRun.status).toBe(0)
  })
})

describe('thread-scaling-check inspect', () => {
  it('gives one JSON entry per file, and one per slice of a fat Mach-O', () => {
    const fat = path.resolve('__fixtures__/binaries/macho/fat.so')
    const r = runCli(['inspect', fat, path.resolve('__fixtures__/binaries/macho/noomp-arm64.so'), '--json'])
    expect(r.status).toBe(0)
    const entries = JSON.parse(r.stdout) as { path: string; format: string; arch: string; openmp: { parallel: boolean; imports: string[]; runtimes: { library: string }[] } }[]
    expect(entries.map(e => [path.basename(e.path), e.arch, e.openmp.parallel])).toEqual([
      ['fat.so', 'x86_64', true],
      ['fat.so', 'arm64', true],
      ['noomp-arm64.so', 'arm64', false]
    ])
    expect(entries[0].openmp.imports).toContain('___kmpc_fork_call')
    expect(entries[0].openmp.runtimes.map(x => x.library)).toEqual(['@rpath/libomp.dylib'])
  })

  it('prints a readable line per image, and a clear error for a file that is no binary', () => {
    const r = runCli(['inspect', path.resolve('__fixtures__/binaries/macho/omp-dynamic-lookup-arm64.so'), path.resolve('package.json')])
    expect(r.status).toBe(2)
    expect(r.stdout).toMatch(/omp-dynamic-lookup-arm64\.so \[macho arm64 bundle\]: OpenMP parallel regions compiled in/)
    expect(r.stderr).toMatch(/package\.json: .*is neither ELF nor Mach-O/)
  })

  it('explains usage errors', () => {
    expect(runCli(['frobnicate']).stderr).toMatch(/unknown command 'frobnicate'; expected 'check' or 'inspect'/)
    const bad = runCli(['check', '--threads', '0,x'])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/Input 'threads': '0,x'/)
    expect(runCli(['check', '--bogus']).stderr).toMatch(/error: .*bogus/)
  })
})
