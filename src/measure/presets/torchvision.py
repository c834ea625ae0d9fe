"""Built-in workload `preset: torchvision`: the CPU kernels maintainers ask about.

It times the torchvision found first on sys.path; the harness puts the
working directory there first, so an in-place build of the checked-out
torchvision wins over an installed one. Inputs are made once, from a fixed
seed, at the shapes a maintainer would try: deform_conv2d at spatial size 32
and 64 with batch 1 and 4 (s32-b1 ... s64-b4), roi_align and nms.
"""

import torch
import torchvision
from torchvision import ops

SEED = 0
CHANNELS = 32
KERNEL = 3


def _deform_case(gen, spatial, batch):
    x = torch.rand(batch, CHANNELS, spatial, spatial, generator=gen)
    offset = torch.randn(batch, 2 * KERNEL * KERNEL, spatial, spatial, generator=gen)
    mask = torch.rand(batch, KERNEL * KERNEL, spatial, spatial, generator=gen)
    weight = torch.randn(CHANNELS, CHANNELS, KERNEL, KERNEL, generator=gen) * 0.1
    bias = torch.zeros(CHANNELS)

    def run():
        with torch.no_grad():
            return ops.deform_conv2d(x, offset, weight, bias, padding=1, mask=mask)

    return run


def _boxes(gen, n, size):
    xy = torch.rand(n, 2, generator=gen) * size
    wh = torch.rand(n, 2, generator=gen) * size / 4 + 1
    return torch.cat([xy, xy + wh], dim=1)


def cases():
    gen = torch.Generator().manual_seed(SEED)
    out = {}
    for spatial in (32, 64):
        for batch in (1, 4):
            out["deform_conv2d-s%d-b%d" % (spatial, batch)] = _deform_case(gen, spatial, batch)

    features = torch.rand(2, 64, 50, 50, generator=gen)
    rois = [_boxes(gen, 128, 200.0), _boxes(gen, 128, 200.0)]

    def roi_align():
        with torch.no_grad():
            return ops.roi_align(features, rois, output_size=7, spatial_scale=0.25, sampling_ratio=2, aligned=True)

    out["roi_align"] = roi_align

    boxes = _boxes(gen, 3000, 512.0)
    scores = torch.rand(3000, generator=gen)
    out["nms"] = lambda: ops.nms(boxes, scores, 0.5)
    return out


def describe():
    """Which torchvision was timed: the report names it."""
    return {"torchvision": torchvision.__version__, "torchvision_path": torchvision.__file__}
