#!/usr/bin/env bash
# The torch 2.14.1 environment (a CUDA 13 build, about 5.5 GB) that the CUDA
# extension tests build examples/cuda-ext against, with nvcc. Made once per
# machine, outside the clone, and reused while it imports: later runs cost
# a second. Prints the interpreter's path last.
#
#   TSC_VENV_ROOT   where the environments live (default ~/.cache/tsc-venvs)
#   CUDA_HOME       the CUDA toolkit with bin/nvcc (default /usr/local/cuda)
#
# A missing nvcc or a torch that won't install stops here with the reason:
# the tests that need them must not be skipped.
set -euo pipefail

version=2.14.1
root="${TSC_VENV_ROOT:-$HOME/.cache/tsc-venvs}"
venv="$root/torch-$version"
cuda="${CUDA_HOME:-/usr/local/cuda}"

if ! "$cuda/bin/nvcc" --version >/dev/null 2>&1; then
  echo "setup-cuda-venv: no nvcc at $cuda/bin/nvcc. Install the CUDA toolkit (13.x) or set CUDA_HOME to it." >&2
  exit 1
fi

check() {
  "$venv/bin/python" -c "import torch, sys; sys.exit(0 if torch.__version__.split('+')[0] == '$version' and torch.version.cuda else 1)" 2>/dev/null
}

# The stamp is written last, so a half-made environment (a killed run) is made again.
if [ -f "$venv/.complete" ] && check; then
  echo "torch $version environment reused: $venv" >&2
else
  # pip finds the torch 2.14.1 wheel on this disk for Python 3.11 only.
  py=$(command -v python3.11 || command -v python3)
  "$py" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || {
    echo "setup-cuda-venv: needs Python 3.11 (the torch $version wheel on disk is for 3.11); found $("$py" --version)" >&2
    exit 1
  }
  rm -rf "$venv"
  mkdir -p "$root"
  start=$(date +%s)
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "torch==$version" 2>&1 | grep -v "is ignored: it is neither a file nor a directory" >&2 || true
  check || { echo "setup-cuda-venv: torch $version (CUDA build) did not install into $venv" >&2; exit 1; }
  touch "$venv/.complete"
  echo "torch $version environment made in $(( $(date +%s) - start )) s: $venv ($(du -sh "$venv" | cut -f1))" >&2
fi
echo "$venv/bin/python"
