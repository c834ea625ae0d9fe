"""Workload for the cuda_ext demo, imported by thread-scaling-check.

The CPU cases are timed at each thread count. The GPU case is marked with
`needs_cuda = True`: on a runner where torch.cuda.is_available() is False the
check skips it and says why; where CUDA is there it is timed for information
(a GPU kernel's speed doesn't depend on CPU threads, so it is not judged).
"""
import torch

import cuda_ext  # noqa: F401 - loading it registers torch.ops.cuda_ext

SEED = 0
# about 30 ms per call on one thread of a recent x86 core
SPRING_N, SPRING_STEPS = 49_152, 128
TRIG_N = 196_608


def cases():
    g = torch.Generator().manual_seed(SEED)
    spring_x = torch.rand(SPRING_N, generator=g) * 2 - 1
    trig_x = torch.rand(TRIG_N, generator=g) * 2 - 1
    gpu_x = {}

    def spring_gpu():
        # Inputs made on first call, so importing this file needs no GPU.
        if "x" not in gpu_x:
            gpu_x["x"] = spring_x.to("cuda")
        torch.ops.cuda_ext.spring(gpu_x["x"], SPRING_STEPS)
        torch.cuda.synchronize()

    spring_gpu.needs_cuda = True
    return {
        # raw `#pragma omp parallel for` in host code of oscillate.cu
        "spring-cpu": lambda: torch.ops.cuda_ext.spring(spring_x, SPRING_STEPS),
        # at::parallel_for in ops.cpp
        "trig-cpu": lambda: torch.ops.cuda_ext.trig_series(trig_x),
        # the __global__ kernel
        "spring-gpu": spring_gpu,
    }
