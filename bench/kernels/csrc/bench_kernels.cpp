// Benchmark kernels for thread-scaling-check's measuring step
// (bench/measure-bench.mjs). Each one stresses the verdict differently:
//
//   fma            compute-bound: a dependent multiply-add chain per element on
//                  an input that stays in L2. Scales ~linearly.
//   gather         deform_conv2d-style bilinear gather (im2col sampling fused
//                  with the weighted sum) over a feature map larger than L2.
//                  Parallel over output rows. Scales well, latency-bound loads.
//   stream         out = a * s + b over arrays far larger than the last-level
//                  cache. Bound by DRAM bandwidth: scales only as far as one
//                  core leaves bandwidth unused.
//   false_sharing  every thread hammers its own counter, but all counters share
//                  one cache line: with OpenMP it runs on all threads and gets
//                  *slower* with more of them (the line ping-pongs between
//                  cores). A kernel that is parallel yet does not scale.
//   (half_libtorch is composed in workload.py: fma followed by a libtorch op.)
//
// Every kernel uses at::parallel_for, an inline template compiled into this
// extension: with -fopenmp (BENCH_OPENMP=1) it forks an OpenMP team, without
// it runs f(begin, end) once on the calling thread (the silent serial bug).

#include <torch/extension.h>

#include <ATen/Parallel.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <vector>

namespace {

void check_float_cpu(const at::Tensor& t, const char* what) {
  TORCH_CHECK(t.device().is_cpu(), what, ": expected a CPU tensor");
  TORCH_CHECK(t.scalar_type() == at::kFloat, what, ": expected float32, got ",
              t.scalar_type());
}

// ---------------------------------------------------------------- fma
// v <- v * a + b, `steps` times, with a = 0.5 + 0.25 * x[i] in [0.25, 0.75]:
// the chain converges to b / (1 - a), so values stay normal (no overflow, no
// denormals) and every step depends on the one before (no reassociation
// without -ffast-math). Scalar at -O2 and latency-bound on the chain; a
// multiply and an add per step (gcc fuses them into one FMA only when the
// target has it, e.g. with -mfma or -march=native, which shortens each step).
constexpr int64_t kFmaGrain = 256;

at::Tensor fma_chain(const at::Tensor& x_in, int64_t steps) {
  check_float_cpu(x_in, "fma");
  TORCH_CHECK(steps >= 1, "fma: steps must be >= 1");
  const at::Tensor x = x_in.contiguous();
  at::Tensor y = at::empty_like(x);
  const float* src = x.data_ptr<float>();
  float* dst = y.data_ptr<float>();
  at::parallel_for(0, x.numel(), kFmaGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float a = 0.5f + 0.25f * src[i];
      const float b = 1.0f - a * 0.5f;
      float v = src[i];
      for (int64_t s = 0; s < steps; ++s) {
        v = v * a + b;
      }
      dst[i] = v;
    }
  });
  return y;
}

// ---------------------------------------------------------------- gather
// feature: [C, H, W] float32 (channels first, as deform_conv2d's input)
// offset:  [2 * K, H, W] float32, (dy, dx) per tap and output position
// weight:  [C, K] float32
// out[oh, ow] = sum_c sum_k weight[c, k] *
//               bilinear(feature[c], oh + ky(k) + dy, ow + kx(k) + dx)
// with K = 9 taps of a 3x3 window (padding 1, stride 1, dilation 1) and zero
// padding outside the map, as in torchvision's deformable_im2col. Parallel
// over output rows: a row's sampling positions (4 corner indices and 4
// bilinear weights per tap and column) are computed once, then every channel
// plane is gathered from them. Each output is written by one task, summed in
// a fixed order: the result does not depend on the thread count.
constexpr int64_t kGatherGrain = 1;  // output rows per task (a row is ~70k samples)

at::Tensor deform_gather(const at::Tensor& feature_in, const at::Tensor& offset_in,
                         const at::Tensor& weight_in) {
  check_float_cpu(feature_in, "gather: feature");
  check_float_cpu(offset_in, "gather: offset");
  check_float_cpu(weight_in, "gather: weight");
  TORCH_CHECK(feature_in.dim() == 3, "gather: feature must be [C, H, W]");
  const int64_t C = feature_in.size(0), H = feature_in.size(1), W = feature_in.size(2);
  constexpr int64_t K = 9;
  TORCH_CHECK(offset_in.dim() == 3 && offset_in.size(0) == 2 * K &&
                  offset_in.size(1) == H && offset_in.size(2) == W,
              "gather: offset must be [18, H, W]");
  TORCH_CHECK(weight_in.dim() == 2 && weight_in.size(0) == C && weight_in.size(1) == K,
              "gather: weight must be [C, 9]");
  const at::Tensor feature = feature_in.contiguous();
  const at::Tensor offset = offset_in.contiguous();
  const at::Tensor weight = weight_in.contiguous();
  at::Tensor out = at::empty({H, W}, feature.options());
  const float* fp = feature.data_ptr<float>();
  const float* offp = offset.data_ptr<float>();
  const float* wp = weight.data_ptr<float>();
  float* op = out.data_ptr<float>();
  const int64_t plane = H * W;

  at::parallel_for(0, H, kGatherGrain, [&](int64_t begin, int64_t end) {
    // Per column and tap: 4 corner offsets into a plane (-1: outside) and
    // their bilinear weights.
    std::vector<int64_t> idx(W * K * 4);
    std::vector<float> bw(W * K * 4);
    std::vector<float> acc(W);
    for (int64_t oh = begin; oh < end; ++oh) {
      for (int64_t ow = 0; ow < W; ++ow) {
        for (int64_t k = 0; k < K; ++k) {
          const float dy = offp[(2 * k) * plane + oh * W + ow];
          const float dx = offp[(2 * k + 1) * plane + oh * W + ow];
          const float y = static_cast<float>(oh + k / 3 - 1) + dy;
          const float x = static_cast<float>(ow + k % 3 - 1) + dx;
          const float y0f = std::floor(y), x0f = std::floor(x);
          const int64_t y0 = static_cast<int64_t>(y0f), x0 = static_cast<int64_t>(x0f);
          const float ly = y - y0f, lx = x - x0f, hy = 1.0f - ly, hx = 1.0f - lx;
          const int64_t ys[4] = {y0, y0, y0 + 1, y0 + 1};
          const int64_t xs[4] = {x0, x0 + 1, x0, x0 + 1};
          const float ws[4] = {hy * hx, hy * lx, ly * hx, ly * lx};
          for (int j = 0; j < 4; ++j) {
            const int64_t slot = (ow * K + k) * 4 + j;
            const bool inside = ys[j] >= 0 && ys[j] < H && xs[j] >= 0 && xs[j] < W;
            idx[slot] = inside ? ys[j] * W + xs[j] : 0;
            bw[slot] = inside ? ws[j] : 0.0f;
          }
        }
      }
      for (int64_t ow = 0; ow < W; ++ow) acc[ow] = 0.0f;
      for (int64_t c = 0; c < C; ++c) {
        const float* fc = fp + c * plane;
        const float* wc = wp + c * K;
        for (int64_t ow = 0; ow < W; ++ow) {
          float s = 0.0f;
          for (int64_t k = 0; k < K; ++k) {
            const int64_t slot = (ow * K + k) * 4;
            const float v = bw[slot] * fc[idx[slot]] + bw[slot + 1] * fc[idx[slot + 1]] +
                            bw[slot + 2] * fc[idx[slot + 2]] + bw[slot + 3] * fc[idx[slot + 3]];
            s += wc[k] * v;
          }
          acc[ow] += s;
        }
      }
      for (int64_t ow = 0; ow < W; ++ow) op[oh * W + ow] = acc[ow];
    }
  });
  return out;
}

// ---------------------------------------------------------------- stream
// out[i] = a[i] * s + b[i], written into a preallocated `out` (a fresh
// allocation of this size would add page faults to every call). Arrays of
// 8-16 M floats each are far larger than the last-level cache.
constexpr int64_t kStreamGrain = 1 << 18;  // 1 MiB of each array per task at least

at::Tensor stream_triad(const at::Tensor& a, const at::Tensor& b, double s,
                        at::Tensor out) {
  check_float_cpu(a, "stream: a");
  check_float_cpu(b, "stream: b");
  check_float_cpu(out, "stream: out");
  TORCH_CHECK(a.is_contiguous() && b.is_contiguous() && out.is_contiguous(),
              "stream: a, b and out must be contiguous");
  TORCH_CHECK(a.numel() == b.numel() && a.numel() == out.numel(),
              "stream: a, b and out must have the same number of elements");
  const float* ap = a.data_ptr<float>();
  const float* bp = b.data_ptr<float>();
  float* outp = out.data_ptr<float>();
  const float sf = static_cast<float>(s);
  at::parallel_for(0, a.numel(), kStreamGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      outp[i] = ap[i] * sf + bp[i];
    }
  });
  return out;
}

// ---------------------------------------------------------------- false_sharing
// `updates` relaxed fetch_adds in total, split over the threads by
// at::parallel_for; each thread adds to counters[at::get_thread_num() % 8].
// The 8 counters fill exactly one 64-byte cache line, so two threads updating
// "their own" counters still fight over the line. Returns the total (always
// `updates`) so the work cannot be elided and the result can be checked.
constexpr int64_t kSlots = 8;
constexpr int64_t kFalseSharingGrain = 1 << 14;

struct alignas(64) SharedLine {
  std::atomic<int64_t> counters[kSlots];
};
static_assert(sizeof(SharedLine) == 64, "the counters must share one cache line");

at::Tensor false_sharing(int64_t updates) {
  TORCH_CHECK(updates >= 0, "false_sharing: updates must be >= 0");
  SharedLine line;
  for (auto& c : line.counters) c.store(0, std::memory_order_relaxed);
  at::parallel_for(0, updates, kFalseSharingGrain, [&](int64_t begin, int64_t end) {
    std::atomic<int64_t>& mine = line.counters[at::get_thread_num() % kSlots];
    for (int64_t i = begin; i < end; ++i) {
      mine.fetch_add(1, std::memory_order_relaxed);
    }
  });
  int64_t total = 0;
  for (auto& c : line.counters) total += c.load(std::memory_order_relaxed);
  return at::scalar_tensor(static_cast<double>(total), at::kDouble);
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.doc() = "Benchmark kernels for thread-scaling-check (bench/kernels)";
  m.def("fma", &fma_chain, py::arg("x"), py::arg("steps"),
        "v <- v * (0.5 + 0.25 x) + b, `steps` dependent times per element");
  m.def("gather", &deform_gather, py::arg("feature"), py::arg("offset"),
        py::arg("weight"),
        "deform_conv2d-style 3x3 bilinear gather + weighted sum, [H, W] out");
  m.def("stream", &stream_triad, py::arg("a"), py::arg("b"), py::arg("s"),
        py::arg("out"), "out = a * s + b (in place into out)");
  m.def("false_sharing", &false_sharing, py::arg("updates"),
        "`updates` relaxed fetch_adds on per-thread counters sharing one cache line");
  m.def("has_openmp", []() {
#ifdef _OPENMP
    return true;
#else
    return false;
#endif
  }, "whether the extension was compiled with OpenMP (_OPENMP defined)");
}
