"""Workload imported by thread-scaling-check for the parallel_ext demo.

cases() maps a case name to a zero-argument callable that runs one kernel
call on inputs prepared once (deterministically, fixed seed).  Sizes are
chosen so one call takes roughly 25-50 ms on one thread of a recent x86
core with gcc -O2 (a clang build vectorizes gather and omp-loop and runs
them ~2-3x faster).
"""
import torch

import parallel_ext

SEED = 0

# elementwise: 30 sinf/cosf per element, ~0.23 us per element on one thread.
TRIG_N = 196_608
# gather: 64x64 map with 64 channels (1 MiB, stays in L2), 3x3 deformable
# taps per output point -> 4 * 64 multiply-adds per tap.
GATHER_H, GATHER_W, GATHER_C = 64, 64, 64
GATHER_P, GATHER_K = 32_768, 9
# omp-loop: OSC_STEPS dependent update steps per element.
OSC_N, OSC_STEPS = 49_152, 128


def make_inputs():
    """Deterministic inputs, created once."""
    g = torch.Generator().manual_seed(SEED)
    torch.manual_seed(SEED)
    trig_x = torch.rand(TRIG_N, generator=g) * 2 - 1

    feature = torch.randn(GATHER_H, GATHER_W, GATHER_C, generator=g)
    # deformable 3x3 sampling around a grid of centres; offsets push some
    # taps past the border, where zero padding applies.
    centres = torch.rand(GATHER_P, 1, 2, generator=g) * torch.tensor(
        [GATHER_H - 1.0, GATHER_W - 1.0])
    ky, kx = torch.meshgrid(torch.arange(-1.0, 2.0), torch.arange(-1.0, 2.0),
                            indexing="ij")
    taps = torch.stack([ky.reshape(-1), kx.reshape(-1)], dim=-1)  # [9, 2]
    offsets = torch.randn(GATHER_P, GATHER_K, 2, generator=g) * 0.5
    coords = (centres + taps.unsqueeze(0) + offsets).contiguous()
    weights = torch.rand(GATHER_P, GATHER_K, generator=g) / GATHER_K

    osc_x = torch.rand(OSC_N, generator=g) * 2 - 1
    return {
        "trig_x": trig_x,
        "feature": feature,
        "coords": coords,
        "weights": weights,
        "osc_x": osc_x,
    }


def cases():
    inp = make_inputs()
    return {
        # at::parallel_for, compute-bound elementwise map
        "elementwise": lambda: parallel_ext.trig_series(inp["trig_x"]),
        # at::parallel_for, bilinear gather + weighted sum per output row
        "gather": lambda: parallel_ext.bilinear_gather(
            inp["feature"], inp["coords"], inp["weights"]),
        # raw `#pragma omp parallel for`
        "omp-loop": lambda: parallel_ext.omp_oscillate(inp["osc_x"], OSC_STEPS),
    }
