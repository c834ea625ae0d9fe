import { patchCMakeText, type CMakeHints } from './cmake-patch.js'
import { patchSetupPyText, type PatchParts, type PythonFlags } from './setup-py-patch.js'
import { unifiedDiff } from './unified-diff.js'

/** The compile and link flags that put OpenMP into a torch extension, per platform and compiler. */
export interface Fix {
  platform: string
  compileArgs: string[]
  linkArgs: string[]
  /** setup.py lines to paste into the CppExtension(...) call. */
  setupPy: string
  note: string
}

/** Picks the fix for the runner: process.platform plus the compiler the build used, when known. */
export function openmpFix(platform: string, compiler: FixCompiler = 'unknown'): Fix {
  if (platform === 'darwin' || compiler === 'apple-clang') {
    return {
      platform: 'macOS (Apple clang)',
      compileArgs: ['-Xpreprocessor', '-fopenmp', '-I<torch>/include'],
      linkArgs: ['-L<torch>/lib', '-lomp', '-Wl,-rpath,<torch>/lib'],
      setupPy: [
        'import os, torch',
        "torch_dir = os.path.dirname(torch.__file__)",
        "extra_compile_args={'cxx': ['-Xpreprocessor', '-fopenmp', '-I' + os.path.join(torch_dir, 'include')]},",
        "extra_link_args=['-L' + os.path.join(torch_dir, 'lib'), '-lomp', '-Wl,-rpath,' + os.path.join(torch_dir, 'lib')],"
      ].join('\n'),
      note: "Apple clang rejects plain -fopenmp. Link torch's bundled libomp.dylib, not Homebrew's: a second libomp in the process aborts with OMP Error #15."
    }
  }
  if (platform === 'win32' || compiler === 'msvc') {
    return {
      platform: 'Windows (MSVC)',
      compileArgs: ['/openmp'],
      linkArgs: [],
      setupPy: "extra_compile_args={'cxx': ['/openmp']},",
      note: "Use '/openmp:llvm' for OpenMP 3+ features; it links libomp140 instead of vcomp140."
    }
  }
  if (compiler === 'clang') {
    return {
      platform: 'Linux (clang)',
      compileArgs: ['-fopenmp'],
      linkArgs: ['-fopenmp'],
      setupPy: "extra_compile_args={'cxx': ['-fopenmp']},\nextra_link_args=['-fopenmp'],",
      note: "clang links LLVM's libomp while torch on Linux uses GNU libgomp: two runtimes, and torch.set_num_threads() sizes only torch's. '-fopenmp=libgomp' is no way out: clang then leaves _OPENMP undefined and builds serial. Build with gcc to share torch's libgomp."
    }
  }
  return {
    platform: 'Linux (gcc)',
    compileArgs: ['-fopenmp'],
    linkArgs: ['-fopenmp'],
    setupPy: "extra_compile_args={'cxx': ['-fopenmp']},\nextra_link_args=['-fopenmp'],",
    note: 'The flag is needed at compile time (it defines _OPENMP, which enables the parallel path of at::parallel_for) and at link time (it links libgomp).'
  }
}

/** The compiler the build used, for picking flags: Apple clang and clang on Linux differ. */
export type FixCompiler = 'gcc' | 'clang' | 'apple-clang' | 'msvc' | 'unknown'

type FixKind = 'gcc' | 'clang' | 'apple' | 'msvc'

function kind(platform: string, compiler: FixCompiler): FixKind {
  if (platform === 'darwin' || compiler === 'apple-clang') return 'apple'
  if (platform === 'win32' || compiler === 'msvc') return 'msvc'
  return compiler === 'clang' ? 'clang' : 'gcc'
}

const TORCH_DIR_PY = ['_torch_dir = os.path.dirname(torch.__file__)  # thread-scaling-check: torch ships libomp.dylib in lib/ and omp.h in include/']

/** The flags of openmpFix() as Python expressions for setup.py. */
export function pythonFlags(platform: string, compiler: FixCompiler): PythonFlags {
  switch (kind(platform, compiler)) {
    case 'apple':
      return {
        compile: ['"-Xpreprocessor"', '"-fopenmp"', '"-I" + os.path.join(_torch_dir, "include")'],
        link: ['"-L" + os.path.join(_torch_dir, "lib")', '"-lomp"', '"-Wl,-rpath," + os.path.join(_torch_dir, "lib")'],
        imports: ['os', 'torch'],
        preamble: TORCH_DIR_PY
      }
    case 'msvc':
      return { compile: ['"/openmp"'], link: [], imports: [], preamble: [] }
    default:
      // nvcc has no -fopenmp of its own: it hands the flag to the host compiler with -Xcompiler.
      return { compile: ['"-fopenmp"'], nvcc: ['"-Xcompiler"', '"-fopenmp"'], link: ['"-fopenmp"'], imports: [], preamble: [] }
  }
}

export interface BuildFilePatch {
  /** Unified diff, a/ and b/ prefixed: applies with `patch -p1` and `git apply` from the repository root. */
  diff: string
  /** The file's text after the patch. */
  patched: string
  /** What the patch does and what to watch, for the summary. */
  note: string
}

/**
 * Adds OpenMP flags for the platform to each extension in a setup.py:
 * extra_compile_args (a list, or the 'cxx' entry of a dict) and
 * extra_link_args, merged with what is there. Null when there is nothing
 * to change (no extension call, or the flags are already passed).
 * `file` is the path relative to the repository root, for the diff headers.
 */
export function patchSetupPy(text: string, platform: string, compiler: FixCompiler, file = 'setup.py', parts: PatchParts = { cxx: true, nvcc: true }): BuildFilePatch | null {
  const flags = pythonFlags(platform, compiler)
  const patched = patchSetupPyText(text, flags, parts)
  if (patched === null) return null
  const cuda = (flags.nvcc ?? []).length > 0 && parts.nvcc && /\bCUDAExtension\s*\(/.test(text)
  const nvccNote = cuda ? ` For .cu files, nvcc gets "-Xcompiler", "-fopenmp" in extra_compile_args["nvcc"]: host code in a .cu file is compiled by nvcc's host compiler, which the "cxx" flags never reach.` : ''
  return { diff: unifiedDiff(file, text, patched), patched, note: patchNote(platform, compiler) + nvccNote }
}

/**
 * Which compilers of a CUDA extension the patch should give OpenMP, from the
 * build's audit: 'nvcc' when a TU nvcc compiled (.cu) lost it, 'cxx' when a
 * C++ TU did. Without an audit, both.
 */
export function partsToPatch(flagged: readonly { family: string }[] | null): PatchParts {
  if (flagged === null || flagged.length === 0) return { cxx: true, nvcc: true }
  return { cxx: flagged.some(t => t.family !== 'nvcc'), nvcc: flagged.some(t => t.family === 'nvcc') }
}

function cmakeHints(platform: string, compiler: FixCompiler): CMakeHints {
  switch (kind(platform, compiler)) {
    case 'apple':
      return {
        before: [
          '# thread-scaling-check: Apple clang takes -Xpreprocessor -fopenmp, and the extension must use',
          "# torch's own libomp.dylib (a second libomp in the process aborts with OMP Error #15).",
          'if(APPLE)',
          '  if(NOT TORCH_INSTALL_PREFIX)',
          '    execute_process(COMMAND python3 -c "import os, torch; print(os.path.dirname(torch.__file__), end=\'\')" OUTPUT_VARIABLE TORCH_INSTALL_PREFIX)',
          '  endif()',
          '  set(OpenMP_CXX_FLAGS "-Xpreprocessor -fopenmp -I${TORCH_INSTALL_PREFIX}/include")',
          '  set(OpenMP_CXX_LIB_NAMES "omp")',
          '  set(OpenMP_omp_LIBRARY "${TORCH_INSTALL_PREFIX}/lib/libomp.dylib")',
          'endif()'
        ],
        after: ['if(APPLE)', '  target_link_options(<target> PRIVATE "-Wl,-rpath,${TORCH_INSTALL_PREFIX}/lib")', 'endif()']
      }
    case 'msvc':
      return { before: ['# thread-scaling-check: FindOpenMP gives MSVC /openmp; set(OpenMP_RUNTIME_MSVC llvm) (CMake 3.30+) selects -openmp:llvm.'], after: [] }
    default:
      return { before: [], after: [] }
  }
}

/** find_package(OpenMP REQUIRED) and target_link_libraries(<target> PRIVATE OpenMP::OpenMP_CXX); null when already there or no target. */
export function patchCMakeLists(text: string, platform: string, compiler: FixCompiler, file = 'CMakeLists.txt'): BuildFilePatch | null {
  const patched = patchCMakeText(text, cmakeHints(platform, compiler))
  if (patched === null) return null
  return { diff: unifiedDiff(file, text, patched), patched, note: patchNote(platform, compiler) }
}

function patchNote(platform: string, compiler: FixCompiler): string {
  switch (kind(platform, compiler)) {
    case 'apple':
      return "Apple clang: -Xpreprocessor -fopenmp with torch's omp.h (torch/include) and torch's libomp.dylib (torch/lib, with an rpath). Don't link Homebrew's libomp: a second libomp aborts the process with OMP Error #15."
    case 'msvc':
      return "MSVC: /openmp (vcomp140). Use -openmp:llvm instead for OpenMP 3+ features (it links libomp140)."
    case 'clang':
      return "clang on Linux: -fopenmp links LLVM's libomp, a second OpenMP runtime next to torch's libgomp (two thread pools; torch.set_num_threads() sizes only torch's). -fopenmp=libgomp does not share torch's runtime: clang then leaves _OPENMP undefined and drops every '#pragma omp'. To share torch's libgomp, build with gcc (CC=gcc CXX=g++)."
    default:
      return 'gcc: -fopenmp at compile time (it defines _OPENMP, which turns on the parallel path of at::parallel_for) and at link time (it links libgomp, the runtime torch uses). The patch targets this runner; guard it with sys.platform if the project also builds on macOS or Windows.'
  }
}

/**
 * Variables that add the OpenMP flags to a build for this run only, without
 * editing files. setuptools appends CFLAGS to every compile (ninja included:
 * BuildExtension copies the compiler's flags into build.ninja) and CFLAGS
 * and LDFLAGS to every link; CMake reads CFLAGS, CXXFLAGS and LDFLAGS when
 * it configures. MSVC's cl reads CL. nvcc reads NVCC_APPEND_FLAGS, the only
 * way the run-only fix reaches host code in .cu files. Values already in `env` are kept, the
 * flags appended. `torchDir` (torch's package folder) is needed on macOS.
 */
export function fixEnvironment(platform: string, compiler: FixCompiler, opts: { env?: NodeJS.ProcessEnv; torchDir?: string } = {}): Record<string, string> {
  const env = opts.env ?? {}
  const add = (name: string, flags: string[]): [string, string] => [name, [env[name]?.trim(), ...flags].filter(Boolean).join(' ')]
  switch (kind(platform, compiler)) {
    case 'apple': {
      const torch = opts.torchDir ?? '<torch>'
      const compile = ['-Xpreprocessor', '-fopenmp', `-I${torch}/include`]
      return Object.fromEntries([add('CFLAGS', compile), add('CXXFLAGS', compile), add('LDFLAGS', [`-L${torch}/lib`, '-lomp', `-Wl,-rpath,${torch}/lib`])])
    }
    case 'msvc':
      return Object.fromEntries([add('CL', ['/openmp'])])
    default:
      // nvcc reads NVCC_APPEND_FLAGS itself: -Xcompiler -fopenmp reaches the host code of .cu files, which CFLAGS never do.
      return Object.fromEntries([add('CFLAGS', ['-fopenmp']), add('CXXFLAGS', ['-fopenmp']), add('LDFLAGS', ['-fopenmp']), add('NVCC_APPEND_FLAGS', ['-Xcompiler', '-fopenmp'])])
  }
}
