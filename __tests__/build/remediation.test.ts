/**
 * The remediation patches: unit cases for setup.py and CMakeLists.txt on
 * every platform, `patch -p1` and `git apply` on the real example, and one
 * real build showing the patched example turn from no OpenMP fork imports
 * into GOMP_parallel.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fixEnvironment, partsToPatch, patchCMakeLists, patchSetupPy } from '../../src/fix/remediation.js'
import { unifiedDiff } from '../../src/fix/unified-diff.js'
import { which } from '../../src/build/compiler-id.js'
import { prepareWrappers } from '../../src/build/wrappers.js'
import { torchPython } from '../../__fixtures__/python.js'
import { freshExample, wrappedBuild, type WrappedBuild } from './wrapped-build.js'

const EXAMPLE = fs.readFileSync('examples/parallel-ext/setup.py', 'utf8')
const CUDA_EXAMPLE = fs.readFileSync('examples/cuda-ext/setup.py', 'utf8')

function tool(name: string): string {
  const p = which(name)
  if (!p) throw new Error(`${name} is not installed: run scripts/setup-debian.sh`)
  return p
}

/** Applies a diff in a scratch repo root holding `file`, with patch -p1 or git apply; returns the result. */
function apply(how: 'patch' | 'git', file: string, before: string, diff: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-apply-'))
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
  fs.writeFileSync(path.join(root, file), before)
  fs.writeFileSync(path.join(root, 'fix.diff'), diff)
  if (how === 'patch') execFileSync(tool('patch'), ['-p1', '--forward', '-i', 'fix.diff'], { cwd: root, stdio: 'pipe' })
  else execFileSync(tool('git'), ['apply', '--verbose', 'fix.diff'], { cwd: root, stdio: 'pipe' })
  return fs.readFileSync(path.join(root, file), 'utf8')
}

describe('patchSetupPy', () => {
  it('merges -fopenmp into the example (a variable holding a list) at compile and link, for gcc', () => {
    const p = patchSetupPy(EXAMPLE, 'linux', 'gcc')
    expect(p).not.toBeNull()
    expect(p?.patched).toContain('extra_compile_args = ["-O2", "-Wno-unknown-pragmas", "-fopenmp"]')
    expect(p?.patched).toContain('extra_link_args = ["-fopenmp"]')
    expect(p?.diff).toMatch(/^--- a\/setup\.py\n\+\+\+ b\/setup\.py\n@@ /)
  })

  it('applies with patch -p1 and with git apply, giving the patched text', () => {
    const p = patchSetupPy(EXAMPLE, 'linux', 'gcc', 'examples/parallel-ext/setup.py')
    if (!p) throw new Error('no patch')
    expect(apply('patch', 'examples/parallel-ext/setup.py', EXAMPLE, p.diff)).toBe(p.patched)
    expect(apply('git', 'examples/parallel-ext/setup.py', EXAMPLE, p.diff)).toBe(p.patched)
  })

  it('adds the keyword arguments when absent, on their own lines in a multi-line call', () => {
    const src = ['from torch.utils.cpp_extension import CppExtension', 'ext = CppExtension(', '    "m._C",', '    ["a.cpp"],', ')', ''].join('\n')
    const p = patchSetupPy(src, 'linux', 'gcc')
    expect(p?.patched).toBe(['from torch.utils.cpp_extension import CppExtension', 'ext = CppExtension(', '    "m._C",', '    ["a.cpp"],', '    extra_compile_args=["-fopenmp"],', '    extra_link_args=["-fopenmp"],', ')', ''].join('\n'))
    const one = patchSetupPy('ext = CppExtension("m", ["a.cpp"])\n', 'linux', 'gcc')
    expect(one?.patched).toBe('ext = CppExtension("m", ["a.cpp"], extra_compile_args=["-fopenmp"], extra_link_args=["-fopenmp"])\n')
  })

  it("appends -fopenmp to a dict's 'cxx' list and -Xcompiler -fopenmp to its 'nvcc' list; adds 'cxx' when missing", () => {
    const src = 'CUDAExtension("m", ["a.cpp", "b.cu"], extra_compile_args={"cxx": ["-O3"], "nvcc": ["-O3"]})\n'
    expect(patchSetupPy(src, 'linux', 'gcc')?.patched).toBe('CUDAExtension("m", ["a.cpp", "b.cu"], extra_compile_args={"cxx": ["-O3", "-fopenmp"], "nvcc": ["-O3", "-Xcompiler", "-fopenmp"]}, extra_link_args=["-fopenmp"])\n')
    const noCxx = 'CppExtension("m", ["a.cpp"], extra_compile_args={"nvcc": []})\n'
    expect(patchSetupPy(noCxx, 'linux', 'gcc')?.patched).toContain('extra_compile_args={"nvcc": [], "cxx": ["-fopenmp"]}')
  })

  it('splits a CUDAExtension list so nvcc never sees a bare -fopenmp', () => {
    const src = 'CUDAExtension("m", ["k.cu"], extra_compile_args=["-O3"])\n'
    expect(patchSetupPy(src, 'linux', 'gcc')?.patched).toContain('extra_compile_args={"cxx": ["-O3", "-fopenmp"], "nvcc": ["-O3", "-Xcompiler", "-fopenmp"]}')
    const none = 'CUDAExtension("m", ["k.cu"])\n'
    expect(patchSetupPy(none, 'linux', 'gcc')?.patched).toBe('CUDAExtension("m", ["k.cu"], extra_compile_args={"cxx": ["-fopenmp"], "nvcc": ["-Xcompiler", "-fopenmp"]}, extra_link_args=["-fopenmp"])\n')
  })

  it("patches only nvcc when only a .cu file lost OpenMP, and leaves a CUDAExtension that has both alone", () => {
    const cxxOnly = 'CUDAExtension("m", ["a.cpp", "k.cu"], extra_compile_args={"cxx": ["-fopenmp"], "nvcc": ["-O2"]}, extra_link_args=["-fopenmp"])\n'
    // -fopenmp in 'cxx' no longer hides the missing nvcc flag.
    expect(patchSetupPy(cxxOnly, 'linux', 'gcc')?.patched).toBe('CUDAExtension("m", ["a.cpp", "k.cu"], extra_compile_args={"cxx": ["-fopenmp"], "nvcc": ["-O2", "-Xcompiler", "-fopenmp"]}, extra_link_args=["-fopenmp"])\n')
    const noNvcc = 'CUDAExtension("m", ["a.cpp", "k.cu"], extra_compile_args={"cxx": ["-O2"]})\n'
    expect(patchSetupPy(noNvcc, 'linux', 'gcc', 'setup.py', { cxx: false, nvcc: true })?.patched).toBe('CUDAExtension("m", ["a.cpp", "k.cu"], extra_compile_args={"cxx": ["-O2"], "nvcc": ["-Xcompiler", "-fopenmp"]}, extra_link_args=["-fopenmp"])\n')
    const both = 'CUDAExtension("m", ["k.cu"], extra_compile_args={"cxx": ["-fopenmp"], "nvcc": ["-Xcompiler", "-fopenmp"]}, extra_link_args=["-fopenmp"])\n'
    expect(patchSetupPy(both, 'linux', 'gcc')).toBeNull()
    expect(partsToPatch([{ family: 'nvcc' }])).toEqual({ cxx: false, nvcc: true })
    expect(partsToPatch([{ family: 'gcc' }, { family: 'nvcc' }])).toEqual({ cxx: true, nvcc: true })
    expect(partsToPatch(null)).toEqual({ cxx: true, nvcc: true })
  })

  it('merges into the lists the cuda-ext example names, and its nvcc list gets -Xcompiler -fopenmp', () => {
    const p = patchSetupPy(CUDA_EXAMPLE, 'linux', 'gcc', 'examples/cuda-ext/setup.py', { cxx: false, nvcc: true })
    expect(p?.patched).toContain('nvcc_args = ["-O2", "-Xcompiler", "-Wno-unknown-pragmas", "-Xcompiler", "-fopenmp"]')
    expect(p?.patched).toContain('link_args = ["-fopenmp"]')
    expect(p?.patched).toContain('cxx_args = ["-O2", "-Wno-unknown-pragmas"]\n')
    expect(p?.note).toMatch(/-Xcompiler", "-fopenmp"/)
    if (!p) throw new Error('no patch')
    expect(apply('git', 'examples/cuda-ext/setup.py', CUDA_EXAMPLE, p.diff)).toBe(p.patched)
  })

  it('wraps a CUDAExtension expression in a helper that gives each compiler its flags', () => {
    const src = 'from setuptools import setup\nsetup(ext_modules=[CUDAExtension("m", ["k.cu"], extra_compile_args=get_args())])\n'
    const p = patchSetupPy(src, 'linux', 'gcc')
    expect(p?.patched).toContain('extra_compile_args=_with_cuda_openmp(get_args(), ["-fopenmp"], ["-Xcompiler", "-fopenmp"])')
    const helper = /def _with_cuda_openmp[\s\S]*?"nvcc": list\(args.get\("nvcc", \[\]\)\) \+ nvcc}\n/.exec(p?.patched ?? '')?.[0] ?? ''
    const out = execFileSync(torchPython(), ['-c', `${helper}\nprint(_with_cuda_openmp(["-O2"], ["-fopenmp"], ["-Xcompiler", "-fopenmp"]))`], { encoding: 'utf8' })
    expect(out.trim()).toBe("{'cxx': ['-O2', '-fopenmp'], 'nvcc': ['-O2', '-Xcompiler', '-fopenmp']}")
  })

  it('wraps any other expression in a helper that handles lists and dicts', () => {
    const src = 'import os\nfrom setuptools import setup\nsetup(ext_modules=[CppExtension("m", ["a.cpp"], extra_compile_args=get_args())])\n'
    const p = patchSetupPy(src, 'linux', 'gcc')
    expect(p?.patched).toContain('extra_compile_args=_with_openmp(get_args(), ["-fopenmp"])')
    expect(p?.patched).toMatch(/^from setuptools import setup\n\ndef _with_openmp\(args, flags\):/m)
    // The helper is valid Python and merges both shapes.
    const py = torchPython()
    const helper = /def _with_openmp[\s\S]*?return list\(args\) \+ flags\n/.exec(p?.patched ?? '')?.[0] ?? ''
    const out = execFileSync(py, ['-c', `${helper}\nprint(_with_openmp(["-O2"], ["-fopenmp"]), _with_openmp({"cxx": ["-O2"], "nvcc": []}, ["-fopenmp"]))`], { encoding: 'utf8' })
    expect(out.trim()).toBe("['-O2', '-fopenmp'] {'cxx': ['-O2', '-fopenmp'], 'nvcc': []}")
  })

  it('gives Apple clang -Xpreprocessor -fopenmp with torch\'s omp.h and libomp.dylib and an rpath', () => {
    const p = patchSetupPy('from setuptools import setup\nCppExtension("m", ["a.cpp"])\n', 'darwin', 'apple-clang')
    expect(p?.patched).toContain('extra_compile_args=["-Xpreprocessor", "-fopenmp", "-I" + os.path.join(_torch_dir, "include")]')
    expect(p?.patched).toContain('extra_link_args=["-L" + os.path.join(_torch_dir, "lib"), "-lomp", "-Wl,-rpath," + os.path.join(_torch_dir, "lib")]')
    expect(p?.patched).toMatch(/^import os\nimport torch\n_torch_dir = os\.path\.dirname\(torch\.__file__\)/m)
    expect(p?.note).toMatch(/OMP Error #15/)
    expect(p?.note).not.toMatch(/KMP_DUPLICATE_LIB_OK/)
  })

  it('gives MSVC /openmp at compile time only', () => {
    expect(patchSetupPy('CppExtension("m", ["a.cpp"])\n', 'win32', 'msvc')?.patched).toBe('CppExtension("m", ["a.cpp"], extra_compile_args=["/openmp"])\n')
  })

  it('returns null when there is no extension or the flags are there', () => {
    expect(patchSetupPy('from setuptools import setup\nsetup(name="x")\n', 'linux', 'gcc')).toBeNull()
    expect(patchSetupPy('CppExtension("m", ["a.cpp"], extra_compile_args=["-fopenmp"])\n', 'linux', 'gcc')).toBeNull()
  })

  it('ignores calls inside comments and strings', () => {
    const src = '# CppExtension("old", [])\nDOC = "CppExtension(x)"\nCppExtension("m", ["a.cpp"])\n'
    const p = patchSetupPy(src, 'linux', 'gcc')
    expect(p?.patched.split('\n').slice(0, 2)).toEqual(['# CppExtension("old", [])', 'DOC = "CppExtension(x)"'])
  })
})

describe('patchCMakeLists', () => {
  const cmake = [
    'cmake_minimum_required(VERSION 3.18)',
    'project(myext LANGUAGES CXX)',
    'find_package(Torch REQUIRED)',
    'add_library(myext SHARED',
    '  src/a.cpp',
    '  src/b.cpp)',
    'target_link_libraries(myext PRIVATE ${TORCH_LIBRARIES})',
    ''
  ].join('\n')

  it('adds find_package(OpenMP) after torch and links OpenMP::OpenMP_CXX with the same signature', () => {
    const p = patchCMakeLists(cmake, 'linux', 'gcc')
    expect(p?.patched).toBe(
      [
        'cmake_minimum_required(VERSION 3.18)',
        'project(myext LANGUAGES CXX)',
        'find_package(Torch REQUIRED)',
        'find_package(OpenMP REQUIRED)',
        'add_library(myext SHARED',
        '  src/a.cpp',
        '  src/b.cpp)',
        'target_link_libraries(myext PRIVATE ${TORCH_LIBRARIES})',
        'target_link_libraries(myext PRIVATE OpenMP::OpenMP_CXX)',
        ''
      ].join('\n')
    )
    expect(apply('git', 'CMakeLists.txt', cmake, p?.diff ?? '')).toBe(p?.patched)
    const plain = patchCMakeLists(cmake.replace('PRIVATE ${TORCH', '${TORCH'), 'linux', 'gcc')
    expect(plain?.patched).toContain('target_link_libraries(myext OpenMP::OpenMP_CXX)')
  })

  it("points FindOpenMP at torch's libomp on macOS, with an rpath", () => {
    const p = patchCMakeLists(cmake, 'darwin', 'apple-clang')
    expect(p?.patched).toContain('set(OpenMP_CXX_FLAGS "-Xpreprocessor -fopenmp -I${TORCH_INSTALL_PREFIX}/include")')
    expect(p?.patched).toContain('set(OpenMP_omp_LIBRARY "${TORCH_INSTALL_PREFIX}/lib/libomp.dylib")')
    expect(p?.patched).toContain('target_link_options(myext PRIVATE "-Wl,-rpath,${TORCH_INSTALL_PREFIX}/lib")')
    expect(p?.patched.indexOf('set(OpenMP_CXX_FLAGS')).toBeLessThan(p?.patched.indexOf('find_package(OpenMP REQUIRED)') ?? 0)
  })

  it('configures with real CMake: the patched project finds OpenMP and links it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-cmake-'))
    const src = ['cmake_minimum_required(VERSION 3.18)', 'project(myext LANGUAGES CXX)', 'add_library(myext SHARED a.cpp)', ''].join('\n')
    fs.writeFileSync(path.join(dir, 'a.cpp'), 'int f(int n){int s=0;\n#pragma omp parallel for reduction(+:s)\nfor(int i=0;i<n;i++)s+=i;return s;}\n')
    const p = patchCMakeLists(src, 'linux', 'gcc')
    fs.writeFileSync(path.join(dir, 'CMakeLists.txt'), p?.patched ?? '')
    // Through the compiler wrappers: CMake reads CC/CXX when it configures.
    const w = prepareWrappers({ outputDir: path.join(dir, 'log'), env: process.env })
    const env = { ...process.env, ...w.env }
    execFileSync(tool('cmake'), ['-S', dir, '-B', path.join(dir, 'b')], { stdio: 'pipe', env })
    execFileSync(tool('cmake'), ['--build', path.join(dir, 'b')], { stdio: 'pipe', env })
    const rec = await w.finish()
    // CMake's compiler checks are recorded but are not the project's TUs.
    expect(rec.invocations.length).toBeGreaterThan(2)
    expect(rec.compileDb.map(e => path.basename(e.file))).toEqual(['a.cpp'])
    expect(rec.compileDb[0].arguments).toContain('-fopenmp')
    expect(rec.links.map(l => path.basename(l.output))).toEqual(['libmyext.so'])
    const so = path.join(dir, 'b', 'libmyext.so')
    expect(execFileSync('nm', ['-D', '--undefined-only', so], { encoding: 'utf8' })).toMatch(/GOMP_parallel/)
    expect(patchCMakeLists(p?.patched ?? '', 'linux', 'gcc')).toBeNull()
  })
})

describe('unifiedDiff', () => {
  it('marks a missing final newline as diff does, and applies with patch', () => {
    const before = 'a\nb\nc'
    const after = 'a\nb\nc\nd\n'
    const d = unifiedDiff('f.txt', before, after)
    expect(d).toBe('--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,4 @@\n a\n b\n-c\n\\ No newline at end of file\n+c\n+d\n')
    expect(apply('patch', 'f.txt', before, d)).toBe(after)
    expect(unifiedDiff('f', 'x\n', 'x\n')).toBe('')
  })
})

describe('fixEnvironment', () => {
  it('appends to the flags already set, per platform', () => {
    expect(fixEnvironment('linux', 'gcc', { env: { CFLAGS: '-O3', NVCC_APPEND_FLAGS: '-lineinfo' } })).toEqual({ CFLAGS: '-O3 -fopenmp', CXXFLAGS: '-fopenmp', LDFLAGS: '-fopenmp', NVCC_APPEND_FLAGS: '-lineinfo -Xcompiler -fopenmp' })
    expect(fixEnvironment('win32', 'msvc')).toEqual({ CL: '/openmp' })
    const mac = fixEnvironment('darwin', 'apple-clang', { torchDir: '/t' })
    expect(mac.CFLAGS).toBe('-Xpreprocessor -fopenmp -I/t/include')
    expect(mac.LDFLAGS).toBe('-L/t/lib -lomp -Wl,-rpath,/t/lib')
  })
})

describe('the patch on a real build of the example', () => {
  let patched: WrappedBuild

  beforeAll(async () => {
    const py = torchPython()
    const dir = freshExample('tsc-remedy-')
    const p = patchSetupPy(fs.readFileSync(path.join(dir, 'setup.py'), 'utf8'), process.platform, 'gcc')
    if (!p) throw new Error('no patch for the example')
    // Applied the way a maintainer would, with patch -p1 from the repository root.
    fs.writeFileSync(path.join(dir, 'fix.diff'), p.diff)
    execFileSync(tool('patch'), ['-p1', '-i', 'fix.diff'], { cwd: dir, stdio: 'pipe' })
    patched = await wrappedBuild(dir, `${py} setup.py build_ext --inplace`, py)
  })

  it('turns a fail (no OpenMP fork imports, built with PARALLEL_EXT_OPENMP unset) into a pass (GOMP_parallel)', () => {
    // The unpatched example built the same way imports no fork entry: audit-builds.test.ts shows it on three builds.
    expect(patched.forkImports).toContain('GOMP_parallel')
    expect(patched.audit.flagged).toEqual([])
    for (const t of patched.audit.tus) expect(t.openmp.enabled).toBe(true)
    expect(patched.audit.links[0].openmpLibraries).toEqual(['libgomp (-fopenmp)'])
  })
})
