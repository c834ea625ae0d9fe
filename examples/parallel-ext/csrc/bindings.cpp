// Python bindings.  The only translation unit that includes the (heavy)
// torch/extension.h; the kernels live in the other files under csrc/.

#include <torch/extension.h>

#include "kernels.h"

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.doc() = "Demo kernels for thread-scaling-check (see README.md)";
  m.def("trig_series", &parallel_ext::trig_series, py::arg("x"),
        "y = sum_{k=1..15} sin(x*k)*cos(x/k), elementwise via at::parallel_for");
  m.def("bilinear_gather", &parallel_ext::bilinear_gather, py::arg("feature"),
        py::arg("coords"), py::arg("weights"),
        "out[p] = sum_k weights[p,k] * bilinear(feature[H,W,C], coords[p,k]) "
        "via at::parallel_for");
  m.def("omp_oscillate", &parallel_ext::omp_oscillate, py::arg("x"),
        py::arg("steps") = 256,
        "damped-spring integration per element, raw #pragma omp parallel for");
  m.def("has_openmp", []() {
#ifdef _OPENMP
    return true;
#else
    return false;
#endif
  }, "whether bindings.cpp was compiled with OpenMP (_OPENMP defined)");
}
