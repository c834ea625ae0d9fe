"""Build the bench_kernels benchmark extension (used by bench/measure-bench.mjs).

    /usr/bin/python3 setup.py build_ext --inplace                 # no OpenMP (the silent bug)
    BENCH_OPENMP=1 /usr/bin/python3 setup.py build_ext --inplace  # with OpenMP

Build in a copy outside the repository (measure-bench.mjs does), so that no
build products land in the work tree.
"""
import os

from setuptools import setup
from torch.utils.cpp_extension import BuildExtension, CppExtension

USE_OPENMP = os.environ.get("BENCH_OPENMP", "") == "1"

# -Wno-unknown-pragmas: Python's CFLAGS carry -Wall; keep the no-OpenMP build
# as quiet as the real bug is.
extra_compile_args = ["-O2", "-Wno-unknown-pragmas"]
extra_link_args = []
if USE_OPENMP:
    # Linux gcc (libgomp); the benchmark runs on Linux only.
    extra_compile_args += ["-fopenmp"]
    extra_link_args += ["-fopenmp"]

setup(
    name="bench_kernels",
    version="0.1.0",
    description="Benchmark kernels for thread-scaling-check",
    ext_modules=[
        CppExtension(
            name="bench_kernels",
            sources=["csrc/bench_kernels.cpp"],
            extra_compile_args=extra_compile_args,
            extra_link_args=extra_link_args,
        )
    ],
    cmdclass={"build_ext": BuildExtension},
    zip_safe=False,
)
