import * as fs from 'node:fs'
import * as path from 'node:path'

/** A project with two extensions: twoext.alpha (two sources, parallel code) and twoext.beta (serial). */
export function writeTwoExtensions(dir: string): void {
  fs.mkdirSync(path.join(dir, 'src', 'common'), { recursive: true })
  fs.mkdirSync(path.join(dir, 'twoext'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'twoext', '__init__.py'), '')
  // alpha's parallel loop sits in a header only alpha includes; beta is serial by design.
  fs.writeFileSync(
    path.join(dir, 'src', 'common', 'rows.h'),
    `#pragma once
#include <ATen/Parallel.h>
inline void scale_rows(float* x, int64_t n) {
  at::parallel_for(0, n, 1024, [&](int64_t b, int64_t e) { for (int64_t i = b; i < e; ++i) x[i] *= 2.0f; });
}
`
  )
  fs.writeFileSync(path.join(dir, 'src', 'alpha.cpp'), '#include "common/rows.h"\nvoid alpha(float* x, int64_t n) { scale_rows(x, n); }\n')
  fs.writeFileSync(path.join(dir, 'src', 'alpha_extra.cpp'), 'int alpha_extra(int a) {\n#pragma omp parallel for\n  for (int i = 0; i < a; i++) {}\n  return a;\n}\n')
  fs.writeFileSync(path.join(dir, 'src', 'beta.cpp'), 'int beta(int a) { return a + 1; }\n')
  fs.writeFileSync(
    path.join(dir, 'setup.py'),
    `from setuptools import setup
from torch.utils.cpp_extension import BuildExtension, CppExtension
setup(
    name="twoext",
    ext_modules=[
        CppExtension("twoext.alpha", ["src/alpha.cpp", "src/alpha_extra.cpp"], extra_compile_args=["-Wno-unknown-pragmas"]),
        CppExtension("twoext.beta", ["src/beta.cpp"]),
    ],
    cmdclass={"build_ext": BuildExtension},
)
`
  )
}
