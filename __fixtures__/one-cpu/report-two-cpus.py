"""Runs the harness (argv[1]) with sched_getaffinity reporting CPUs 0 and 1,
while the process really is pinned to one CPU (see ./python)."""
import os
import runpy
import sys

os.sched_getaffinity = lambda pid: {0, 1}
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
