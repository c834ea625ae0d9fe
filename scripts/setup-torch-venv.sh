#!/usr/bin/env bash
# Creates (once) the virtual environment with pip's torch 2.13.0+cpu that the
# tests run beside Debian's torch 1.13. It lives outside the clone, under
# $TSC_VENV_ROOT (default ~/.cache/tsc-venvs), and is reused when its torch
# already imports, so a warm CI run pays nothing here. Prints the venv's
# python path on its last line.
# TORCH_PIP_ARGS: extra pip arguments for machines without the local wheel,
# for example "--index-url https://download.pytorch.org/whl/cpu".
set -euo pipefail

torch_version=2.13.0
numpy_version=2.4.6
setuptools_version=84.2.1
root="${TSC_VENV_ROOT:-$HOME/.cache/tsc-venvs}"
venv="$root/torch-$torch_version"
py="$venv/bin/python"

if [ -x "$py" ] && "$py" -c "import torch, numpy, setuptools, sys; sys.exit(0 if torch.__version__.split('+')[0] == '$torch_version' and setuptools.__version__ == '$setuptools_version' else 1)" 2>/dev/null; then
  echo "torch venv reused: $venv" >&2
  echo "$py"
  exit 0
fi

# The pyenv/system python3 on PATH (3.11 here); Debian's /usr/bin/python3 has
# no ensurepip without python3-venv.
base="${TSC_VENV_PYTHON:-python3}"
echo "Creating torch venv $venv with $($base --version 2>&1)" >&2
rm -rf "$venv"
mkdir -p "$root"
"$base" -m venv "$venv"
# shellcheck disable=SC2086
"$py" -m pip install -q --disable-pip-version-check ${TORCH_PIP_ARGS:-} \
  "torch==$torch_version" "numpy==$numpy_version" "setuptools==$setuptools_version" wheel >&2
"$py" -c 'import torch; print("torch", torch.__version__, "importable by", __import__("sys").executable)' >&2
echo "$py"
