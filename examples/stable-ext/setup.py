"""Build the stable_ext example: a stable-ABI kernel (torch >= 2.10).

    python setup.py build_ext --inplace

No OpenMP flag on any platform, on purpose: torch::stable::parallel_for runs
inside libtorch. The library has no Python module; load it with
torch.ops.load_library (see workload.py).
"""
from setuptools import setup
from torch.utils.cpp_extension import BuildExtension, CppExtension

setup(
    name="stable_ext",
    version="0.1.0",
    description="Stable-ABI fixture for thread-scaling-check",
    ext_modules=[
        CppExtension(
            name="stable_ext._C",
            sources=["csrc/rowops.cpp"],
            # Only the stable ABI (fails to compile on anything else) and the
            # oldest torch that has torch::stable::parallel_for.
            extra_compile_args=["-O2", "-DTORCH_STABLE_ONLY", "-DTORCH_TARGET_VERSION=0x020a000000000000"],
            py_limited_api=True,
        )
    ],
    cmdclass={"build_ext": BuildExtension},
    options={"bdist_wheel": {"py_limited_api": "cp39"}},
    zip_safe=False,
)
