// Kernel 1: compute-bound elementwise map through at::parallel_for.
//
//   y[i] = sum_{k=1..15} sin(x[i] * k) * cos(x[i] / k)
//
// 30 libm calls per element, so the loop is bound by arithmetic, not memory
// bandwidth, and should scale almost linearly with the number of threads.
// at::parallel_for is an inline template from ATen/Parallel-inl.h: its
// OpenMP backend (ATen/ParallelOpenMP.h) only exists when *this* file is
// compiled with -fopenmp (_OPENMP defined); otherwise it calls f(begin, end)
// once, on the calling thread.

#include "kernels.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty_like.h>
#include <c10/util/Exception.h>

#include <cmath>

namespace parallel_ext {

namespace {
constexpr int kTerms = 16;                // k = 1 .. kTerms - 1
constexpr int64_t kElementwiseGrain = 1024;  // ~30k libm calls per chunk
}  // namespace

at::Tensor trig_series(const at::Tensor& x_in) {
  TORCH_CHECK(x_in.device().is_cpu(), "trig_series: expected a CPU tensor");
  TORCH_CHECK(x_in.scalar_type() == at::kFloat,
              "trig_series: expected float32, got ", x_in.scalar_type());
  const at::Tensor x = x_in.contiguous();
  at::Tensor y = at::empty_like(x);
  const float* src = x.data_ptr<float>();
  float* dst = y.data_ptr<float>();

  at::parallel_for(0, x.numel(), kElementwiseGrain,
                   [&](int64_t begin, int64_t end) {
                     for (int64_t i = begin; i < end; ++i) {
                       const float v = src[i];
                       float acc = 0.0f;
                       for (int k = 1; k < kTerms; ++k) {
                         const float kf = static_cast<float>(k);
                         acc += std::sin(v * kf) * std::cos(v / kf);
                       }
                       dst[i] = acc;
                     }
                   });
  return y;
}

}  // namespace parallel_ext
