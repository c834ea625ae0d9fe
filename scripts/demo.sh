#!/usr/bin/env bash
# The README's first command: checks the example extension twice, built
# without OpenMP and with it, and prints both verdicts. The example is copied
# to a temporary folder for each build, so the two builds can't share stale
# objects and the repo stays clean.
#
# It uses the first Python that imports torch: $TORCH_PYTHON, Debian's
# /usr/bin/python3, python3, python, then the venv of setup-torch-venv.sh.
# A pip-installed torch is enough; with none at all it installs one (Debian's
# packages where apt-get exists, else pip's torch in a venv).
set -euo pipefail
cd "$(dirname "$0")/.."

has_torch() { [ -n "$1" ] && "$1" -c 'import torch, setuptools' >/dev/null 2>&1; }
venv_python="${TSC_VENV_ROOT:-$HOME/.cache/tsc-venvs}/torch-2.13.0/bin/python"
python=""
for candidate in "${TORCH_PYTHON:-}" /usr/bin/python3 python3 python "$venv_python"; do
  if has_torch "$candidate"; then python=$candidate; break; fi
done
if [ -z "$python" ]; then
  if command -v apt-get >/dev/null; then
    bash scripts/setup-debian.sh >&2
    python=/usr/bin/python3
  else
    python=$(bash scripts/setup-torch-venv.sh)
  fi
fi
[ -f dist/cli.js ] || { echo "dist/cli.js is missing: run npm ci && npm run bundle" >&2; exit 2; }
used=$("$python" -c 'import sys, torch; print("torch %s, Python %s at %s" % (torch.__version__, sys.version.split()[0], sys.executable))')
echo "Using $used"

work=$(mktemp -d "${TMPDIR:-/tmp}/thread-scaling-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

declare -A verdict
for variant in without-openmp with-openmp; do
  mkdir -p "$work/$variant"
  tar -C examples/parallel-ext --exclude=build --exclude='*.so' --exclude='*.egg-info' --exclude=.thread-scaling-check -cf - . | tar -C "$work/$variant" -xf -
  flag=0
  [ "$variant" = with-openmp ] && flag=1
  echo
  echo "################ parallel-ext built $variant (PARALLEL_EXT_OPENMP=$flag) ################"
  PARALLEL_EXT_OPENMP=$flag node dist/cli.js check \
    --working-directory "$work/$variant" --python "$python" --workload workload.py --fail-on never
  verdict[$variant]=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$work/$variant/.thread-scaling-check/report.json")
done
echo
echo "Verdicts: without OpenMP: ${verdict[without-openmp]}; with OpenMP: ${verdict[with-openmp]} ($used)"
