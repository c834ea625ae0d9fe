// Kernel 3: a raw `#pragma omp parallel for` loop (no at::parallel_for).
//
// Each element drives a damped spring x'' = -w^2 x - g x' for `steps`
// semi-implicit Euler steps, starting at (x0 = x[i], v0 = 0), with the
// stiffness derived from the element itself.  Pure register arithmetic per
// element (a long dependency chain), so it is compute-bound; the system is
// stable and contracting, so results are not sensitive to rounding.
//
// Without -fopenmp the pragma is ignored and the loop runs serially (the
// build adds -Wno-unknown-pragmas so that this stays silent, as it does in
// most real projects).  Deliberately no omp_* calls: the file must build
// and link either way.

#include "kernels.h"

#include <ATen/ops/empty_like.h>
#include <c10/util/Exception.h>

namespace parallel_ext {

at::Tensor omp_oscillate(const at::Tensor& x_in, int64_t steps) {
  TORCH_CHECK(x_in.device().is_cpu(), "omp_oscillate: expected a CPU tensor");
  TORCH_CHECK(x_in.scalar_type() == at::kFloat,
              "omp_oscillate: expected float32, got ", x_in.scalar_type());
  TORCH_CHECK(steps >= 0, "omp_oscillate: steps must be >= 0");
  const at::Tensor x = x_in.contiguous();
  at::Tensor y = at::empty_like(x);
  const float* src = x.data_ptr<float>();
  float* dst = y.data_ptr<float>();
  const int64_t n = x.numel();

  constexpr float dt = 0.01f;
  constexpr float damping = 0.5f;

#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const float x0 = src[i];
    const float w2 = 1.0f + 4.0f * x0 * x0;  // stiffness in [1, 5] for |x0|<=1
    float pos = x0;
    float vel = 0.0f;
    for (int64_t s = 0; s < steps; ++s) {
      vel += (-w2 * pos - damping * vel) * dt;
      pos += vel * dt;
    }
    dst[i] = pos + vel;
  }
  return y;
}

}  // namespace parallel_ext
