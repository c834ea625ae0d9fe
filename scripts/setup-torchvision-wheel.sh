#!/usr/bin/env bash
# The prebuilt torchvision wheel (0.29.1) beside torch 2.14.1, for the test that
# runs `preset: torchvision` on a binary it has no sources for. It goes into the
# torch 2.14.1 environment of scripts/setup-cuda-venv.sh (outside the clone,
# ~/.cache/tsc-venvs/torch-2.14.1), pinned, with pillow (torchvision imports it):
# the wheel requires torch >= 2.14 and adds 15 MB, where a venv of its own would
# copy 5.5 GB of torch. Reused when already there. Prints the interpreter's path last.
#
#   TSC_VENV_ROOT   where the environments live (default ~/.cache/tsc-venvs)
set -euo pipefail
cd "$(dirname "$0")/.."

torchvision_version=0.29.1
pillow_version=13.0.0

py=$(bash scripts/setup-cuda-venv.sh | tail -n 1)
check() {
  "$py" -c "import torchvision, PIL, sys; sys.exit(0 if torchvision.__version__.split('+')[0] == '$torchvision_version' and PIL.__version__ == '$pillow_version' else 1)" 2>/dev/null
}

if check; then
  echo "torchvision $torchvision_version reused in $(dirname "$(dirname "$py")")" >&2
else
  start=$(date +%s)
  # --no-deps: the torch is the one setup-cuda-venv.sh pinned; pip must not swap it.
  "$py" -m pip install --quiet --disable-pip-version-check --no-deps "torchvision==$torchvision_version" "pillow==$pillow_version" >&2
  check || { echo "setup-torchvision-wheel: torchvision $torchvision_version did not install into $(dirname "$(dirname "$py")")" >&2; exit 1; }
  echo "torchvision $torchvision_version installed in $(( $(date +%s) - start )) s" >&2
fi
echo "$py"
