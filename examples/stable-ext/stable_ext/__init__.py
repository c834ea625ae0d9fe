"""Loads the stable-ABI library and exposes its op."""
import glob
import os

import torch

_here = os.path.dirname(os.path.abspath(__file__))
_libs = sorted(glob.glob(os.path.join(_here, "_C*.so")))
if not _libs:
    raise ImportError("stable_ext is not built: run 'python setup.py build_ext --inplace'")
torch.ops.load_library(_libs[0])

row_softnorm = torch.ops.stable_ext.row_softnorm
