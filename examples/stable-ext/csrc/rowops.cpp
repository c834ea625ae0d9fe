// A kernel written against torch's stable ABI (torch 2.10+). It includes only
// torch/csrc/stable headers and is built with no OpenMP flag at all:
// torch::stable::parallel_for calls the C shim torch_parallel_for, and
// libtorch runs the team. Its binary imports torch_parallel_for, not GOMP_*.
#include <torch/csrc/stable/library.h>
#include <torch/csrc/stable/ops.h>
#include <torch/csrc/stable/tensor.h>

#include <cmath>
#include <cstdint>

using torch::stable::Tensor;

// Per-row soft-clipped norm of a 2-D float tensor: compute-bound per row.
Tensor row_softnorm(Tensor x) {
  Tensor in = torch::stable::contiguous(x);
  const int64_t rows = in.size(0);
  const int64_t cols = in.size(1);
  Tensor out = torch::stable::new_empty(in, {rows});
  const float* p = in.const_data_ptr<float>();
  float* o = out.mutable_data_ptr<float>();
  torch::stable::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      double acc = 0;
      for (int64_t c = 0; c < cols; ++c) {
        const float v = p[r * cols + c];
        acc += std::tanh(v) * std::log1p(std::fabs(v));
      }
      o[r] = static_cast<float>(acc);
    }
  });
  return out;
}

STABLE_TORCH_LIBRARY(stable_ext, m) {
  m.def("row_softnorm(Tensor x) -> Tensor");
}

STABLE_TORCH_LIBRARY_IMPL(stable_ext, CPU, m) {
  m.impl("row_softnorm", TORCH_BOX(&row_softnorm));
}
