/**
 * Two OpenMP runtimes in one process. The extension side is always a real
 * fixture read by inspectBinary; torch's side is a real torch of the test matrix, Debian's 1.13 and pip's 2.13 (its
 * libraries as the harness reports them), or a torch built like the PyPI wheels, whose
 * runtime is read from a fixture that links what their libtorch_cpu links.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { inspectBinary } from '../../src/inspect/inspect-binary.js'
import { isTorchCpu, torchLibrariesFrom, torchRuntime } from '../../src/inspect/torch-libs.js'
import { Worker } from '../../src/measure/worker.js'
import { harnessPath } from '../../src/paths.js'
import { compareRuntimes, type RuntimeFinding, type TorchRuntime } from '../../src/inspect/two-runtimes.js'
import { torches } from '../../__fixtures__/torches.js'

const FIX = path.resolve('__fixtures__/binaries')
const image = (rel: string, slice = 0): ReturnType<typeof inspectBinary>[number] => inspectBinary(path.join(FIX, rel))[slice]

/** A torch whose libtorch_cpu links what the given fixture links. */
function torchLike(rel: string, libDir: string): TorchRuntime {
  const i = image(rel)
  return { library: path.join(libDir, 'libtorch_cpu.so'), format: i.format, runtimes: i.openmp.runtimes, libDir }
}

/** No fix may tell the user to set KMP_DUPLICATE_LIB_OK. */
function expectNoDuplicateLibOk(f: RuntimeFinding): void {
  for (const line of f.fix) expect(line).not.toMatch(/KMP_DUPLICATE_LIB_OK/)
}

// Real torches, both of the test matrix: Debian's 1.13 links the system's libgomp.so.1; pip's 2.13 wheel
// links libgomp.so.1 too, the copy it bundles in torch/lib, under the same soname.
describe.each(torches())('$name (real: libtorch_cpu linking libgomp.so.1)', torch => {
  let real: TorchRuntime | null = null
  let libs: string[] = []

  beforeAll(async () => {
    // The real harness, with no workload: the facts the pipeline uses.
    const w = new Worker({ python: torch.python, harness: harnessPath(), workload: null, workdir: os.tmpdir(), threads: 1 })
    const ready = await w.next(180_000)
    await w.close()
    if (ready.op !== 'ready' || ready.facts.torchLibDir === undefined) throw new Error(`harness gave no torch libraries: ${JSON.stringify(ready)}`)
    libs = torchLibrariesFrom({ lib: ready.facts.torchLibDir, loaded: ready.facts.torchCpuLoaded ?? [] })
    real = torchRuntime(libs)
  })

  test('the harness facts list torch/lib, libtorch_cpu among it', () => {
    expect(libs.length).toBeGreaterThan(0)
    expect(libs.every(l => path.isAbsolute(l) && fs.existsSync(l))).toBe(true)
    expect(libs.filter(isTorchCpu).map(l => path.basename(path.dirname(l)))).toEqual(['lib'])
  })

  test("torchRuntime reads libtorch_cpu: GNU's libgomp.so.1", () => {
    expect(real).toMatchObject({ format: 'elf', runtimes: [{ library: 'libgomp.so.1', family: 'gnu' }] })
    expect(real?.libDir).toMatch(/torch\/lib$/)
  })

  test('gcc -fopenmp links the same libgomp: no finding', () => {
    expect(compareRuntimes(image('elf/gcc-omp.so'), real)).toBeNull()
  })

  test('clang -fopenmp brings libomp.so.5: two runtimes, two thread pools, build with g++', () => {
    const f = compareRuntimes(image('elf/clang-omp.so'), real)
    expect(f).toMatchObject({ code: 'two-runtimes', severity: 'warning', extension: { library: 'libomp.so.5', family: 'llvm' }, torch: { library: 'libgomp.so.1', family: 'gnu' } })
    expect(f?.effect).toMatch(/torch\.set_num_threads\(\) sizes only torch's/)
    expect(f?.fix[0]).toMatch(/g\+\+/)
    // The fix must not send the user to -fopenmp=libgomp, which builds a serial extension.
    expect(f?.fix.join('\n')).toMatch(/-fopenmp=libgomp makes clang drop every '#pragma omp'/)
    if (f) expectNoDuplicateLibOk(f)
  })

  test('OpenMP imports without a linked runtime resolve to torch\'s libgomp: no finding', () => {
    expect(compareRuntimes(image('elf/gcc-omp-unlinked.so'), real)).toBeNull()
  })

  test('__kmpc_* imports without a runtime: libgomp has none of them, the import fails', () => {
    const f = compareRuntimes(image('elf/clang-omp-unlinked.so'), real)
    expect(f).toMatchObject({ code: 'missing-runtime', severity: 'error', extension: null })
    expect(f?.effect).toMatch(/undefined symbol: __kmpc_fork_call/)
  })

  test('weak evidence (libgomp linked, never called) and a serial build: no finding', () => {
    expect(compareRuntimes(image('elf/weak-gcc-no-as-needed.so'), real)).toBeNull()
    expect(compareRuntimes(image('elf/weak-clang-fopenmp-libgomp.so'), real)).toBeNull()
    expect(compareRuntimes(image('elf/gcc-noomp.so'), real)).toBeNull()
  })
})

describe('a PyPI-style torch on Linux (libtorch_cpu links a renamed libgomp-<hash>.so.1)', () => {
  const pypi = torchLike('elf/torch-bundled-gomp.so', '/venv/lib/python3.12/site-packages/torch/lib')

  test('the system libgomp next to the bundled copy: two runtimes; link torch\'s copy or none', () => {
    const f = compareRuntimes(image('elf/gcc-omp.so'), pypi)
    expect(f).toMatchObject({ code: 'two-runtimes', severity: 'warning', extension: { library: 'libgomp.so.1', family: 'gnu' }, torch: { library: 'libgomp-a34b3233.so.1', family: 'torch-bundled-gnu' } })
    const fix = f?.fix.join('\n') ?? ''
    expect(fix).toMatch(/leave it \(and -lgomp\) off the link line/)
    expect(fix).toContain('-L/venv/lib/python3.12/site-packages/torch/lib -l:libgomp-a34b3233.so.1')
    expect(fix).not.toMatch(/g\+\+/) // already gcc
  })

  test('compiled with -fopenmp, linked without: resolves to the bundled copy, no finding', () => {
    expect(compareRuntimes(image('elf/gcc-omp-unlinked.so'), pypi)).toBeNull()
  })

  test('an aarch64 gcc build meets the same finding', () => {
    expect(compareRuntimes(image('elf/aarch64-gomp.so'), pypi)?.code).toBe('two-runtimes')
  })
})

describe('a macOS torch wheel (libtorch_cpu.dylib links @rpath/libomp.dylib from torch/lib)', () => {
  const mac: TorchRuntime = { library: '/venv/torch/lib/libtorch_cpu.dylib', format: 'macho', runtimes: [{ library: '@rpath/libomp.dylib', family: 'llvm' }], libDir: '/venv/torch/lib' }

  test("Homebrew's libomp is a second libomp: OMP Error #15 at start-up, link torch's instead", () => {
    const f = compareRuntimes(image('macho/omp-homebrew-arm64.so'), mac)
    expect(f).toMatchObject({ code: 'duplicate-libomp', severity: 'error', extension: { library: '/opt/homebrew/opt/libomp/lib/libomp.dylib' } })
    expect(f?.effect).toMatch(/OMP: Error #15: Initializing libomp\.dylib, but found libomp\.dylib already initialized/)
    expect(f?.fix[0]).toContain('-L/venv/torch/lib -lomp -Wl,-rpath,/venv/torch/lib')
    if (f) expectNoDuplicateLibOk(f)
  })

  test.each(['macho/omp-arm64.so', 'macho/omp-arm64-chained.so', 'macho/omp-dynamic-lookup-arm64.so', 'macho/omp-x86_64-classic.so'])('%s uses torch\'s libomp: no finding', rel => {
    expect(compareRuntimes(image(rel), mac)).toBeNull()
  })

  test('each slice of a universal file is compared on its own', () => {
    expect(inspectBinary(path.join(FIX, 'macho/fat.so')).map(i => compareRuntimes(i, mac))).toEqual([null, null])
  })
})

describe('no runtime on torch\'s side', () => {
  test('torch not found, or built with the native thread pool (links no OpenMP runtime): no finding', () => {
    expect(compareRuntimes(image('elf/clang-omp.so'), null)).toBeNull()
    expect(compareRuntimes(image('elf/clang-omp.so'), { library: '/t/lib/libtorch_cpu.so', format: 'elf', runtimes: [], libDir: '/t/lib' })).toBeNull()
  })

  test('an LLVM extension next to an Intel-runtime torch: both of the libomp family, an abort', () => {
    const intel: TorchRuntime = { library: '/conda/lib/libtorch_cpu.so', format: 'elf', runtimes: [{ library: 'libiomp5.so', family: 'intel' }], libDir: null }
    expect(compareRuntimes(image('elf/clang-omp.so'), intel)).toMatchObject({ code: 'duplicate-libomp', severity: 'error' })
    const gnu = compareRuntimes(image('elf/gcc-omp.so'), intel)
    expect(gnu).toMatchObject({ code: 'two-runtimes' })
    expect(gnu?.fix[0]).toMatch(/-l:libiomp5\.so/)
  })
})

describe('torchLibrariesFrom without torch/lib holding libtorch_cpu', () => {
  let dir = ''
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-libs-'))
  })
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  test('falls back to the libtorch_cpu the import mapped (/proc/self/maps)', () => {
    const lib = path.join(dir, 'torch', 'lib')
    fs.mkdirSync(lib, { recursive: true })
    fs.writeFileSync(path.join(lib, 'libc10.so'), '')
    fs.writeFileSync(path.join(lib, 'README.txt'), '')
    const mapped = '/usr/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13.0'
    expect(torchLibrariesFrom({ lib, loaded: [mapped] })).toEqual([path.join(lib, 'libc10.so'), mapped])
  })
})
