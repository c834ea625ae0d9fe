/**
 * Pure parts of the recorder and the audit: command-line reading, record
 * parsing, compile/link classification, the audit on synthetic commands,
 * and the wrapper script itself run by sh with awkward arguments.
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { auditBuild } from '../../src/build/audit.js'
import { classify, isNvccInternal, isProbe, type CompilerInvocation } from '../../src/build/compile-db.js'
import { familyFromName, familyFromVersion } from '../../src/build/compiler-id.js'
import { debugFlags, linkedOpenMP, openmpFlags, optimisation, targetFlags } from '../../src/build/flags.js'
import { prepareWrappers } from '../../src/build/wrappers.js'
import { renderAuditMarkdown } from '../../src/report/audit-summary.js'

describe('flags', () => {
  it('reads every OpenMP spelling, and what enables it for which compiler', () => {
    expect(openmpFlags(['g++', '-fopenmp', '-c', 'a.cpp'], 'gcc')).toEqual({ flags: ['-fopenmp'], enabled: true })
    expect(openmpFlags(['clang++', '-Xpreprocessor', '-fopenmp'], 'apple-clang')).toEqual({ flags: ['-Xpreprocessor -fopenmp'], enabled: true })
    expect(openmpFlags(['clang++', '-Xclang', '-fopenmp'], 'clang')).toEqual({ flags: ['-Xclang -fopenmp'], enabled: true })
    expect(openmpFlags(['clang++', '-fopenmp=libomp'], 'clang').enabled).toBe(true)
    const gomp = openmpFlags(['clang++', '-fopenmp=libgomp'], 'clang')
    expect(gomp.enabled).toBe(false)
    expect(gomp.note).toMatch(/_OPENMP stays undefined/)
    for (const f of ['/openmp', '/openmp:llvm', '-openmp:llvm', '/openmp:experimental']) expect(openmpFlags(['cl', f], 'msvc')).toEqual({ flags: [f], enabled: true })
    expect(openmpFlags(['g++', '-fopenmp', '-fno-openmp'], 'gcc').enabled).toBe(false)
    expect(openmpFlags(['g++', '-fopenmp-simd'], 'gcc')).toEqual({ flags: [], enabled: false })
    // A value of -Xlinker is not a compile flag.
    expect(openmpFlags(['g++', '-Xlinker', '-fopenmp'], 'gcc').enabled).toBe(false)
  })

  it("reads OpenMP as nvcc's host compiler sees it: only what -Xcompiler or --compiler-options pass on", () => {
    const nv = (...a: string[]): string[] => ['/usr/local/cuda/bin/nvcc', '-c', 'k.cu', ...a]
    expect(openmpFlags(nv('-Xcompiler', '-fopenmp'), 'nvcc')).toEqual({ flags: ['-Xcompiler -fopenmp'], enabled: true })
    expect(openmpFlags(nv('-Xcompiler=-fopenmp'), 'nvcc')).toEqual({ flags: ['-Xcompiler=-fopenmp'], enabled: true })
    expect(openmpFlags(nv('--compiler-options', '-fPIC,-fopenmp'), 'nvcc')).toEqual({ flags: ['--compiler-options -fPIC,-fopenmp'], enabled: true })
    expect(openmpFlags(nv('--compiler-options=-fopenmp'), 'nvcc').enabled).toBe(true)
    // torch writes --compiler-options "'-fPIC'": the quotes are the shell's.
    expect(openmpFlags(nv('--compiler-options', "'-fPIC'", '-Xcompiler', "'-fopenmp'"), 'nvcc')).toEqual({ flags: ["-Xcompiler '-fopenmp'"], enabled: true })
    // The C++ flags of a CUDAExtension and -Xcompiler values that aren't OpenMP give nothing.
    expect(openmpFlags(nv('--compiler-options', "'-fPIC'", '-O2', '-Xcompiler', '-Wno-unknown-pragmas'), 'nvcc')).toEqual({ flags: [], enabled: false })
    // The last word wins across passes, as on the host compiler's line.
    expect(openmpFlags(nv('-Xcompiler', '-fopenmp', '-Xcompiler', '-fno-openmp'), 'nvcc').enabled).toBe(false)
    // A clang host compiler under -fopenmp=libgomp drops the pragmas.
    expect(openmpFlags(nv('-ccbin', '/usr/bin/clang++', '-Xcompiler', '-fopenmp=libgomp'), 'nvcc').enabled).toBe(false)
    expect(openmpFlags(nv('-ccbin', '/usr/bin/g++', '-Xcompiler', '-fopenmp=libgomp'), 'nvcc').enabled).toBe(true)
    expect(linkedOpenMP(['nvcc', '-shared', 'a.o', '-Xcompiler', '-fopenmp', '-o', 'm.so'], 'nvcc')).toEqual({ flags: ['-Xcompiler -fopenmp'], libraries: ['libgomp (-fopenmp)'] })
    expect(familyFromVersion('nvcc: NVIDIA (R) Cuda compiler driver\nCuda compilation tools, release 13.0')).toBe('nvcc')
    expect(familyFromName('/usr/local/cuda/bin/nvcc')).toBe('nvcc')
  })

  it('takes the last optimisation level, the target and the debug flags in effect', () => {
    expect(optimisation(['g++', '-O2', '-g', '-O3'])).toBe('-O3')
    expect(optimisation(['g++', '-O'])).toBe('-O1')
    expect(optimisation(['g++'])).toBeNull()
    expect(optimisation(['cl', '/O2'])).toBe('/O2')
    expect(targetFlags(['g++', '-march=x86-64', '-march=native', '-mtune=generic'])).toEqual(['-march=native', '-mtune=generic'])
    expect(targetFlags(['clang++', '-mcpu=apple-m1'])).toEqual(['-mcpu=apple-m1'])
    expect(debugFlags(['g++', '-g', '-g0'])).toEqual([])
    expect(debugFlags(['g++', '-g', '-ggdb3', '-g'])).toEqual(['-g', '-ggdb3'])
  })

  it('names the OpenMP runtime of a link line, implied or explicit', () => {
    expect(linkedOpenMP(['g++', '-shared', 'a.o', '-fopenmp'], 'gcc').libraries).toEqual(['libgomp (-fopenmp)'])
    expect(linkedOpenMP(['clang++', '-shared', 'a.o', '-fopenmp'], 'clang').libraries).toEqual(['libomp (-fopenmp)'])
    expect(linkedOpenMP(['clang++', 'a.o', '-L/t/lib', '-lomp', '-Wl,-rpath,/t/lib'], 'apple-clang').libraries).toEqual(['-lomp'])
    expect(linkedOpenMP(['g++', 'a.o', '-l:libgomp.so.1', '-liomp5', '/opt/homebrew/opt/libomp/lib/libomp.dylib', '-lm'], 'gcc').libraries).toEqual(['-l:libgomp.so.1', '-liomp5', '/opt/homebrew/opt/libomp/lib/libomp.dylib'])
    expect(linkedOpenMP(['g++', 'a.o', '/usr/lib/libtorch_cpu.so'], 'gcc').libraries).toEqual([])
  })

  it('tells compiler families apart', () => {
    expect(familyFromVersion('g++ (Debian 12.2.0-14) 12.2.0')).toBe('gcc')
    expect(familyFromVersion('Debian clang version 14.0.6')).toBe('clang')
    expect(familyFromVersion('Apple clang version 15.0.0 (clang-1500.3.9.4)')).toBe('apple-clang')
    expect(familyFromName('/usr/bin/x86_64-linux-gnu-g++-12', 'linux')).toBe('gcc')
    expect(familyFromName('/usr/bin/c++', 'darwin')).toBe('apple-clang')
  })
})

const inv = (directory: string, args: string[], time = 0): CompilerInvocation => ({ directory, role: 'cxx', arguments: args, time })

describe('classify', () => {
  it('splits compiles (one entry per source) from links, and drops probes', () => {
    const { compiles, links } = classify([
      inv('/p', ['/usr/bin/g++', '-v']),
      inv('/p', ['/usr/bin/g++', '-dumpfullversion', '-dumpversion']),
      inv('/p/build', ['/usr/bin/g++', '-MMD', '-MF', 'a.o.d', '-I/p/csrc', '-c', '/p/csrc/a.cpp', '-o', '/p/build/a.o'], 1),
      inv('/p', ['/usr/bin/g++', '-c', 'b.cpp', 'c.cpp'], 2),
      inv('/p', ['/usr/bin/g++', '-E', 'x.cpp'], 3),
      inv('/p', ['/usr/bin/g++', '-shared', 'build/a.o', 'b.o', 'c.o', '-L/usr/lib', '-ltorch', '/usr/lib/libc10.so', '-o', 'm.so'], 4)
    ])
    expect(compiles.map(c => [c.file, c.output])).toEqual([
      ['/p/csrc/a.cpp', '/p/build/a.o'],
      ['/p/b.cpp', '/p/b.o'],
      ['/p/c.cpp', '/p/c.o']
    ])
    expect(links).toEqual([expect.objectContaining({ output: '/p/m.so', inputs: ['/p/build/a.o', '/p/b.o', '/p/c.o'], libraries: ['-ltorch', '/usr/lib/libc10.so'] })])
  })

  it("recognises CMake's compiler-identification and try_compile projects", () => {
    expect(isProbe({ directory: '/b/CMakeFiles/CMakeScratch/TryCompile-x', output: '/b/o' })).toBe(true)
    expect(isProbe({ directory: '/b/CMakeFiles/3.25.1/CompilerIdCXX', output: '/b/a.out' })).toBe(true)
    expect(isProbe({ directory: '/b', file: '/p/src/a.cpp', output: '/b/CMakeFiles/m.dir/a.o' })).toBe(false)
  })
})

describe('auditBuild on synthetic commands', () => {
  const files: Record<string, string> = {
    '/p/csrc/k.cpp': '#include "k.h"\nvoid f(){ at::parallel_for(0, 10, 1, [](int64_t, int64_t){}); }\n',
    '/p/csrc/k.h': '#pragma once\n#include <ATen/Parallel.h>\n',
    '/p/csrc/h.cpp': '#include "inl.h"\n',
    '/p/csrc/inl.h': 'inline void g(){\n#pragma omp parallel for\nfor(int i=0;i<3;i++){}\n}\n',
    '/p/csrc/plain.cpp': '// at::parallel_for(0, 1, 1, f) in a comment\nint x;\n'
  }
  const compile = (file: string, extra: string[]): ReturnType<typeof classify>['compiles'][number] => ({ directory: '/p', arguments: ['/usr/bin/g++', '-O2', ...extra, '-c', file, '-o', file.replace('.cpp', '.o')], file, output: file.replace('.cpp', '.o'), role: 'cxx', time: 0 })
  const audit = auditBuild({
    compileDb: [compile('/p/csrc/k.cpp', []), compile('/p/csrc/h.cpp', ['-fopenmp']), compile('/p/csrc/plain.cpp', [])],
    links: [{ directory: '/p', arguments: ['/usr/bin/g++', '-shared', 'csrc/k.o', 'csrc/h.o', 'csrc/plain.o', '-o', 'm.so'], output: '/p/m.so', inputs: ['/p/csrc/k.o', '/p/csrc/h.o', '/p/csrc/plain.o'], libraries: [], role: 'cxx', time: 0 }],
    projectDir: '/p',
    readFile: f => files[f] ?? null,
    families: { '/usr/bin/g++': 'gcc' }
  })

  it('follows project headers for includes and parallel code, and flags only the TU without OpenMP', () => {
    expect(audit.flagged.map(t => t.file)).toEqual(['csrc/k.cpp'])
    const k = audit.tus[0]
    expect(k.parallelHeader).toBe('ATen/Parallel.h')
    expect(k.hits.map(h => [h.file, h.construct])).toEqual([['csrc/k.cpp', 'at-parallel']])
    const h = audit.tus[1]
    expect(h.hits.map(x => [x.file, x.line, x.construct])).toEqual([['csrc/inl.h', 2, 'omp-pragma']])
    expect(h.flagged).toBe(false)
    expect(audit.tus[2]).toMatchObject({ flagged: false, hits: [], parallelHeader: null, linkedInto: ['m.so'] })
  })

  it('does not flag at::parallel_for under the native thread-pool backend, but still flags #pragma omp', () => {
    const native = auditBuild({ compileDb: [compile('/p/csrc/k.cpp', []), compile('/p/csrc/h.cpp', [])], links: [], projectDir: '/p', readFile: f => files[f] ?? null, torchBackendIsOpenMP: false })
    expect(native.flagged.map(t => t.file)).toEqual(['csrc/h.cpp'])
  })

  it("flags exactly the .cu TU whose host code uses OpenMP without -Xcompiler -fopenmp, and drops nvcc's own host compiles", () => {
    const cu: Record<string, string> = {
      '/p/k.cu': '__global__ void k(float* x) { x[0] = 1; }\nvoid cpu(float* x, int n) {\n#pragma omp parallel for\n  for (int i = 0; i < n; ++i) x[i] = 1;\n}\n',
      '/p/plain.cu': '__global__ void k(float* x) { x[0] = 1; }\n'
    }
    const nvcc = '/usr/local/cuda/bin/nvcc'
    const inv = (args: string[], role: 'cc' | 'nvcc', time: number): CompilerInvocation => ({ directory: '/p', role, arguments: args, time })
    const { compiles } = classify([
      inv([nvcc, '-MD', '-MF', 'k.o.d', '-c', '-c', '/p/k.cu', '-o', '/p/k.o', '--compiler-options', "'-fPIC'", '-O2', '-gencode=arch=compute_90,code=sm_90', '-ccbin', '/tmp/w/cc/gcc'], 'nvcc', 1),
      inv([nvcc, '-c', '/p/plain.cu', '-o', '/p/plain.o'], 'nvcc', 2),
      inv([nvcc, '-c', '/p/k.cu', '-o', '/p/k2.o', '-Xcompiler', '-fopenmp'], 'nvcc', 3),
      // What nvcc runs through -ccbin: its temporary files, not the project's.
      inv(['/usr/bin/gcc', '-c', '-x', 'c++', '/tmp/tmpxft_00001a2b_00000000-6_k.cudafe1.cpp', '-o', '/p/k.o'], 'cc', 4)
    ])
    expect(compiles.filter(isNvccInternal).map(c => c.file)).toEqual(['/tmp/tmpxft_00001a2b_00000000-6_k.cudafe1.cpp'])
    const a = auditBuild({ compileDb: compiles.filter(c => !isNvccInternal(c)), links: [], projectDir: '/p', readFile: f => cu[f] ?? null, families: { [nvcc]: 'nvcc' } })
    expect(a.tus.map(t => [t.file, t.output, t.family, t.openmp.enabled, t.flagged])).toEqual([
      ['k.cu', '/p/k.o', 'nvcc', false, true],
      ['plain.cu', '/p/plain.o', 'nvcc', false, false],
      ['k.cu', '/p/k2.o', 'nvcc', true, false]
    ])
    expect(a.flagged[0].hits.map(h => [h.file, h.line, h.construct])).toEqual([['k.cu', 3, 'omp-pragma']])
  })

  it('escapes user strings in the Markdown table', () => {
    const evil = auditBuild({ compileDb: [compile('/p/csrc/a|b_`x`.cpp', [])], links: [], projectDir: '/p', readFile: () => '#pragma omp parallel\n' })
    expect(renderAuditMarkdown(evil)).toContain('`csrc/a\\|b\\_\\`x\\`.cpp`')
  })
})

describe('the wrapper script', () => {
  it('records awkward arguments exactly and runs the real compiler with them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-wrap-'))
    // A fake compiler that writes its arguments, NUL-separated, where it is told.
    const fake = path.join(dir, 'g++')
    fs.writeFileSync(fake, `#!/bin/sh\nprintf '%s\\0' "$@" > "${dir}/got"\n`, { mode: 0o755 })
    const w = prepareWrappers({ outputDir: path.join(dir, 'out'), env: { ...process.env, CXX: `${fake} -m64`, CC: fake }, tempDir: dir })
    const args = ['-DMSG="a b"', "-DQ='x'", '-Dnl=a\nb', '-D$HOME', '-c', 'dir with space/a.cpp', '-o', 'a.o']
    execFileSync(w.env.CXX, args, { cwd: dir, env: { ...process.env, ...w.env } })
    expect(fs.readFileSync(path.join(dir, 'got'), 'utf8').split('\0').slice(0, -1)).toEqual(['-m64', ...args])
    const rec = await w.finish()
    expect(rec.invocations).toHaveLength(1)
    expect(rec.invocations[0]).toMatchObject({ directory: dir, role: 'cxx', arguments: [fake, '-m64', ...args] })
    expect(rec.compileDb[0]).toMatchObject({ file: path.join(dir, 'dir with space/a.cpp'), output: path.join(dir, 'a.o') })
    const line = JSON.parse(fs.readFileSync(rec.files.invocations, 'utf8').trim()) as { cwd: string; argv: string[]; compiler: string; timestamp: string }
    expect(line).toMatchObject({ cwd: dir, argv: [fake, '-m64', ...args], compiler: 'cxx' })
    expect(Number.isNaN(Date.parse(line.timestamp))).toBe(false)
    // The wrappers are gone after finish(); the compile database stays.
    expect(fs.existsSync(w.env.CXX)).toBe(false)
    expect(fs.existsSync(rec.files.compileCommands)).toBe(true)
  })

  it('records nvcc through a stand-in CUDA_HOME (setuptools, ninja) and PYTORCH_NVCC, with NVCC_APPEND_FLAGS', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-wrap-nvcc-'))
    const cuda = path.join(dir, 'cuda')
    fs.mkdirSync(path.join(cuda, 'bin'), { recursive: true })
    fs.mkdirSync(path.join(cuda, 'include'))
    fs.writeFileSync(path.join(cuda, 'include', 'cuda_runtime.h'), '// header\n')
    fs.writeFileSync(path.join(cuda, 'bin', 'ptxas'), '#!/bin/sh\n', { mode: 0o755 })
    fs.writeFileSync(path.join(cuda, 'bin', 'nvcc'), `#!/bin/sh\nprintf '%s\\0' "$@" > "${dir}/got"\n`, { mode: 0o755 })
    const base = { ...process.env, CUDA_HOME: cuda, PYTORCH_NVCC: '' }
    const w = prepareWrappers({ outputDir: path.join(dir, 'out'), env: base, tempDir: dir })
    expect(w.compilers.nvcc).toBe(path.join(cuda, 'bin', 'nvcc'))
    const home = w.env.CUDA_HOME
    expect(home).not.toBe(cuda)
    expect(w.env.CUDA_PATH).toBe(home)
    // The rest of the CUDA folder is there through links.
    expect(fs.readFileSync(path.join(home, 'include', 'cuda_runtime.h'), 'utf8')).toBe('// header\n')
    expect(fs.existsSync(path.join(home, 'bin', 'ptxas'))).toBe(true)
    const args = ['-c', 'k.cu', '-o', 'k.o', '-Xcompiler', '-fopenmp']
    execFileSync(path.join(home, 'bin', 'nvcc'), args, { cwd: dir, env: { ...base, ...w.env, NVCC_APPEND_FLAGS: '-Xcompiler -fPIC' } })
    execFileSync(w.env.CUDACXX, ['-c', 'b.cu', '-o', 'b.o'], { cwd: dir, env: { ...base, ...w.env } })
    // The real nvcc got exactly its arguments (it reads NVCC_APPEND_FLAGS itself).
    expect(fs.readFileSync(path.join(dir, 'got'), 'utf8').split('\0').slice(0, -1)).toEqual(['-c', 'b.cu', '-o', 'b.o'])
    const rec = await w.finish()
    expect(rec.compileDb.map(c => [c.role, path.basename(c.file), c.arguments])).toEqual([
      ['nvcc', 'k.cu', [path.join(cuda, 'bin', 'nvcc'), ...args, '-Xcompiler', '-fPIC']],
      ['nvcc', 'b.cu', [path.join(cuda, 'bin', 'nvcc'), '-c', 'b.cu', '-o', 'b.o']]
    ])
    expect(rec.compilers[path.join(cuda, 'bin', 'nvcc')]).toBeDefined()

    // torch's ninja builds run PYTORCH_NVCC when it is set: it is wrapped too, its ccache kept.
    const p = prepareWrappers({ outputDir: path.join(dir, 'out2'), env: { ...base, PYTORCH_NVCC: `ccache ${path.join(cuda, 'bin', 'nvcc')}` }, tempDir: dir })
    expect(p.env.PYTORCH_NVCC).toMatch(/tsc-wrappers-.*\/nvcc$/)
    expect(fs.readFileSync(p.env.PYTORCH_NVCC, 'utf8')).toMatch(/exec '[^']*ccache' '[^']*\/cuda\/bin\/nvcc' /)
    await p.finish()
    // No CUDA anywhere: no nvcc wrapper, and no CUDA variables.
    const none = prepareWrappers({ outputDir: path.join(dir, 'out3'), env: { PATH: process.env.PATH?.split(':').filter(d => !d.includes('cuda')).join(':'), CUDA_HOME: path.join(dir, 'nowhere') }, tempDir: dir })
    expect(none.env.CUDA_HOME).toBeUndefined()
    expect(none.compilers.nvcc).toBeNull()
    await none.finish()
  })

  it('fails with a setup error naming the variable when the compiler does not exist', () => {
    expect(() => prepareWrappers({ outputDir: os.tmpdir(), env: { PATH: '/nonexistent', CXX: 'nope++', CC: 'nope' } })).toThrow(/^CC: no compiler 'nope' on PATH/)
  })
})
