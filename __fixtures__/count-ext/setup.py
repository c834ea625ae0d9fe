"""Build the count_ext fixture (with -fopenmp): /usr/bin/python3 setup.py build_ext --inplace, in a copy."""
from setuptools import setup
from torch.utils.cpp_extension import BuildExtension, CppExtension

setup(
    name="count_ext",
    ext_modules=[CppExtension(name="count_ext", sources=["csrc/count_ext.cpp"], extra_compile_args=["-O2", "-fopenmp"], extra_link_args=["-fopenmp"])],
    cmdclass={"build_ext": BuildExtension},
)
