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
export function openmpFix(platform: string, compiler: 'gcc' | 'clang' | 'msvc' | 'unknown' = 'unknown'): Fix {
  if (platform === 'darwin') {
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
      note: "clang links LLVM's libomp while torch on Linux uses GNU libgomp; add '-fopenmp=libgomp' to share torch's runtime and its thread settings."
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
