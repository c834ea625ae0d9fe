// The C++ side: an at::parallel_for kernel, the wrapper around the .cu
// file's two paths, and their registration as torch ops.
//
// Registered with TORCH_LIBRARY rather than pybind11: torch/extension.h
// brings in all of torch's C++ API and takes minutes to compile on a small
// runner; these headers take a fraction of that.

#include <ATen/Parallel.h>
#include <ATen/core/Tensor.h>
#include <ATen/ops/empty_like.h>
#include <Python.h>
#include <torch/library.h>

#include <cmath>

namespace cuda_ext {

// Defined in oscillate.cu (host code compiled by nvcc's host compiler).
void spring_cpu(const float* src, float* dst, int64_t n, int64_t steps);
const char* spring_cuda(const float* src, float* dst, int64_t n, int64_t steps);

// y = sum_{k<16} sin(k x) cos(x / k): compute-bound, parallel through
// at::parallel_for (which needs -fopenmp on this TU with torch's OpenMP backend).
at::Tensor trig_series(const at::Tensor& x_in) {
  TORCH_CHECK(x_in.device().is_cpu() && x_in.scalar_type() == at::kFloat, "trig_series: expected a float32 CPU tensor");
  const at::Tensor x = x_in.contiguous();
  at::Tensor y = at::empty_like(x);
  const float* src = x.data_ptr<float>();
  float* dst = y.data_ptr<float>();
  at::parallel_for(0, x.numel(), 1024, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      float acc = 0.0f;
      for (int k = 1; k <= 16; ++k) acc += std::sin(k * src[i]) * std::cos(src[i] / k);
      dst[i] = acc;
    }
  });
  return y;
}

// The CUDA kernel for a CUDA tensor, the OpenMP CPU path for a CPU one.
at::Tensor spring(const at::Tensor& x_in, int64_t steps) {
  TORCH_CHECK(x_in.scalar_type() == at::kFloat, "spring: expected float32");
  TORCH_CHECK(steps >= 0, "spring: steps must be >= 0");
  const at::Tensor x = x_in.contiguous();
  at::Tensor y = at::empty_like(x);
  if (x.device().is_cuda()) {
    const char* err = spring_cuda(x.data_ptr<float>(), y.data_ptr<float>(), x.numel(), steps);
    TORCH_CHECK(err == nullptr, "spring: CUDA kernel launch failed: ", err);
  } else {
    spring_cpu(x.data_ptr<float>(), y.data_ptr<float>(), x.numel(), steps);
  }
  return y;
}

}  // namespace cuda_ext

TORCH_LIBRARY(cuda_ext, m) {
  m.def("trig_series(Tensor x) -> Tensor", &cuda_ext::trig_series);
  m.def("spring(Tensor x, int steps) -> Tensor", &cuda_ext::spring);
}

// `import cuda_ext` loads this file, which registers the ops above as
// torch.ops.cuda_ext.*; the module itself is empty.
extern "C" PyObject* PyInit_cuda_ext(void) {
  static PyModuleDef def = {PyModuleDef_HEAD_INIT, "cuda_ext", "ops in torch.ops.cuda_ext", -1, nullptr};
  return PyModule_Create(&def);
}
