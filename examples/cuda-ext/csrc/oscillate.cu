// A CUDA kernel and its CPU fallback in one .cu file: the common pattern of
// a GPU path plus an OpenMP CPU path.
//
// Everything here that is not __global__/__device__ is host code, which nvcc
// hands to the host compiler (g++). The host compiler sees -fopenmp only when
// nvcc passes it on: `-Xcompiler -fopenmp` (or --compiler-options). The 'cxx'
// flags of a CUDAExtension never reach this file, so with -fopenmp for C++
// only, the pragma below is dropped without a word and the CPU path is serial.
//
// Deliberately no torch headers: nvcc compiles this in seconds, and the
// parallel construct that matters here is the raw pragma.

#include <cstdint>

#include <cuda_runtime.h>

namespace cuda_ext {

// A damped spring integrated per element: register arithmetic in a long
// dependency chain, so the CPU path is compute-bound and scales with cores.
__host__ __device__ inline float spring(float x0, int64_t steps) {
  const float dt = 0.01f;
  const float damping = 0.5f;
  const float w2 = 1.0f + 4.0f * x0 * x0;
  float pos = x0;
  float vel = 0.0f;
  for (int64_t s = 0; s < steps; ++s) {
    vel += (-w2 * pos - damping * vel) * dt;
    pos += vel * dt;
  }
  return pos + vel;
}

__global__ void spring_kernel(const float* src, float* dst, int64_t n, int64_t steps) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) dst[i] = spring(src[i], steps);
}

// CPU path: silently serial unless nvcc passed -fopenmp to the host compiler.
void spring_cpu(const float* src, float* dst, int64_t n, int64_t steps) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) dst[i] = spring(src[i], steps);
}

// GPU path: src and dst are device pointers. Returns null, or CUDA's error text.
const char* spring_cuda(const float* src, float* dst, int64_t n, int64_t steps) {
  if (n == 0) return nullptr;
  const int block = 256;
  const int64_t grid = (n + block - 1) / block;
  spring_kernel<<<static_cast<unsigned>(grid), block>>>(src, dst, n, steps);
  const cudaError_t err = cudaGetLastError();
  return err == cudaSuccess ? nullptr : cudaGetErrorString(err);
}

}  // namespace cuda_ext
