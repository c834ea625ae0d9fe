"""Workload for thread-scaling-check: the stable-ABI kernel on a
4096 x 512 float tensor (about 0.1 s a call on one thread)."""
import torch

import stable_ext

x = torch.randn(4096, 512, generator=torch.Generator().manual_seed(1))


def cases():
    return {"row-softnorm": lambda: stable_ext.row_softnorm(x)}
