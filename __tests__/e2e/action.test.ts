/**
 * End to end, as a runner runs it: dist/index.js builds the example extension
 * for real against the machine's torch, inspects it, measures it and judges.
 * Assertions are on what must always hold, never on wall-clock numbers.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { validateReport } from '../../src/report/schema.js'
import { copyExample, runAction, type ActionRun } from '../../__fixtures__/run-action.js'
import { torchPython } from '../../__fixtures__/python.js'
import { BUSY_RERUNS, busyReport } from '../../__fixtures__/busy.js'

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-e2e-'))
// The example's gather kernel reaches about 1.65x on 2 vCPUs, close to the
// 1.5x that the default 2.0-at-4-threads becomes there, so about 1 run in 20
// ends inconclusive (bench/measure-bench.mjs). 1.6 (1.33x at 2 threads) keeps
// the test about the verdict logic, not about that margin.
const inputs = (over: Record<string, string> = {}): Record<string, string> => ({ python: torchPython(), workload: 'workload.py', 'max-time': '120', 'min-speedup': '1.6', ...over })

describe('the action on the example extension', () => {
  let serial: ActionRun
  let parallel: ActionRun
  let serialDir: string
  let parallelDir: string

  beforeAll(async () => {
    serialDir = copyExample('parallel-ext', path.join(workspace, 'serial'))
    parallelDir = copyExample('parallel-ext', path.join(workspace, 'parallel'))
    serial = await runAction(workspace, inputs({ 'working-directory': path.relative(workspace, serialDir) }), { PARALLEL_EXT_OPENMP: '0' })
    const runParallel = () => runAction(workspace, inputs({ 'working-directory': path.relative(workspace, parallelDir) }), { PARALLEL_EXT_OPENMP: '1' })
    parallel = await runParallel()
    // On a busy test machine the judge gives a documented inconclusive: measure again.
    for (let i = 0; i < BUSY_RERUNS && busyReport(validateReport(JSON.parse(fs.readFileSync(parallel.outputs.report, 'utf8')))); i++) parallel = await runParallel()
  })

  it('fails the build without OpenMP for the right reason, with a failing exit status', () => {
    expect(serial.outputs.verdict).toBe('fail')
    expect(serial.status).toBe(1)
    expect(serial.stdout).toMatch(/::error::thread-scaling-check: fail\. parallel_ext\.cpython[^:]*\.so: Compiled without OpenMP/)
    const report = validateReport(JSON.parse(fs.readFileSync(serial.outputs.report, 'utf8')))
    expect(report.binaries).toHaveLength(1)
    expect(report.binaries[0].cause).toBe('compiled-without-openmp')
    expect(report.binaries[0].images[0].openmp.forkImports).toEqual([])
    // The binary alone decided, so the timings are a short smoke test for the report.
    expect(report.measurement?.stoppedBy).toBe('static-verdict')
    expect(report.measurement?.rounds).toBe(2)
    // The harness must always see a serial kernel as serial: about one CPU busy per wall second.
    const judged = report.threshold.judgedThreads
    for (const c of report.cases) {
      const row = c.rows.find(r => r.threads === judged)
      expect(row?.cpuPerWall).toBeLessThan(1.3)
    }
  })

  it('annotates the parallel_for lines and the setup.py line where the flags belong', () => {
    const rel = path.relative(workspace, serialDir)
    expect(serial.stdout).toMatch(new RegExp(`::error title=Parallel loop compiled without OpenMP,file=${rel}/csrc/elementwise\\.cpp,line=\\d+`))
    expect(serial.stdout).toMatch(new RegExp(`::error title=Parallel loop compiled without OpenMP,file=${rel}/csrc/omp_loop\\.cpp,line=\\d+`))
    expect(serial.stdout).toMatch(new RegExp(`::warning title=OpenMP flags belong here,file=${rel}/setup\\.py,line=\\d+`))
  })

  it('writes a step summary with the patch for setup.py and the per-file flag audit', () => {
    expect(serial.summary).toMatch(/^## ❌ thread-scaling-check: fail/)
    expect(serial.summary).toMatch(/\*\*Fix\*\*: apply this to `serial\/parallel-ext\/setup\.py`/)
    expect(serial.summary).toMatch(/```diff\n--- a\/serial\/parallel-ext\/setup\.py\n\+\+\+ b\/serial\/parallel-ext\/setup\.py/)
    expect(serial.summary).toMatch(/-fopenmp/)
    expect(serial.summary).toMatch(/### Compile flags, per translation unit/)
    expect(serial.summary).toMatch(/\| threads \| time per call \|/)
    const report = validateReport(JSON.parse(fs.readFileSync(serial.outputs.report, 'utf8')))
    expect(report.build?.audit?.flagged.map(t => t.file).sort()).toEqual(['csrc/elementwise.cpp', 'csrc/omp_loop.cpp', 'csrc/reduce.cpp'])
    expect(fs.existsSync(report.build?.compileDatabase ?? '')).toBe(true)
  })

  it('confirms the fix in CI with apply-openmp-fix, and says so first', async () => {
    const dir = copyExample('parallel-ext', path.join(workspace, 'fixed'))
    const run = await runAction(workspace, inputs({ 'working-directory': path.relative(workspace, dir), 'apply-openmp-fix': 'true', 'fail-on': 'never' }), { PARALLEL_EXT_OPENMP: '0' })
    const report = validateReport(JSON.parse(fs.readFileSync(run.outputs.report, 'utf8')))
    expect(report.build?.fixApplied).toMatchObject({ CFLAGS: expect.stringMatching(/-fopenmp/) })
    expect(report.binaries[0].cause).toBe('openmp-compiled-in')
    expect(run.summary).toMatch(/^## .* thread-scaling-check: \w+\n\n> \[!WARNING\]\n> \*\*OpenMP flags were added for this run only\*\*/)
    expect(run.stdout).toMatch(/::warning::apply-openmp-fix: building with CFLAGS=/)
  })

  it('passes the build with OpenMP', () => {
    expect(parallel.stdout).not.toMatch(/::error/)
    expect(parallel.outputs.verdict).toBe('pass')
    expect(parallel.status).toBe(0)
    expect(Number(parallel.outputs.speedup)).toBeGreaterThan(1)
    const report = validateReport(JSON.parse(fs.readFileSync(parallel.outputs.report, 'utf8')))
    expect(report.binaries[0].images[0].openmp.forkImports).toContain('GOMP_parallel')
    expect(report.binaries[0].images[0].openmp.runtimes).toEqual([{ library: 'libgomp.so.1', family: 'gnu' }])
    expect(parallel.summary).toMatch(/^## ✅ thread-scaling-check: pass/)
    expect(report.build?.exitCode).toBe(0)
    expect(fs.existsSync(report.build?.log ?? '')).toBe(true)
  })

  it('keeps the verdict but not the failing status under fail-on: never', async () => {
    const run = await runAction(workspace, inputs({ 'working-directory': path.relative(workspace, serialDir), 'build-command': 'none', 'fail-on': 'never' }))
    expect(run.outputs.verdict).toBe('fail')
    expect(run.status).toBe(0)
  })

  it('gives a static-only verdict without a workload', async () => {
    const run = await runAction(workspace, { python: torchPython(), 'working-directory': path.relative(workspace, serialDir), 'build-command': 'none' })
    expect(run.outputs.verdict).toBe('fail')
    expect(run.summary).toMatch(/nothing was timed/)
  })
})

describe('the action on bad input', () => {
  let dir: string
  beforeAll(() => {
    dir = copyExample('parallel-ext', path.join(workspace, 'bad'))
  })

  it.each([
    [{ 'fail-on': 'sometimes' }, /Input 'fail-on': 'sometimes' is not one of 'fail', 'inconclusive', 'never'/],
    [{ threads: '0,x' }, /Input 'threads': '0,x' has '0', 'x'/],
    [{ workload: 'nope.py' }, /Input 'workload': 'nope\.py' was not found/],
    [{ cache: 'yes' }, /Input 'cache': 'yes' is not a boolean\. Give true or false\./],
    [{ 'apply-openmp-fix': 'true', 'build-command': 'none' }, /Input 'apply-openmp-fix': needs a build, but build-command is 'none'/]
  ])('%j ends with one clear message and no verdict', async (bad, message) => {
    const run = await runAction(workspace, inputs({ 'working-directory': path.relative(workspace, dir), ...bad }))
    expect(run.status).toBe(1)
    const errors = run.stdout.split('\n').filter(l => l.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(message)
    expect(run.outputs.verdict).toBeUndefined()
  })

  it('points a failing build at the compiler\'s first error', async () => {
    fs.appendFileSync(path.join(dir, 'csrc', 'reduce.cpp'), '\nint broken( {\n')
    const run = await runAction(workspace, inputs({ 'working-directory': path.relative(workspace, dir) }))
    expect(run.status).toBe(1)
    expect(run.stdout).toMatch(new RegExp(`::error title=Build failed,file=${path.relative(workspace, dir)}/csrc/reduce\\.cpp,line=\\d+`))
    expect(run.stdout).toMatch(/::error::Input 'build-command': the build failed with exit status 1\. First error: .*csrc\/reduce\.cpp:\d+/)
    expect(run.outputs.verdict).toBeUndefined()
    expect(fs.readFileSync(path.join(dir, '.thread-scaling-check', 'build.log'), 'utf8')).toMatch(/error/)
  })

  it('explains an extension that will not import', async () => {
    fs.writeFileSync(path.join(dir, 'unbuilt.py'), 'import parallel_ext_not_built\ndef cases():\n    return {}\n')
    fs.writeFileSync(path.join(dir, 'stale.so'), 'not really a library')
    const run = await runAction(workspace, inputs({ 'working-directory': path.relative(workspace, dir), 'build-command': 'none', workload: 'unbuilt.py' }))
    expect(run.status).toBe(1)
    expect(run.stdout).toMatch(/::error::Input 'workload': importing .*unbuilt\.py failed \(ModuleNotFoundError: No module named 'parallel_ext_not_built'\)/)
    expect(run.outputs.verdict).toBeUndefined()
  })

  it('reports a workload that raises without inventing a verdict', async () => {
    fs.writeFileSync(path.join(dir, 'raises.py'), 'import torch\ndef bad():\n    raise RuntimeError("expected 4D input")\ndef cases():\n    return {"bad": bad}\n')
    fs.writeFileSync(path.join(dir, 'stale.so'), 'not really a library')
    const run = await runAction(workspace, inputs({ 'working-directory': path.relative(workspace, dir), 'build-command': 'none', workload: 'raises.py' }))
    expect(run.status).toBe(1)
    expect(run.stdout).toMatch(/::error::No verdict: 1 case\(s\) could not be measured\. Case 'bad': Calibration raised RuntimeError: expected 4D input/)
    expect(run.outputs.verdict).toBeUndefined()
    expect(run.summary).toMatch(/RuntimeError: expected 4D input/)
  })
})
