// Fixture for the region counter (count_regions.c): two at::parallel_for
// kernels, built with -fopenmp. `covered` passes a grain size as large as
// its range, so at::parallel_for runs it inline on the calling thread and
// opens no OpenMP region; `full` uses a small grain and opens a full team.
#include <torch/extension.h>

#include <ATen/Parallel.h>

namespace {

at::Tensor chain(const at::Tensor& x_in, int64_t grain) {
  const at::Tensor x = x_in.contiguous();
  at::Tensor y = at::empty_like(x);
  const float* src = x.data_ptr<float>();
  float* dst = y.data_ptr<float>();
  const int64_t n = x.numel();
  at::parallel_for(0, n, grain <= 0 ? n : grain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float a = 0.5f + 0.25f * src[i];
      const float b = 1.0f - a * 0.5f;
      float v = src[i];
      for (int s = 0; s < 256; ++s) v = v * a + b;
      dst[i] = v;
    }
  });
  return y;
}

at::Tensor covered(const at::Tensor& x) { return chain(x, 0); }
at::Tensor full(const at::Tensor& x) { return chain(x, 256); }

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("covered", &covered, "grain covers the range: no parallel region");
  m.def("full", &full, "grain 256: a full team");
}
