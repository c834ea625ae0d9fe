"""Workload for the count_ext fixture: each case runs the extension's kernel, then a libtorch GEMM of similar length (as deform_conv2d does)."""
import os

import torch

import count_ext

g = torch.Generator().manual_seed(0)
X = torch.rand(1 << 15, generator=g) * 2 - 1
A = torch.rand(384, 384, generator=g)


def cases():
    kernel = os.environ.get("COUNT_KERNEL", "covered")
    fn = getattr(count_ext, kernel)
    def run():
        fn(X)
        torch.mm(A, A)
    return {kernel + "+mm": run}
