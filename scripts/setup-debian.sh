#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for this project: Debian's
# torch, compilers and LLVM tools (for the binary fixtures; lld-16 links the
# Mach-O chained-fixups ones), pip's torch 2.13 in a venv outside the clone
# (scripts/setup-torch-venv.sh), then the npm packages. Safe to run again; it
# installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  python3-torch libtorch-dev python3-dev python3-setuptools python3-numpy python3-torchvision pybind11-dev
  python3-pip python3-wheel python3-venv cmake patch git
  g++ clang clang-14 lld lld-14 lld-16 llvm llvm-14 libomp-dev ninja-build ccache binutils patchelf
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The interpreter that has Debian's torch; the pyenv python3 first on PATH may not.
/usr/bin/python3 -c 'import torch; print("torch", torch.__version__, "importable by /usr/bin/python3")'

# The second torch of the test matrix: pip's torch 2.13.0+cpu, in a venv
# outside the clone (~/.cache/tsc-venvs), reused when already there.
bash scripts/setup-torch-venv.sh >/dev/null

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/fetch-torchvision-src.sh
# torch 2.14.1 (CUDA build) with nvcc, for the CUDA extension tests: made once per machine, outside the clone
# (scripts/setup-cuda-venv.sh, which this calls); then the prebuilt torchvision 0.29.1 wheel pinned into it.
bash scripts/setup-torchvision-wheel.sh >/dev/null
