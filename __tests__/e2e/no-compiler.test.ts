/**
 * build-command: none on a runner whose CXX names no compiler (here a path
 * with a space, split as a build would split it): a binary without OpenMP
 * still gets its verdict. The remediation step asks for the compiler, and a
 * missing one must reach its .catch, not throw past it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { recordingLog } from '../../__fixtures__/harness-run.js'
import { torchPython } from '../../__fixtures__/python.js'
import { parseSettings } from '../../src/config/parse.js'
import { runCheck } from '../../src/pipeline.js'

let dir = ''
const saved = process.env.CXX
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-no-compiler-'))
  fs.mkdirSync(path.join(dir, 'csrc'))
  fs.writeFileSync(path.join(dir, 'csrc', 'k.cpp'), '#include <ATen/Parallel.h>\nvoid k(float* x, long n) {\n  at::parallel_for(0, n, 1, [&](long b, long e) { for (long i = b; i < e; ++i) x[i] *= 2; });\n}\n')
  fs.writeFileSync(path.join(dir, 'k.c'), 'void k(float *x, long n) { for (long i = 0; i < n; i++) x[i] *= 2; }\n')
  execFileSync('gcc', ['-shared', '-fPIC', path.join(dir, 'k.c'), '-o', path.join(dir, 'k.so')])
  process.env.CXX = '/opt/no such compiler/g++'
})
afterAll(() => {
  if (saved === undefined) delete process.env.CXX
  else process.env.CXX = saved
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('no compiler on the runner', () => {
  it('a binary without OpenMP still gets its fail verdict', async () => {
    const inputs: Record<string, string> = { 'build-command': 'none', extensions: 'k.so', sources: 'csrc/*.cpp', python: torchPython() }
    const s = parseSettings({
      getInput: name => inputs[name] ?? '',
      baseDirectory: dir,
      isDirectory: p => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false,
      isFile: p => fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false
    })
    const report = await runCheck(s, recordingLog().log)
    expect(report.verdict).toBe('fail')
    expect(report.binaries[0].cause).toBe('compiled-without-openmp')
  }, 180_000)
})
