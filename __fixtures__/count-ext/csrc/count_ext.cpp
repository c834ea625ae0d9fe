// Fixture for the region counter (count_regions.c): two at::parallel_for
// kernels, built with -fopenmp. `covered` passes a grain size as large as
// its range, so at::parallel_for runs it inline on the calling thread and
// opens no OpenMP region; `full` uses a small grain and opens a full team.
// `nested` runs its loop through TensorIterator::for_each, whose
// at::parallel_for is libtorch's, with a `#pragma omp parallel for` inside:
// every region the extension opens is nested in libtorch's, so each team is
// one thread. (An at::parallel_for there would run inline and open no region
// at all: at::in_parallel_region() is true inside libtorch's region.)
#include <torch/extension.h>

#include <ATen/Parallel.h>
#include <ATen/TensorIterator.h>

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

at::Tensor nested(const at::Tensor& x_in) {
  const at::Tensor x = x_in.contiguous();
  at::Tensor y = at::empty_like(x);
  auto iter = at::TensorIteratorConfig().add_output(y).add_input(x).build();
  iter.for_each(
      [](char** data, const int64_t* strides, int64_t size0, int64_t size1) {
        for (int64_t j = 0; j < size1; ++j) {
          char* out = data[0] + j * strides[2];
          const char* in = data[1] + j * strides[3];
#pragma omp parallel for
          for (int64_t i = 0; i < size0; ++i) {
            const float s = *reinterpret_cast<const float*>(in + i * strides[1]);
            const float a = 0.5f + 0.25f * s;
            const float b = 1.0f - a * 0.5f;
            float v = s;
            for (int k = 0; k < 256; ++k) v = v * a + b;
            *reinterpret_cast<float*>(out + i * strides[0]) = v;
          }
        }
      },
      /*grain_size=*/256);
  return y;
}

at::Tensor covered(const at::Tensor& x) { return chain(x, 0); }
at::Tensor full(const at::Tensor& x) { return chain(x, 256); }

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("covered", &covered, "grain covers the range: no parallel region");
  m.def("full", &full, "grain 256: a full team");
  m.def("nested", &nested, "omp parallel for inside libtorch's for_each region: teams of one");
}
