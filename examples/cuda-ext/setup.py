"""Build the cuda_ext demo extension: a .cu file (CUDA kernel plus an OpenMP
CPU path) and a .cpp file (at::parallel_for), as one CUDAExtension.

CUDA_EXT_OPENMP picks the OpenMP flags:

    python setup.py build_ext --inplace                        # none: both paths serial
    CUDA_EXT_OPENMP=cxx python setup.py build_ext --inplace    # -fopenmp for C++ only: the .cu's pragma is lost
    CUDA_EXT_OPENMP=all python setup.py build_ext --inplace    # C++ and nvcc -Xcompiler -fopenmp: both parallel

Needs nvcc (CUDA_HOME, or /usr/local/cuda) and a CUDA build of torch; no GPU.
On a machine without a GPU set TORCH_CUDA_ARCH_LIST (e.g. "9.0"), or torch
compiles for every architecture it knows.
"""
import os

from setuptools import setup
from torch.utils.cpp_extension import BuildExtension, CUDAExtension

MODE = os.environ.get("CUDA_EXT_OPENMP", "")
if MODE not in ("", "cxx", "all"):
    raise SystemExit("CUDA_EXT_OPENMP must be empty, 'cxx' or 'all', not %r" % MODE)

# Python's CFLAGS carry -Wall: keep the dropped pragma as silent as it is in
# most real projects.
cxx_args = ["-O2", "-Wno-unknown-pragmas"]
nvcc_args = ["-O2", "-Xcompiler", "-Wno-unknown-pragmas"]
link_args = []
if MODE in ("cxx", "all"):
    cxx_args += ["-fopenmp"]
    link_args += ["-fopenmp"]
if MODE == "all":
    nvcc_args += ["-Xcompiler", "-fopenmp"]

setup(
    name="cuda_ext",
    version="0.1.0",
    description="Demo/test fixture for thread-scaling-check: CUDA extension with an OpenMP CPU path",
    ext_modules=[
        CUDAExtension(
            name="cuda_ext",
            sources=["csrc/ops.cpp", "csrc/oscillate.cu"],
            extra_compile_args={"cxx": cxx_args, "nvcc": nvcc_args},
            extra_link_args=link_args,
        )
    ],
    cmdclass={"build_ext": BuildExtension},
    zip_safe=False,
)
