/**
 * examples/cuda-ext, a CUDAExtension, built against torch 2.14.1 (CUDA 13)
 * with nvcc, in its three flag settings, each checked end to end by the CLI
 * on this GPU-less machine:
 *   none       fail: no OpenMP anywhere;
 *   C++ only   fail: the binary imports GOMP_parallel from ops.cpp, yet the
 *              .cu file's pragma was compiled without it; the patch for nvcc,
 *              applied with git apply and rebuilt in place, passes;
 *   both       pass, with a measured CPU speedup; the GPU case is skipped.
 * Three full builds: the first two at once (their verdicts don't rest on
 * timings), the last alone, since it is timed.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { validateReport } from '../../src/report/schema.js'
import type { Report } from '../../src/report/types.js'
import { which } from '../../src/build/compiler-id.js'
import { cudaToolchain } from '../../__fixtures__/cuda.js'
import { copyExample } from '../../__fixtures__/run-action.js'
import { BUSY_RERUNS, busyReport } from '../../__fixtures__/busy.js'

const cli = path.resolve('dist/cli.js')
const SOURCE = fs.readFileSync('examples/cuda-ext/csrc/oscillate.cu', 'utf8')
/** The line of the CPU path's pragma in oscillate.cu. */
const PRAGMA_LINE = SOURCE.split('\n').findIndex(l => l.startsWith('#pragma omp parallel for')) + 1

interface Run {
  status: number | null
  report: Report
  stderr: string
  seconds: number
}

/** Runs `check` on `dir` with the example's CUDA_EXT_OPENMP setting. */
function check(dir: string, setting: '' | 'cxx' | 'all', extra: string[] = []): Promise<Run> {
  const { python, cudaHome } = cudaToolchain()
  const started = Date.now()
  const child = spawn(process.execPath, [cli, 'check', '--working-directory', dir, '--python', python, '--json', ...extra], {
    // One GPU architecture: without a GPU to ask, torch would build for every one it knows.
    env: { ...process.env, CUDA_HOME: cudaHome, TORCH_CUDA_ARCH_LIST: '9.0', CUDA_EXT_OPENMP: setting },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', d => (stdout += d))
  child.stderr.on('data', d => (stderr += d))
  return new Promise((resolve, reject) => {
    child.on('close', status => {
      if (!stdout.trim()) return reject(new Error(`no report (exit ${status}): ${stderr.slice(-3000)}`))
      resolve({ status, report: validateReport(JSON.parse(stdout)), stderr, seconds: (Date.now() - started) / 1000 })
    })
  })
}

const fresh = (name: string): string => copyExample('cuda-ext', fs.mkdtempSync(path.join(os.tmpdir(), `tsc-cuda-${name}-`)))
const workload = ['--workload', 'workload.py', '--threads', '1,2']
/**
 * The check's own verdicts for a machine that can't give the threads their
 * CPUs right now (other processes hold them, or the copies can't scale
 * either): the timings then say nothing about the kernel, so it is measured again.
 */
const withheld = (r: Run): boolean => busyReport(r.report)

describe('a CUDA extension with an OpenMP CPU path in its .cu file', () => {
  let none: Run
  let cxx: Run
  let both: Run
  /** The build of the 'both' setting (a re-measure on a busy machine has no build). */
  let bothBuilt: Run
  let cxxDir: string

  beforeAll(async () => {
    cudaToolchain()
    for (const tool of ['ninja', 'g++', 'git']) if (!which(tool)) throw new Error(`${tool} is not installed: run scripts/setup-debian.sh`)
    cxxDir = fresh('cxx')
    // Statically decided: short measuring, so the two may share the CPUs.
    ;[none, cxx] = await Promise.all([check(fresh('none'), '', workload), check(cxxDir, 'cxx', workload)])
    const bothDir = fresh('both')
    both = bothBuilt = await check(bothDir, 'all', workload)
    for (let i = 0; i < 3 && withheld(both); i++) both = await check(bothDir, 'all', [...workload, '--build-command', 'none'])
    const built = (r: Run): string => `${r.report.build?.seconds.toFixed(0)} s build, ${r.seconds.toFixed(0)} s in all`
    console.log(`cuda-ext: none ${built(none)}; C++ only ${built(cxx)} (the two at once); both ${built(bothBuilt)}${both === bothBuilt ? '' : `, measured again in ${both.seconds.toFixed(0)} s (a busy machine)`}`)
  })

  it('records the nvcc compile of the .cu file and the C++ compile of ops.cpp, whatever the setting', () => {
    for (const r of [none, cxx, bothBuilt]) {
      const tus = r.report.build?.audit?.tus as { file: string; family: string; compiler: string }[]
      expect(tus.map(t => [t.file, t.family]).sort()).toEqual([
        ['csrc/ops.cpp', 'gcc'],
        ['csrc/oscillate.cu', 'nvcc']
      ])
      // The real nvcc, never the stand-in CUDA_HOME's wrapper.
      expect(tus.find(t => t.family === 'nvcc')?.compiler).toBe(path.join(cudaToolchain().cudaHome, 'bin', 'nvcc'))
      expect(r.report.build?.compileDatabase).toBeTruthy()
    }
  })

  it('none: fails, with no OpenMP in the binary, and says the .cu file needs the nvcc flag', () => {
    expect(none.status).toBe(1)
    expect(none.report.verdict).toBe('fail')
    expect(none.report.binaries[0]).toMatchObject({ verdict: 'fail', cause: 'compiled-without-openmp' })
    expect(none.report.binaries[0].images[0].openmp.forkImports).toEqual([])
    const flagged = (none.report.build?.audit?.flagged as { file: string }[]).map(t => t.file).sort()
    expect(flagged).toEqual(['csrc/ops.cpp', 'csrc/oscillate.cu'])
    expect(none.report.binaries[0].reasons.join(' ')).toMatch(/nvcc compiled csrc\/oscillate\.cu without passing -fopenmp/)
    expect(none.report.remediation?.diff).toMatch(/^\+cxx_args = \["-O2", "-Wno-unknown-pragmas", "-fopenmp"\]$/m)
    expect(none.report.remediation?.diff).toMatch(/^\+nvcc_args = \[.*"-Xcompiler", "-fopenmp"\]$/m)
  })

  it('C++ only: fails although the binary imports GOMP_parallel, naming the .cu file and its pragma line, with the nvcc patch', () => {
    expect(cxx.status).toBe(1)
    expect(cxx.report.verdict).toBe('fail')
    const b = cxx.report.binaries[0]
    expect(b.images[0].openmp.forkImports).toContain('GOMP_parallel')
    expect(b).toMatchObject({ verdict: 'fail', cause: 'tu-without-openmp' })
    expect(b.lostLines.map(h => [h.file, h.line, h.construct])).toEqual([['csrc/oscillate.cu', PRAGMA_LINE, 'omp-pragma']])
    expect(cxx.report.reasons[0]).toContain(`csrc/oscillate.cu:${PRAGMA_LINE} ('#pragma omp parallel for schedule(static)')`)
    const audit = cxx.report.build?.audit as { flagged: { file: string }[]; tus: { file: string; openmp: { flags: string[]; enabled: boolean } }[] }
    expect(audit.flagged.map(t => t.file)).toEqual(['csrc/oscillate.cu'])
    expect(audit.tus.find(t => t.file === 'csrc/ops.cpp')?.openmp.enabled).toBe(true)
    // The patch gives nvcc its flag and the link flag, and leaves the C++ flags, which are fine, alone.
    const diff = cxx.report.remediation?.diff ?? ''
    expect(cxx.report.remediation?.file).toBe('setup.py')
    expect(diff).toMatch(/^\+nvcc_args = \["-O2", "-Xcompiler", "-Wno-unknown-pragmas", "-Xcompiler", "-fopenmp"\]$/m)
    expect(diff).toMatch(/^\+link_args = \["-fopenmp"\]$/m)
    expect(diff).not.toMatch(/^\+cxx_args/m)
    // At run time too: the .cu path ran on one thread, the at::parallel_for path on two.
    const busy = (name: string): number | null | undefined => cxx.report.cases.find(c => c.name === name)?.rows.find(x => x.threads === 2)?.busyThreads
    expect(busy('spring-cpu')).toBe(1)
    expect(busy('trig-cpu')).toBe(2)
  })

  it('C++ only, patched with git apply and rebuilt in place: passes', async () => {
    fs.writeFileSync(path.join(cxxDir, 'fix.diff'), cxx.report.remediation?.diff ?? '')
    execFileSync('git', ['apply', '--verbose', 'fix.diff'], { cwd: cxxDir, stdio: 'pipe' })
    // --force: setuptools doesn't count setup.py as an input, and would skip the build.
    let fixed = await check(cxxDir, 'cxx', ['--build-command', `${cudaToolchain().python} setup.py build_ext --inplace --force`])
    const built = fixed
    for (let i = 0; i < BUSY_RERUNS && withheld(fixed); i++) fixed = await check(cxxDir, 'cxx', ['--build-command', 'none'])
    expect(fixed.report.binaries[0]).toMatchObject({ verdict: 'pass', cause: 'openmp-compiled-in' })
    expect(fixed.report.verdict).toBe('pass')
    expect(fixed.status).toBe(0)
    // ninja rebuilt the .cu file only, now with the flag for its host compiler.
    const tus = built.report.build?.audit?.tus as { file: string; openmp: { flags: string[]; enabled: boolean } }[]
    expect(tus.find(t => t.file === 'csrc/oscillate.cu')?.openmp).toEqual({ flags: ['-Xcompiler -fopenmp'], enabled: true })
  })

  it('both: passes, with a measured CPU speedup for the .cu path and the at::parallel_for path', () => {
    expect(both.report.binaries[0]).toMatchObject({ verdict: 'pass', cause: 'openmp-compiled-in' })
    expect(bothBuilt.report.build?.audit?.flagged).toEqual([])
    const byName = Object.fromEntries(both.report.cases.map(c => [c.name, c]))
    // Both paths run on two threads, whatever else the machine is doing...
    for (const name of ['spring-cpu', 'trig-cpu']) expect(byName[name].rows.find(x => x.threads === 2)?.busyThreads).toBe(2)
    // ...and, measured when the machine gives them their CPUs, faster.
    const required = both.report.threshold.required
    for (const name of ['spring-cpu', 'trig-cpu']) {
      expect(byName[name].verdict).toBe('pass')
      expect(byName[name].judged?.estimate).toBeGreaterThanOrEqual(required)
    }
    expect(both.report.verdict).toBe('pass')
    expect(both.status).toBe(0)
  })

  it('skips the GPU case on this GPU-less machine, with the reason, in every setting', () => {
    for (const r of [none, cxx, both]) {
      const gpu = r.report.cases.find(c => c.name === 'spring-gpu')
      expect(gpu).toMatchObject({ verdict: 'skipped', cause: 'needs-cuda', rows: [] })
      expect(gpu?.reasons[0]).toMatch(/^Skipped: needs CUDA \(needs_cuda = True\), and torch\.cuda\.is_available\(\) is False on this runner \(torch 2\.14\.1\+cu130, CUDA 13\.0\)/)
      expect(r.report.errors).toEqual([])
    }
  })
})
