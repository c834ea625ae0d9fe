"""Build the parallel_ext demo extension.

    /usr/bin/python3 setup.py build_ext --inplace                       # no OpenMP (the silent bug)
    PARALLEL_EXT_OPENMP=1 /usr/bin/python3 setup.py build_ext --inplace  # with OpenMP

CC / CXX from the environment are honoured (by setuptools), e.g.
CC=clang CXX=clang++ PARALLEL_EXT_OPENMP=1 ...
"""
import os
import sys

from setuptools import setup
from torch.utils.cpp_extension import BuildExtension, CppExtension

HERE = os.path.dirname(os.path.abspath(__file__))
USE_OPENMP = os.environ.get("PARALLEL_EXT_OPENMP", "") == "1"

SOURCES = [
    "csrc/bindings.cpp",
    "csrc/elementwise.cpp",
    "csrc/reduce.cpp",
    "csrc/omp_loop.cpp",
]

# Python's own CFLAGS carry -Wall, which would make the ignored
# `#pragma omp` in csrc/omp_loop.cpp warn (-Wunknown-pragmas) without
# OpenMP. The demo reproduces the *silent* bug, so keep the build quiet.
extra_compile_args = ["-O2", "-Wno-unknown-pragmas"]
extra_link_args = []

if USE_OPENMP:
    if sys.platform == "darwin":
        # Apple clang has no -fopenmp driver flag: preprocess the pragmas and
        # link the libomp shipped in torch/lib.
        import torch

        torch_lib = os.path.join(os.path.dirname(torch.__file__), "lib")
        extra_compile_args += ["-Xpreprocessor", "-fopenmp"]
        extra_link_args += ["-L" + torch_lib, "-lomp", "-Wl,-rpath," + torch_lib]
    else:
        # gcc (libgomp) and clang on Linux (libomp) both take -fopenmp.
        extra_compile_args += ["-fopenmp"]
        extra_link_args += ["-fopenmp"]

setup(
    name="parallel_ext",
    version="0.1.0",
    description="Demo/test fixture for thread-scaling-check",
    ext_modules=[
        CppExtension(
            name="parallel_ext",
            sources=SOURCES,
            extra_compile_args=extra_compile_args,
            extra_link_args=extra_link_args,
        )
    ],
    cmdclass={"build_ext": BuildExtension},
    zip_safe=False,
)
