// Declarations shared by the kernel translation units and the bindings.
#pragma once

#include <ATen/core/Tensor.h>

namespace parallel_ext {

// csrc/elementwise.cpp -- at::parallel_for, compute-bound elementwise.
at::Tensor trig_series(const at::Tensor& x);

// csrc/reduce.cpp -- at::parallel_for, bilinear gather + weighted sum.
at::Tensor bilinear_gather(const at::Tensor& feature, const at::Tensor& coords,
                           const at::Tensor& weights);

// csrc/omp_loop.cpp -- raw `#pragma omp parallel for`, no ATen threading.
at::Tensor omp_oscillate(const at::Tensor& x, int64_t steps);

}  // namespace parallel_ext
