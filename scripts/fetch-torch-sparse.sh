#!/usr/bin/env bash
# Puts torch-sparse's source distribution (PyPI sdist, pinned by version and
# sha256) in a cache outside the clone, $TSC_SDIST_CACHE (default
# ~/.cache/tsc-sdists), and prints its path. Downloads only when missing.
#   bash scripts/fetch-torch-sparse.sh [PYTHON]
# PYTHON must import torch: pip runs the sdist's setup.py for its metadata,
# and that imports torch (default: the venv of setup-torch-venv.sh).
set -euo pipefail
version=0.6.18
sha256=2f14c510a6e93f404c6ea357210615b3c15a71731f9dbd86f25434e34fb5a741
cache="${TSC_SDIST_CACHE:-$HOME/.cache/tsc-sdists}"
file="$cache/torch_sparse-$version.tar.gz"
python="${1:-${TSC_VENV_ROOT:-$HOME/.cache/tsc-venvs}/torch-2.13.0/bin/python}"

if [ ! -f "$file" ] || ! echo "$sha256  $file" | sha256sum -c --status; then
  mkdir -p "$cache"
  rm -f "$file"
  "$python" -m pip download -q --disable-pip-version-check "torch-sparse==$version" --no-binary :all: --no-deps --no-build-isolation -d "$cache" >&2
  echo "$sha256  $file" | sha256sum -c --status || { echo "torch-sparse $version sdist: sha256 mismatch ($file)" >&2; exit 1; }
fi
echo "$file"
