"""Workload for the bench_kernels benchmark extension (bench/measure-bench.mjs).

cases() maps a kernel name to a zero-argument callable that runs one call on
inputs prepared once (deterministically, fixed seed). With BENCH_CASE=<name>
in the environment it returns only that case. Sizes are chosen so one call
takes roughly 20-50 ms on one thread of a 2-vCPU x86 runner (AMD EPYC,
gcc -O2, Debian's torch 1.13).

Measured on that runner, 2 threads vs 1 (with OpenMP / without):
  fma            ~2.0x / 1.0x   dependent multiply-add chains, input in L2
  gather         ~2.0x / 1.0x   deform_conv2d-style bilinear gather, 8 MiB map
  stream         1.5-1.9x / 1x  a * s + b over 3 x 128 MiB (DRAM-bound; how
                                far it scales depends on the memory system)
  false_sharing  ~0.5x (OpenMP build only): runs on every thread, slower on more
  half_libtorch  ~1.9x / ~1.3x  fma, then a oneDNN conv2d of about the same
                                time: without OpenMP only the conv half scales
"""
import os

import torch
import torch.nn.functional as F

import bench_kernels

SEED = 0

# fma: FMA_STEPS dependent multiply-adds per element; 128 KiB of input.
FMA_N, FMA_STEPS = 32_768, 512
# gather: C x H x W channels-first map (8 MiB, > L2), 3x3 taps with random
# fractional offsets (some fall outside the map: zero padding).
GATHER_C, GATHER_H, GATHER_W = 32, 256, 256
# stream: three arrays of STREAM_N floats (128 MiB each, > the LLC).
STREAM_N = 32 * 1024 * 1024
# false_sharing: total fetch_adds, split over the threads.
FALSE_SHARING_UPDATES = 12_000_000
# half_libtorch: fma over a [1, C, H, W] input, then conv2d C -> C_OUT 3x3.
HALF_C, HALF_H, HALF_W, HALF_C_OUT, HALF_STEPS = 32, 64, 64, 352, 100

CASES = ("fma", "gather", "stream", "false_sharing", "half_libtorch")


def _generator():
    torch.manual_seed(SEED)
    return torch.Generator().manual_seed(SEED)


# One builder per case: each prepares its inputs once (deterministically) and
# returns the zero-argument call. Only the selected cases build their inputs,
# so a BENCH_CASE=fma process does not allocate stream's 384 MiB.
def _fma():
    x = torch.rand(FMA_N, generator=_generator()) * 2 - 1
    return lambda: bench_kernels.fma(x, FMA_STEPS)


def _gather():
    g = _generator()
    feature = torch.randn(GATHER_C, GATHER_H, GATHER_W, generator=g)
    offset = torch.randn(18, GATHER_H, GATHER_W, generator=g) * 1.5
    weight = torch.rand(GATHER_C, 9, generator=g) / 9
    return lambda: bench_kernels.gather(feature, offset, weight)


def _stream():
    g = _generator()
    a = torch.rand(STREAM_N, generator=g)
    b = torch.rand(STREAM_N, generator=g)
    out = torch.zeros(STREAM_N)  # touched once here, not on every call
    return lambda: bench_kernels.stream(a, b, 1.5, out)


def _false_sharing():
    return lambda: bench_kernels.false_sharing(FALSE_SHARING_UPDATES)


def _half_libtorch():
    g = _generator()
    x = torch.rand(1, HALF_C, HALF_H, HALF_W, generator=g) * 2 - 1
    w = torch.randn(HALF_C_OUT, HALF_C, 3, 3, generator=g) / (9 * HALF_C)

    def call():
        # extension half: at::parallel_for compiled into bench_kernels ...
        y = bench_kernels.fma(x, HALF_STEPS)
        # ... libtorch half: oneDNN conv2d, parallel inside libtorch
        # whatever the extension's flags.
        return F.conv2d(y, w, padding=1)

    return call


_BUILDERS = {
    "fma": _fma,
    "gather": _gather,
    "stream": _stream,
    "false_sharing": _false_sharing,
    "half_libtorch": _half_libtorch,
}
assert tuple(_BUILDERS) == CASES


def cases():
    only = os.environ.get("BENCH_CASE", "")
    if only:
        if only not in _BUILDERS:
            raise ValueError(
                f"BENCH_CASE={only!r} is not a bench_kernels case; "
                f"expected one of: {', '.join(CASES)}")
        return {only: _BUILDERS[only]()}
    return {name: build() for name, build in _BUILDERS.items()}
