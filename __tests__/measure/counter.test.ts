/**
 * The region counter itself (count_regions.c): compiled and cached like on a
 * runner, then preloaded into small OpenMP programs built with gcc (libgomp)
 * and clang (LLVM libomp, __kmpc_fork_call), and into the real harness.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { counterEnv, prepareCounter } from '../../src/measure/counter.js'
import { countSourcePath, harnessPath } from '../../src/paths.js'
import { torchPython } from '../../__fixtures__/python.js'

// Regions: an outer team (shared and firstprivate variables), a nested one
// per outer thread (nesting is off: teams of 1), a dynamic loop, num_threads(1).
const KERNEL = `
#include <stdio.h>
int hits;
#define HIT __atomic_fetch_add(&hits, 1, __ATOMIC_RELAXED)
int work(void) {
  int s = 0, a = 1, b = 2, c = 3;
  #pragma omp parallel reduction(+:s) firstprivate(a) shared(b, c)
  {
    s += a + b - c;
    #pragma omp parallel
    { HIT; }
  }
  #pragma omp parallel for schedule(dynamic)
  for (int i = 0; i < 100; i++) { HIT; }
  #pragma omp parallel num_threads(1)
  { HIT; }
  return s;
}
`
const MAIN = `
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
int work(void);
int omp_get_max_threads(void);
int main(void) {
  omp_get_max_threads(); /* starts the runtime, which loads an OMPT tool */
  const char *lib = getenv("TSC_COUNT_LIB");
  void *h = lib ? dlopen(lib, RTLD_NOW | RTLD_NOLOAD) : NULL;
  void (*reset)(void) = h ? (void (*)(void))dlsym(h, "tsc_counts_reset") : NULL;
  unsigned long (*read)(char *, unsigned long) = h ? (unsigned long (*)(char *, unsigned long))dlsym(h, "tsc_counts_read") : NULL;
  char buf[8192];
  if (!reset || !read) { puts("{}"); return 0; }
  reset();
  int s = work();
  read(buf, sizeof buf);
  printf("%d %s\\n", s, buf);
  return 0;
}
`

describe('count_regions.c', () => {
  let dir: string
  let library: string
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-counter-'))
    const c = prepareCounter({ source: countSourcePath(), cacheDir: path.join(dir, 'cache') })
    if (c.library === null) throw new Error(c.reason)
    library = c.library
    fs.writeFileSync(path.join(dir, 'k.c'), KERNEL)
    fs.writeFileSync(path.join(dir, 'main.c'), MAIN)
  }, 120_000)

  it('is compiled once per compiler and source, and reused', () => {
    const mtime = fs.statSync(library).mtimeMs
    const again = prepareCounter({ source: countSourcePath(), cacheDir: path.join(dir, 'cache') })
    expect(again.library).toBe(library)
    expect(fs.statSync(library).mtimeMs).toBe(mtime)
    expect(path.basename(library)).toMatch(/^libtsc_count-[0-9a-f]{16}\.so$/)
  })

  it('says why it does not count: no compiler, neither Linux nor macOS, turned off', () => {
    expect(prepareCounter({ source: countSourcePath(), cacheDir: path.join(dir, 'c2'), env: { ...process.env, TSC_COUNT_CC: '/nonexistent/cc' } })).toEqual({
      library: null,
      reason: expect.stringMatching(/^the C compiler '\/nonexistent\/cc' that builds the counter did not run \(.*ENOENT/)
    })
    expect(prepareCounter({ source: countSourcePath(), platform: 'win32' })).toEqual({ library: null, reason: expect.stringMatching(/this runner is win32$/) })
    // macOS: the OMPT tool, since DYLD_INSERT_LIBRARIES is stripped there.
    expect(prepareCounter({ source: countSourcePath(), platform: 'darwin', cacheDir: path.join(dir, 'c3') })).toMatchObject({ via: 'ompt', library: expect.stringMatching(/libtsc_count-ompt-[0-9a-f]{16}\.dylib$/) })
    expect(prepareCounter({ source: countSourcePath(), env: { ...process.env, TSC_COUNT: '0' } })).toEqual({ library: null, reason: 'counting is turned off (TSC_COUNT=0)' })
    expect(counterEnv({ library: null, reason: 'x' })).toEqual({})
    expect(counterEnv({ library: '/c/l.so', compiler: 'cc', via: 'ld-preload' }, { LD_PRELOAD: '/u/mine.so' })).toEqual({ LD_PRELOAD: '/u/mine.so:/c/l.so', TSC_COUNT_LIB: '/c/l.so' })
    expect(counterEnv({ library: '/c/l.dylib', compiler: 'cc', via: 'ompt' }, { OMP_TOOL_LIBRARIES: '/u/tool.dylib' })).toEqual({ OMP_TOOL: 'enabled', OMP_TOOL_LIBRARIES: '/u/tool.dylib:/c/l.dylib', TSC_COUNT_LIB: '/c/l.dylib', TSC_COUNT_VIA: 'ompt' })
  })

  for (const [cc, runtime] of [
    ['gcc', 'libgomp: GOMP_parallel, GOMP_parallel_loop_nonmonotonic_dynamic'],
    ['clang', 'LLVM libomp: __kmpc_fork_call with shared, firstprivate and reduction arguments']
  ]) {
    it(`counts regions, teams and teams of one per shared object (${cc}, ${runtime})`, () => {
      const lib = path.join(dir, `libk-${cc}.so`)
      execFileSync(cc, ['-fopenmp', '-shared', '-fPIC', '-O2', '-o', lib, path.join(dir, 'k.c')])
      const exe = path.join(dir, `main-${cc}`)
      execFileSync(cc, ['-fopenmp', '-o', exe, path.join(dir, 'main.c'), lib, '-ldl', `-Wl,-rpath,${dir}`])
      const run = (preload: boolean): string => execFileSync(exe, { env: { ...process.env, OMP_NUM_THREADS: '2', ...(preload ? counterEnv({ library, compiler: cc, via: 'ld-preload' }, {}) : {}) }, encoding: 'utf8' })
      expect(run(false).trim()).toBe('{}')
      const [sum, json] = run(true).trim().split(' ')
      // The program's result is unchanged: 2 threads x (1 + 2 - 3) = 0.
      expect(sum).toBe('0')
      const objects = (JSON.parse(json) as { objects: { path: string; regions: number; max_team: number; team1: number; ns: number }[] }).objects
      expect(objects).toHaveLength(1)
      expect(fs.realpathSync(objects[0].path)).toBe(fs.realpathSync(lib))
      // outer + 2 nested + loop + num_threads(1)
      expect(objects[0]).toMatchObject({ regions: 5, max_team: 2, team1: 3 })
      expect(objects[0].ns).toBeGreaterThan(0)
    }, 120_000)
  }

  /** A C program whose main finds the preloaded counter's reset and read-out, then runs `body`. */
  const counterProgram = (body: string): string => `
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
int main(void) {
  void *h = dlopen(getenv("TSC_COUNT_LIB"), RTLD_NOW | RTLD_NOLOAD);
  void (*reset)(void) = (void (*)(void))dlsym(h, "tsc_counts_reset");
  unsigned long (*read)(char *, unsigned long) = (unsigned long (*)(char *, unsigned long))dlsym(h, "tsc_counts_read");
  char buf[8192];
${body}
  return 0;
}
`

  // The time inside regions is kept in TSC ticks on x86-64 and turned into ns at read-out:
  // a region that sleeps 60 ms must read at least that, and no more than the wall time around it.
  // proc_bind(close) takes the trampoline path (GOMP_parallel with flags), the plain region the
  // start/fn/end path: both must count the same team.
  const TIMED = counterProgram(`
  usleep(20000); /* the tick rate is taken from the library's lifetime: give it one first */
  reset();
  double t0 = now();
  #pragma omp parallel
  { usleep(60000); }
  #pragma omp parallel proc_bind(close)
  { usleep(1000); }
  double wall = now() - t0;
  read(buf, sizeof buf);
  printf("%.0f %s\\n", wall, buf);`)
  for (const cc of ['gcc', 'clang']) {
    it(`keeps the time inside regions in ns, between the sleep inside them and the wall time around them, and counts teams on both GOMP paths (${cc})`, () => {
      fs.writeFileSync(path.join(dir, 'timed.c'), TIMED)
      const exe = path.join(dir, `timed-${cc}`)
      execFileSync(cc, ['-fopenmp', '-O2', '-o', exe, path.join(dir, 'timed.c'), '-ldl'])
      const out = execFileSync(exe, { env: { ...process.env, OMP_NUM_THREADS: '2', ...counterEnv({ library, compiler: cc, via: 'ld-preload' }, {}) }, encoding: 'utf8' }).trim()
      const wall = Number(out.split(' ')[0])
      const o = (JSON.parse(out.slice(out.indexOf(' ') + 1)) as { objects: { regions: number; max_team: number; team1: number; uncounted_team: number; ns: number }[] }).objects[0]
      expect(o).toMatchObject({ regions: 2, max_team: 2, team1: 0, uncounted_team: 0 })
      expect(o.ns).toBeGreaterThanOrEqual(61_000_000)
      expect(o.ns).toBeLessThanOrEqual(wall)
    }, 120_000)
  }

  // Past an object's first 64 regions only one in 8 is timed; the time read out is their mean
  // times all regions, so 1,000 regions that each spin at least 20 µs read at least 20 ms.
  const SPIN = counterProgram(`
  reset();
  for (int i = 0; i < 1000; i++) {
    #pragma omp parallel
    { double t0 = now(); while (now() - t0 < 20000) {} }
  }
  read(buf, sizeof buf);
  puts(buf);`)
  it('times a sample of the regions past the first 64, and reads out the time inside all of them', () => {
    fs.writeFileSync(path.join(dir, 'spin.c'), SPIN)
    const exe = path.join(dir, 'spin')
    execFileSync('gcc', ['-fopenmp', '-O2', '-o', exe, path.join(dir, 'spin.c'), '-ldl'])
    const out = execFileSync(exe, { env: { ...process.env, OMP_NUM_THREADS: '2', ...counterEnv({ library, compiler: 'gcc', via: 'ld-preload' }, {}) }, encoding: 'utf8' })
    const o = (JSON.parse(out) as { objects: { regions: number; max_team: number; ns: number }[] }).objects[0]
    expect(o).toMatchObject({ regions: 1000, max_team: 2 })
    expect(o.ns).toBeGreaterThanOrEqual(1000 * 20_000)
  }, 120_000)

  describe('as an OMPT tool (OMP_TOOL_LIBRARIES), the macOS path, against Debian\'s LLVM libomp', () => {
    let tool: string
    beforeAll(() => {
      const c = prepareCounter({ source: countSourcePath(), cacheDir: path.join(dir, 'cache'), env: { ...process.env, TSC_COUNT_VIA: 'ompt' } })
      if (c.library === null) throw new Error(c.reason)
      expect(c.via).toBe('ompt')
      tool = c.library
    }, 120_000)

    it('is its own build, which wraps nothing and exports ompt_start_tool', () => {
      expect(tool).not.toBe(library)
      expect(path.basename(tool)).toMatch(/^libtsc_count-ompt-[0-9a-f]{16}\.so$/)
      const dyn = execFileSync('nm', ['-D', '--defined-only', tool], { encoding: 'utf8' })
      expect(dyn).toMatch(/ T ompt_start_tool$/m)
      expect(dyn).not.toMatch(/GOMP_parallel|__kmpc_fork_call/)
    })

    it('counts regions, teams and teams of one per shared object (clang -fopenmp, libomp)', () => {
      const lib = path.join(dir, 'libk-clang-ompt.so')
      execFileSync('clang', ['-fopenmp', '-shared', '-fPIC', '-O2', '-o', lib, path.join(dir, 'k.c')])
      const exe = path.join(dir, 'main-clang-ompt')
      execFileSync('clang', ['-fopenmp', '-o', exe, path.join(dir, 'main.c'), lib, '-ldl', `-Wl,-rpath,${dir}`])
      const run = (env: Record<string, string>): string => execFileSync(exe, { env: { ...process.env, OMP_NUM_THREADS: '2', ...env }, encoding: 'utf8' }).trim()
      const env = counterEnv({ library: tool, compiler: 'cc', via: 'ompt' }, {})
      const [sum, json] = run(env).split(' ')
      expect(sum).toBe('0')
      const objects = (JSON.parse(json) as { objects: { path: string; regions: number; max_team: number; team1: number; ns: number }[] }).objects
      expect(objects).toHaveLength(1)
      expect(fs.realpathSync(objects[0].path)).toBe(fs.realpathSync(lib))
      // outer + 2 nested (teams of one) + loop + num_threads(1), as the interposer counts them
      expect(objects[0]).toMatchObject({ regions: 5, max_team: 2, team1: 3 })
      expect(objects[0].ns).toBeGreaterThan(0)
      // Three threads: the outer team's largest is 3, nested ones still one each.
      expect(JSON.parse(run({ ...env, OMP_NUM_THREADS: '3' }).split(' ')[1]).objects[0]).toMatchObject({ regions: 1 + 3 + 2, max_team: 3, team1: 4 })
      // OMP_TOOL=disabled: libomp loads no tool, and nothing is counted.
      expect(run({ ...env, OMP_TOOL: 'disabled' })).toBe('{}')
    }, 120_000)

    it('counts the regions of an extension built with clang -fopenmp in the real harness, with full teams (libtorch\'s libgomp has no OMPT)', () => {
      // count_ext built with clang against Debian's torch 1.13: __kmpc_fork_call into LLVM's libomp.
      const ext = path.join(dir, 'count-ext-clang')
      fs.cpSync(path.resolve('__fixtures__', 'count-ext'), ext, { recursive: true })
      execFileSync(torchPython(), ['setup.py', 'build_ext', '--inplace'], { cwd: ext, stdio: 'pipe', env: { ...process.env, CC: 'clang', CXX: 'clang++' } })
      const so = fs.readdirSync(ext).find(f => f.startsWith('count_ext') && f.endsWith('.so')) as string
      expect(execFileSync('nm', ['-D', '--undefined-only', path.join(ext, so)], { encoding: 'utf8' })).toMatch(/__kmpc_fork_call/)
      const talk = (kernel: string, env: Record<string, string>): Record<string, unknown>[] => {
        const r = spawnSync(torchPython(), [harnessPath(), '--threads', '2', '--workload', path.join(ext, 'workload.py'), '--workdir', ext], {
          input: `{"op":"run","case":"${kernel}+mm","iters":4}\n{"op":"exit"}\n`,
          env: { ...process.env, OMP_NUM_THREADS: '2', COUNT_KERNEL: kernel, ...env },
          stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
          encoding: 'utf8',
          timeout: 120_000
        })
        return String(r.output[3]).trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>)
      }
      const env = counterEnv({ library: tool, compiler: 'cc', via: 'ompt' }, {})
      const [ready, sample] = talk('full', env)
      expect(ready.counting).toEqual({ available: true, reason: null })
      const regions = sample.regions as { path: string; regions: number; max_team: number; team1: number }[]
      // One region per call, each run by both threads.
      expect(regions.find(o => o.path === fs.realpathSync(path.join(ext, so)))).toMatchObject({ regions: 4, max_team: 2, team1: 0 })
      expect(regions.some(o => /libtorch/.test(o.path))).toBe(false)
      const [, covered] = talk('covered', env)
      expect((covered.regions as { path: string }[]).some(o => o.path === fs.realpathSync(path.join(ext, so)))).toBe(false)
      // A user's own tool listed first wins; then the counter is off, with the reason.
      const [off, offSample] = talk('full', { ...env, OMP_TOOL: 'disabled' })
      expect(off.counting).toEqual({ available: false, reason: expect.stringMatching(/^no OpenMP runtime in the measuring process loaded the OMPT tool .*libomp/) })
      expect(offSample.regions).toBeNull()
    }, 600_000)
  })

  it('reaches the harness only when preloaded: a counter that is not in the process counts nothing and says so', () => {
    const workload = path.join(dir, 'w.py')
    fs.writeFileSync(workload, 'import torch\nx = torch.rand(1 << 18) * 4 + 0.5\ndef cases():\n    return {"dg": lambda: torch.digamma(x)}\n')
    const talk = (env: Record<string, string>): Record<string, unknown>[] => {
      const r = spawnSync(torchPython(), [harnessPath(), '--threads', '2', '--workload', workload, '--workdir', dir], {
        input: '{"op":"run","case":"dg","iters":3}\n{"op":"exit"}\n',
        env: { ...process.env, OMP_NUM_THREADS: '2', ...env },
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
        encoding: 'utf8',
        timeout: 120_000
      })
      return String(r.output[3]).trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>)
    }
    const [ready, sample] = talk(counterEnv({ library, compiler: 'cc', via: 'ld-preload' }, {}))
    expect(ready.counting).toEqual({ available: true, reason: null })
    const regions = sample.regions as { path: string; regions: number; max_team: number }[]
    expect(regions.find(o => /libtorch_cpu/.test(o.path))).toMatchObject({ regions: 3, max_team: 2 })
    const [off, offSample] = talk({ TSC_COUNT_LIB: library })
    expect(off.counting).toEqual({ available: false, reason: expect.stringMatching(/^LD_PRELOAD did not load the counter/) })
    expect(offSample.regions).toBeNull()
  }, 120_000)
})
