/**
 * Two OpenMP runtimes, measured: which runtime files a process really maps
 * when an extension built with the system compiler meets each torch, in both
 * import orders, and the finding the check makes of the harness's mapping.
 * The "extensions" are small OpenMP libraries compiled here (a second each):
 * the loader's choice depends on the sonames and paths, not on torch headers.
 */
import { beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { addRuntimeFindings } from '../../src/inspect/attribution.js'
import { inspectBinary } from '../../src/inspect/inspect-binary.js'
import { torchLibrariesFrom, torchRuntime } from '../../src/inspect/torch-libs.js'
import { mappedRuntimes, withMappedRuntimes, type TorchRuntime } from '../../src/inspect/two-runtimes.js'
import type { Log } from '../../src/log.js'
import { Worker } from '../../src/measure/worker.js'
import type { RunnerFacts } from '../../src/runner-facts.js'
import { harnessPath } from '../../src/paths.js'
import { torches } from '../../__fixtures__/torches.js'

const SYSTEM_GOMP = '/usr/lib/x86_64-linux-gnu/libgomp.so.1'
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-mapped-'))
const quiet: Log = { info: () => undefined, debug: () => undefined, warning: () => undefined, error: () => undefined, notice: () => undefined, group: async (_n, fn) => fn() }

/** One parallel region; returns the team size so the probe calls into the runtime. */
const OMP_C = `int team(void) { int n = 0;
#pragma omp parallel
  {
#pragma omp atomic
    n++;
  }
  return n; }
`

// Imports torch and the library in the given order, runs a region, prints the runtime files mapped.
const PROBE = `import ctypes, json, os, sys
order, lib = sys.argv[1], sys.argv[2]
if order == "extension-first":
    ext = ctypes.CDLL(lib); import torch
else:
    import torch; ext = ctypes.CDLL(lib)
ext.team()
maps = []
for line in open("/proc/self/maps"):
    p = line.split(None, 5)[-1].strip()
    if os.path.basename(p).startswith(("libgomp", "libomp", "libiomp")) and p not in maps:
        maps.append(p)
print(json.dumps(maps))
`

function build(): void {
  fs.writeFileSync(path.join(dir, 'omp.c'), OMP_C)
  fs.writeFileSync(path.join(dir, 'probe.py'), PROBE)
  const cc = (compiler: string, out: string): void => {
    execFileSync(compiler, ['-O2', '-fPIC', '-shared', '-fopenmp', path.join(dir, 'omp.c'), '-o', path.join(dir, out)])
  }
  cc('gcc', 'gcc-omp.so') // NEEDED libgomp.so.1
  cc('clang', 'clang-omp.so') // NEEDED libomp.so.5
  // The same gcc build, its libgomp named by full path: the loader can't match that to a loaded soname.
  fs.copyFileSync(path.join(dir, 'gcc-omp.so'), path.join(dir, 'fullpath-gomp.so'))
  execFileSync('patchelf', ['--replace-needed', 'libgomp.so.1', SYSTEM_GOMP, path.join(dir, 'fullpath-gomp.so')])
}

const real = (p: string): string => fs.realpathSync(p)

describe.each(torches())('OpenMP runtimes a process maps, $name', torch => {
  let torchLib = ''
  let torchRt: TorchRuntime | null = null
  const mapped = (order: string, lib: string): string[] =>
    JSON.parse(execFileSync(torch.python, [path.join(dir, 'probe.py'), order, path.join(dir, lib)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '2' } })) as string[]

  beforeAll(() => {
    if (!fs.existsSync(path.join(dir, 'fullpath-gomp.so'))) build()
    torchLib = execFileSync(torch.python, ['-c', 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))'], { encoding: 'utf8' }).trim()
    const cpu = execFileSync(torch.python, ['-c', 'import torch\nfor l in open("/proc/self/maps"):\n  p = l.split(None, 5)[-1].strip()\n  if "torch_cpu" in p: print(p); break'], { encoding: 'utf8' }).trim()
    torchRt = torchRuntime(torchLibrariesFrom({ lib: torchLib, loaded: [cpu] }))
  })

  test('torch links libgomp.so.1 by soname', () => {
    expect(torchRt?.runtimes).toEqual([{ library: 'libgomp.so.1', family: 'gnu' }])
  })

  test('gcc -fopenmp: one libgomp serves both, in either order (same soname: the first loaded wins)', () => {
    const torchFirst = mapped('torch-first', 'gcc-omp.so')
    const extFirst = mapped('extension-first', 'gcc-omp.so')
    expect(torchFirst).toHaveLength(1)
    expect(extFirst).toEqual([real(SYSTEM_GOMP)])
    // The wheel's own copy when torch comes first; Debian's torch uses the system one anyway.
    expect(torchFirst).toEqual([torch.origin === 'pip' ? real(path.join(torchLib, 'libgomp.so.1')) : real(SYSTEM_GOMP)])
    const img = inspectBinary(path.join(dir, 'gcc-omp.so'))[0]
    if (torchRt) for (const m of [torchFirst, extFirst]) expect(withMappedRuntimes(img, null, mappedRuntimes(m), torchRt)).toBeNull()
  })

  test("clang -fopenmp: LLVM's libomp.so.5 beside torch's libgomp, in either order: a finding naming both files", () => {
    for (const order of ['torch-first', 'extension-first']) {
      const m = mapped(order, 'clang-omp.so')
      expect(m.map(p => path.basename(p)).sort()).toEqual([path.basename(real(torch.origin === 'pip' ? path.join(torchLib, 'libgomp.so.1') : SYSTEM_GOMP)), 'libomp.so.5'].sort())
      const f = torchRt && withMappedRuntimes(inspectBinary(path.join(dir, 'clang-omp.so'))[0], null, mappedRuntimes(m), torchRt)
      expect(f).toMatchObject({ code: 'two-runtimes', extension: { library: real('/usr/lib/llvm-14/lib/libomp.so.5'), family: 'llvm' }, mapped: m })
      expect(f?.summary).toContain(`The measuring process had 2 OpenMP runtimes mapped once it imported the extension:`)
    }
  })

  test('libgomp linked by full path: a second copy when torch brings its own and comes first; one otherwise', () => {
    const torchFirst = mapped('torch-first', 'fullpath-gomp.so')
    const extFirst = mapped('extension-first', 'fullpath-gomp.so')
    expect(extFirst).toEqual([real(SYSTEM_GOMP)])
    if (torch.origin === 'pip') {
      const wheel = real(path.join(torchLib, 'libgomp.so.1'))
      expect([...torchFirst].sort()).toEqual([real(SYSTEM_GOMP), wheel].sort())
      const f = torchRt && withMappedRuntimes(inspectBinary(path.join(dir, 'fullpath-gomp.so'))[0], null, mappedRuntimes(torchFirst), torchRt)
      expect(f).toMatchObject({ code: 'two-runtimes', severity: 'warning', extension: { library: real(SYSTEM_GOMP) }, torch: { library: wheel } })
      expect(f?.summary).toContain(`${wheel} (torch's)`)
      expect(f?.fix[0]).toMatch(/by its soname/)
    } else {
      expect(torchFirst).toEqual([real(SYSTEM_GOMP)])
    }
  })

  test('through the harness (torch first, then the workload): the finding follows what it mapped', async () => {
    const workload = path.join(dir, `workload-${torch.origin}.py`)
    fs.writeFileSync(workload, `import ctypes\nlibs = [ctypes.CDLL(${JSON.stringify(path.join(dir, 'fullpath-gomp.so'))}), ctypes.CDLL(${JSON.stringify(path.join(dir, 'gcc-omp.so'))})]\ndef cases():\n    return {"team": lambda: libs[0].team()}\n`)
    const w = new Worker({ python: torch.python, harness: harnessPath(), workload, workdir: dir, threads: 2 })
    const ready = await w.next(180_000)
    await w.close()
    if (ready.op !== 'ready') throw new Error(JSON.stringify(ready))
    const facts: RunnerFacts = ready.facts
    expect(facts.mappedLibraries).toContain(real(path.join(dir, 'fullpath-gomp.so')))
    const evidence = ['fullpath-gomp.so', 'gcc-omp.so'].map(rel => ({ path: rel, images: inspectBinary(path.join(dir, rel)).map(i => ({ format: i.format, arch: i.arch, stripped: i.stripped, openmp: i.openmp })) }))
    const [full, gcc] = addRuntimeFindings(evidence, facts, quiet, dir)
    if (torch.origin === 'pip') {
      expect(full.runtimeFindings?.map(f => f.code)).toEqual(['two-runtimes'])
      expect(full.runtimeFindings?.[0].mapped).toHaveLength(2)
    } else {
      expect(full.runtimeFindings).toBeUndefined()
    }
    // Linked by soname, it shares torch's copy (loaded first), whatever else the process holds.
    expect(gcc.runtimeFindings).toBeUndefined()
  })
})
