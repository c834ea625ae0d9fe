#!/usr/bin/env python3
"""Measuring worker of thread-scaling-check.

One worker process runs per thread count. OMP_NUM_THREADS (and friends) is
set in its environment before Python starts, so every OpenMP runtime in the
process, torch's and a second one the extension may link, sizes its team
from it; torch.set_num_threads() is called on top for torch's own pool.

The coordinator (TypeScript) sends one JSON command per line on stdin and
reads one JSON reply per line from file descriptor 3, so anything the
workload prints on stdout or stderr cannot corrupt the protocol.

Commands:
  {"op": "calibrate", "case": NAME, "target": SECONDS}
  {"op": "run", "case": NAME, "iters": K, "start_at": EPOCH_SECONDS (optional)}
  {"op": "exit"}
start_at makes several single-thread copies begin a sample at the same
moment: their combined throughput is the reference a threaded kernel is
judged against.
The worker first replies {"op": "ready", ...} or {"op": "error", ...}.
"""

import importlib.util
import json
import math
import os
import re
import resource
import sys
import time
import traceback

CONTROL_CASE = "__control__"
WORKLOAD_INFO = {}
PROTOCOL_VERSION = 1


def reply(channel, obj):
    channel.write(json.dumps(obj, allow_nan=False) + "\n")
    channel.flush()


def error_reply(stage, exc, case=None):
    return {
        "op": "error",
        "stage": stage,
        "case": case,
        "type": type(exc).__name__,
        "message": str(exc) or type(exc).__name__,
        "traceback": traceback.format_exc(limit=20),
    }


# ---- runner facts -----------------------------------------------------------


def cgroup_cpu_limit():
    """CPUs allowed by the cgroup quota (v2 cpu.max or v1 cfs), or None."""
    limits = []
    try:
        with open("/proc/self/cgroup") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hierarchy, controllers, rel = parts
        if hierarchy == "0" and controllers == "":
            # cgroup v2: every ancestor's cpu.max can cap us.
            rel = rel.strip("/")
            segments = rel.split("/") if rel else []
            for depth in range(len(segments), -1, -1):
                p = os.path.join("/sys/fs/cgroup", *segments[:depth], "cpu.max")
                try:
                    quota, period = open(p).read().split()[:2]
                except (OSError, ValueError):
                    continue
                if quota != "max" and float(period) > 0:
                    limits.append(float(quota) / float(period))
        elif "cpu" in controllers.split(","):
            base = "/sys/fs/cgroup/cpu,cpuacct" if os.path.isdir("/sys/fs/cgroup/cpu,cpuacct") else "/sys/fs/cgroup/cpu"
            for d in (os.path.join(base, rel.strip("/")), base):
                try:
                    quota = float(open(os.path.join(d, "cpu.cfs_quota_us")).read())
                    period = float(open(os.path.join(d, "cpu.cfs_period_us")).read())
                except (OSError, ValueError):
                    continue
                if quota > 0 and period > 0:
                    limits.append(quota / period)
                break
    return min(limits) if limits else None


def memory_available():
    """Bytes the runner can still give new processes, or None where unknown.

    MemAvailable counts reclaimable cache, unlike free pages; the reference
    copies are only started when it can hold them.
    """
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def peak_rss():
    """This process's peak resident memory in bytes (ru_maxrss: KiB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(rss if sys.platform == "darwin" else rss * 1024)


def runner_facts(torch):
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS has no affinity API
        affinity = None
    cpu_count = os.cpu_count() or 1
    quota = cgroup_cpu_limit()
    usable = float(affinity if affinity is not None else cpu_count)
    if quota is not None:
        usable = min(usable, quota)
    # torch's libraries, for the two-runtimes check: its lib dir and the
    # libtorch_cpu this process really mapped (Debian keeps it outside torch/).
    loaded = []
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                p = line.split(None, 5)[-1].strip()
                if "torch_cpu" in os.path.basename(p) and p not in loaded:
                    loaded.append(p)
    except OSError:
        pass
    info = torch.__config__.parallel_info()
    backend = "unknown"
    for line in info.splitlines():
        if line.startswith("ATen parallel backend:"):
            backend = line.split(":", 1)[1].strip()
    return {
        "python": sys.executable,
        "python_version": "%d.%d.%d" % sys.version_info[:3],
        "platform": sys.platform,
        "torch_version": torch.__version__,
        "parallel_backend": backend,
        "parallel_info": info,
        "cpu_count": cpu_count,
        "affinity_cpus": affinity,
        "cgroup_cpus": quota,
        "usable_cpus": usable,
        "mem_available": memory_available(),
        "torch_lib_dir": os.path.join(os.path.dirname(torch.__file__), "lib"),
        "torch_cpu_loaded": loaded,
    }


def mapped_libraries():
    """Shared libraries this process has mapped, by the path the kernel shows
    (symlinks resolved), in address order; None without /proc.

    Read after the workload imported the extension: whether the extension's
    OpenMP runtime and torch's are one copy or two is decided by the loader
    (soname reuse, load order), and this is what it decided.
    """
    seen = []
    if sys.platform == "darwin":
        return dyld_images()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                parts = line.split(None, 5)
                if len(parts) < 6:
                    continue
                p = parts[5].strip()
                if p.startswith("/") and ".so" in os.path.basename(p) and p not in seen:
                    seen.append(p)
    except OSError:
        return None
    return seen


def dyld_images():
    """macOS: the images dyld has loaded (shared libraries and bundles), by real path; None where dyld won't say."""
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc._dyld_image_count.restype = ctypes.c_uint32
        libc._dyld_get_image_name.restype = ctypes.c_char_p
        libc._dyld_get_image_name.argtypes = [ctypes.c_uint32]
        seen = []
        for i in range(libc._dyld_image_count()):
            name = libc._dyld_get_image_name(i)
            if not name:
                continue
            p = os.path.realpath(name.decode("utf-8", "replace"))
            base = os.path.basename(p)
            if (".so" in base or ".dylib" in base) and p not in seen:
                seen.append(p)
        return seen
    except (OSError, AttributeError, ValueError):
        return None


# ---- per-thread CPU time ----------------------------------------------------


def _clock_ticks():
    try:
        return float(os.sysconf("SC_CLK_TCK"))
    except (AttributeError, ValueError, OSError):
        return 100.0


TICKS = _clock_ticks()


def steal_ticks():
    """(steal, total) ticks of all CPUs from /proc/stat, or None.

    Steal is time the hypervisor ran something else on our vCPUs. The
    guest's per-thread CPU clocks don't count it, so a parallel kernel looks
    flat while its threads wait for a vCPU; the judge needs to know.
    """
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    if len(fields) < 8:
        return None
    return fields[7], sum(fields[:8])


def thread_times():
    """Per thread of this process: (seconds on CPU, seconds runnable but
    waiting for a CPU), or None where /proc is absent.

    schedstat counts nanoseconds and also holds run_delay, the wait: another
    process on the runner that takes our CPUs shows there, much as the
    hypervisor's steal does in /proc/stat. stat's utime+stime only counts
    clock ticks and has no wait (None), so it is the fallback when the kernel
    lacks schedstat.
    """
    base = "/proc/self/task"
    try:
        tids = os.listdir(base)
    except OSError:
        return None
    out = {}
    for tid in tids:
        try:
            with open("%s/%s/schedstat" % (base, tid)) as f:
                fields = f.read().split()
            out[tid] = (int(fields[0]) / 1e9, int(fields[1]) / 1e9)
            continue
        except (OSError, ValueError, IndexError):
            pass
        try:
            with open("%s/%s/stat" % (base, tid)) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[tid] = ((int(fields[11]) + int(fields[12])) / TICKS, None)
        except (OSError, ValueError, IndexError):
            continue
    return out


def runqueue_wait(times):
    """Total wait of all threads in a thread_times() reading, or None where unknown."""
    if times is None or any(wait is None for _, wait in times.values()):
        return None
    return sum(wait for _, wait in times.values())


def busy_threads(before, after):
    """Per-thread CPU seconds spent during a sample, busiest first."""
    if before is None or after is None:
        return None
    deltas = [after[t][0] - before.get(t, (0.0, None))[0] for t in after]
    deltas = [d for d in deltas if d > 0]
    deltas.sort(reverse=True)
    return deltas


# ---- parallel-region counter --------------------------------------------------


class RegionCounter:
    """count_regions.c, preloaded by the coordinator (LD_PRELOAD), read through ctypes.

    The library must already be in the process: loading it here would load a
    copy that wraps nothing and would count no region at all, so it is only
    looked up (RTLD_NOLOAD). `reason` says why counting is off, or is None.

    As an OMPT tool (TSC_COUNT_VIA=ompt) LLVM's libomp loads it when the
    runtime starts, so it is looked up once the workload has imported the
    extension (attach_ompt), after starting every OpenMP runtime mapped.
    """

    def __init__(self):
        self.lib = None
        self.reason = None
        self.buf = None
        self.via = os.environ.get("TSC_COUNT_VIA") or "ld-preload"
        path = os.environ.get("TSC_COUNT_LIB")
        if not path:
            self.reason = "the coordinator did not load the counter"
            return
        if self.via == "ompt":
            self.reason = "the OMPT tool is looked up once the workload is imported"
            return
        self._open(path)

    def attach_ompt(self, mapped):
        """OMPT: start the OpenMP runtimes the process mapped (which loads the tool), then find the tool in the process."""
        if self.via != "ompt" or not os.environ.get("TSC_COUNT_LIB"):
            return
        import ctypes

        runtimes = [p for p in (mapped or []) if re.search(r"lib(g?omp|iomp5)[^/]*\.(so|dylib)", os.path.basename(p))]
        for p in runtimes:
            try:
                rt = ctypes.CDLL(p, mode=getattr(os, "RTLD_NOLOAD", 4) | getattr(os, "RTLD_NOW", 2))
                rt.omp_get_max_threads()
            except (OSError, AttributeError):
                pass
        self._open(os.environ["TSC_COUNT_LIB"])
        if self.lib is None:
            self.reason = (
                "no OpenMP runtime in the measuring process loaded the OMPT tool (OMP_TOOL_LIBRARIES): GNU libgomp has no OMPT, "
                "and LLVM's libomp loads it only when OMP_TOOL is not disabled and no other tool listed before it accepted (runtimes mapped: %s)" % (", ".join(runtimes) or "none")
            )
        elif not self.lib.tsc_counts_active():
            self.lib = None
            self.reason = "the OpenMP runtime loaded the OMPT tool but did not start it (it refused a callback)"
        else:
            self.reason = None

    def _open(self, path):
        try:
            import ctypes

            lib = ctypes.CDLL(path, mode=getattr(os, "RTLD_NOLOAD", 4) | getattr(os, "RTLD_NOW", 2))
            lib.tsc_counts_read.restype = ctypes.c_size_t
            lib.tsc_counts_read.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
            self.lib = lib
            self.buf = ctypes.create_string_buffer(1 << 16)
        except (OSError, AttributeError) as exc:
            if self.via == "ompt":
                return
            self.reason = "LD_PRELOAD did not load the counter into the measuring process (%s): a hardened or statically linked interpreter ignores it" % (exc,)

    def reset(self):
        if self.lib is not None:
            self.lib.tsc_counts_reset()

    def read(self):
        """Per shared object: regions opened, largest team, regions with a team of 1, ns inside; None when not counting."""
        if self.lib is None:
            return None
        need = self.lib.tsc_counts_read(self.buf, len(self.buf))
        if need >= len(self.buf):
            import ctypes

            self.buf = ctypes.create_string_buffer(need + 1)
            self.lib.tsc_counts_read(self.buf, len(self.buf))
        out = []
        for o in json.loads(self.buf.value.decode("utf-8", "replace")).get("objects", []):
            p = o.get("path", "")
            o["path"] = os.path.realpath(p) if p.startswith("/") or "/" in p else p
            out.append(o)
        return out


COUNTER = None


# ---- workload ---------------------------------------------------------------


def load_workload(path, workdir):
    if workdir not in sys.path:
        sys.path.insert(0, workdir)
    spec = importlib.util.spec_from_file_location("thread_scaling_workload", path)
    if spec is None or spec.loader is None:
        raise ImportError("cannot load %s as a Python module" % path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, "cases") or not callable(module.cases):
        raise TypeError("%s defines no cases() function; it must return a dict from case name to a zero-argument callable" % path)
    cases = module.cases()
    if not isinstance(cases, dict) or not cases:
        raise TypeError("cases() in %s returned %s; it must return a non-empty dict from case name to a zero-argument callable" % (path, type(cases).__name__))
    describe = getattr(module, "describe", None)
    if callable(describe):
        # Optional: what the workload ran against (a preset names the torchvision it imported).
        WORKLOAD_INFO.update({str(k): str(v) for k, v in dict(describe()).items()})
    for name, fn in cases.items():
        if not isinstance(name, str) or not name or name == CONTROL_CASE:
            raise TypeError("cases() in %s has an invalid case name %r; names are non-empty strings" % (path, name))
        if not callable(fn):
            raise TypeError("case %r in %s is %s, not a zero-argument callable" % (name, path, type(fn).__name__))
    return cases


def cuda_available(torch):
    try:
        return bool(torch.cuda.is_available())
    except Exception:  # noqa: BLE001 - a broken CUDA setup is no CUDA
        return False


def no_cuda_reason(torch):
    """Why CUDA cases can't run here, in words for the report."""
    if getattr(torch.version, "cuda", None) is None:
        return "torch.cuda.is_available() is False: this torch (%s) is a CPU build" % torch.__version__
    return "torch.cuda.is_available() is False on this runner (torch %s, CUDA %s): no GPU or driver" % (torch.__version__, torch.version.cuda)


# What torch and the CUDA runtime say when there is no GPU or driver.
CUDA_MISSING = ("no cuda gpus", "nvidia driver", "not compiled with cuda", "cuda driver", "cudagetdevicecount", "no kernel image", "cuda error: no", "found no nvidia")


def is_cuda_missing(exc):
    text = ("%s: %s" % (type(exc).__name__, exc)).lower()
    return any(m in text for m in CUDA_MISSING)


def split_cuda_cases(torch, cases):
    """Cases marked `needs_cuda = True`: (gpu case names, {name: reason} to skip).

    Without CUDA they are skipped, never failed; with it they are timed for
    information (CPU threads don't speed up a GPU kernel).
    """
    marked = [name for name, fn in cases.items() if getattr(fn, "needs_cuda", False)]
    if not marked or cuda_available(torch):
        return marked, {}
    reason = "needs CUDA (needs_cuda = True), and " + no_cuda_reason(torch)
    return [], {name: reason for name in marked}


def control_case(torch):
    """A libtorch op known to run through at::parallel_for and to be compute-bound.

    digamma on values in [0.5, 4.5) keeps the data in cache and does enough
    work per element that it scales with cores, unlike sin or add, which are
    memory-bound and scale badly even when parallel.
    """
    g = torch.Generator().manual_seed(0)
    x = torch.rand(1 << 19, generator=g) * 4 + 0.5
    return lambda: torch.digamma(x)


CHUNKS = 8


def wait_until(start_at):
    """Sleeps until the shared wall-clock moment start_at (seconds since the epoch)."""
    if start_at is None:
        return
    delay = float(start_at) - time.time()
    if delay > 0:
        time.sleep(min(delay, 5.0))


def run_sample(fn, iters):
    """Times `iters` calls, in up to CHUNKS timed chunks.

    Per-call times of each chunk let the coordinator take a median within the
    sample: a neighbour that preempts the process for a few milliseconds
    spoils one chunk, not the whole sample.

    Per-thread CPU is read over the second half only. OpenMP pool threads
    keep spin-waiting for a while after the previous parallel op (libgomp:
    milliseconds; libomp: up to KMP_BLOCKTIME). Counting that tail would make
    a serial case that follows a parallel one look multi-threaded.
    """
    chunks = min(iters, CHUNKS)
    sizes = [iters // chunks + (1 if i < iters % chunks else 0) for i in range(chunks)]
    window = chunks // 2  # first chunk of the per-thread CPU window
    per_call = []
    start = thread_times()
    mid = start
    s0 = steal_ticks()
    counter = COUNTER
    if counter is not None:
        counter.reset()
    c0 = time.process_time()
    t0 = time.perf_counter()
    for i, size in enumerate(sizes):
        if i == window and i > 0:
            mid = thread_times()
        t = time.perf_counter()
        for _ in range(size):
            fn()
        per_call.append((time.perf_counter() - t) / size)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    regions = counter.read() if counter is not None else None
    after = thread_times()
    s1 = steal_ticks()
    w0, w1 = runqueue_wait(start), runqueue_wait(after)
    steal = [s1[0] - s0[0], s1[1] - s0[1]] if s0 and s1 else None
    # Threads that exited during the sample take their run_delay with them.
    wait = max(0.0, w1 - w0) if w0 is not None and w1 is not None else None
    return {"op": "sample", "iters": iters, "wall": wall, "cpu": cpu, "per_call": per_call, "steal": steal, "wait": wait, "thread_cpu": busy_threads(mid, after), "peak_rss": peak_rss(), "regions": regions}


def calibrate(fn, target):
    """Iterations per sample so that one sample lasts about `target` seconds.

    Short samples are dominated by fork/join and timer noise; a few hundred
    milliseconds make the comparison fair for kernels of any size. A quarter
    of the target is long enough to extrapolate from: the exact sample length
    doesn't matter, and calibrating costs time before any sample counts.
    """
    iters = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        wall = time.perf_counter() - t0
        if wall >= target / 4 or iters >= 1 << 24:
            per_iter = wall / iters
            return {"op": "calibrated", "iters": max(1, int(math.ceil(target / max(per_iter, 1e-9)))), "per_iter": per_iter, "peak_rss": peak_rss()}
        iters = iters * 2 if wall < target / 32 else int(math.ceil(iters * target / 4 / max(wall, 1e-9)) + 1)


def main():
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--workload", default="")
    parser.add_argument("--workdir", default=os.getcwd())
    args = parser.parse_args()

    try:
        channel = os.fdopen(3, "w")
    except OSError:
        channel = sys.stdout
    try:
        import torch

        global COUNTER
        COUNTER = RegionCounter()
        torch.set_num_threads(args.threads)
        facts = runner_facts(torch)
        facts["torch_threads"] = torch.get_num_threads()
    except Exception as exc:  # noqa: BLE001 - every failure becomes a reply
        reply(channel, error_reply("torch", exc))
        return 2
    try:
        cases = load_workload(args.workload, args.workdir) if args.workload else {}
    except BaseException as exc:  # noqa: BLE001 - SystemExit in a workload too
        reply(channel, error_reply("import", exc))
        return 2
    cases = dict(cases)
    gpu_cases, skipped = split_cuda_cases(torch, cases)
    for name in skipped:
        del cases[name]
    cases[CONTROL_CASE] = control_case(torch)
    if args.workload:
        facts["mapped_libraries"] = mapped_libraries()
        COUNTER.attach_ompt(facts["mapped_libraries"])
    reply(channel, {"op": "ready", "protocol": PROTOCOL_VERSION, "threads": args.threads, "facts": facts, "cases": [c for c in cases if c != CONTROL_CASE], "gpu_cases": gpu_cases, "skipped": skipped, "workload_info": WORKLOAD_INFO, "peak_rss": peak_rss(), "counting": {"available": COUNTER.lib is not None, "reason": COUNTER.reason}})

    for line in sys.stdin:
        try:
            cmd = json.loads(line)
        except ValueError:
            continue
        op = cmd.get("op")
        if op == "exit":
            break
        name = cmd.get("case")
        fn = cases.get(name)
        if fn is None:
            reply(channel, {"op": "error", "stage": "protocol", "case": name, "type": "KeyError", "message": "no case named %r" % name, "traceback": ""})
            continue
        try:
            if op == "calibrate":
                reply(channel, calibrate(fn, float(cmd.get("target", 0.25))))
            elif op == "run":
                wait_until(cmd.get("start_at"))
                reply(channel, run_sample(fn, int(cmd.get("iters", 1))))
            else:
                reply(channel, {"op": "error", "stage": "protocol", "case": name, "type": "ValueError", "message": "unknown op %r" % op, "traceback": ""})
        except BaseException as exc:  # noqa: BLE001 - report and keep serving other cases
            err = error_reply("run", exc, name)
            # An unmarked case that turns out to need CUDA is skipped with the reason, not failed.
            if not cuda_available(torch) and is_cuda_missing(exc):
                err["cuda_missing"] = no_cuda_reason(torch)
            reply(channel, err)
    return 0


if __name__ == "__main__":
    status = main()
    # Skip interpreter teardown (torch's takes a few hundred ms per worker):
    # everything the coordinator needs was already sent and flushed.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
