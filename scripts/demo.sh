#!/usr/bin/env bash
# The README's first command: installs what is missing, then checks the
# example extension twice, built without OpenMP and with it, and prints both
# verdicts. The example is copied to a temporary folder for each build, so
# the two builds can't share stale objects and the repo stays clean.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh >&2

python=/usr/bin/python3
"$python" -c 'import torch' 2>/dev/null || python=python3
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
echo "Verdicts: without OpenMP: ${verdict[without-openmp]}; with OpenMP: ${verdict[with-openmp]}"
