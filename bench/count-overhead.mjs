#!/usr/bin/env node
// What counting parallel regions costs: the same samples timed in a measuring
// process without the counter and in one with it (count_regions.c through
// LD_PRELOAD, or the OMPT tool with --via ompt), side by side.
//
// Two harness processes (src/measure/harness.py, the real one) run at the
// same thread count, one plain and one counted. Samples alternate between
// them in ABBA order, so drift on a shared machine hits both alike; each pair
// gives one ratio, counted / plain, of the median time per call (the harness
// times each sample in up to 8 chunks). The counted process also resets and
// reads the counters around every sample, as in a real run.
//
// Cases, chosen for many short regions (the counter's cost is per region, so
// short regions are its worst case):
//   add-64k    torch.add on 64K floats: one libtorch region of ~10-30 µs per call
//   digamma    torch.digamma on 256K floats: one region of about a millisecond
//   ext-full   with --ext DIR (a built __fixtures__/count-ext): the extension's own
//              at::parallel_for, one region per call, then a libtorch GEMM
//
// Prints, per case, the regions per call the counter saw, the median ratio
// with a bootstrap 95% interval, the mean, and the pairs; exits 1 when a
// median is off by 1% or more.
//
// Then the counter's own cost per region, where no scheduler enters: a C
// program opens 200,000 empty regions with a team of one (OMP_NUM_THREADS=1,
// so every region still goes through GOMP_parallel and the counter), plain and
// preloaded in ABBA pairs; the difference in ns per region, set against the
// time per call of each case above, bounds what counting adds to it. On a
// runner whose other processes hold the CPUs a team of two waits milliseconds
// for its second thread (a 134 µs torch.add took 16 ms beside a load of 6 on
// 2 vCPUs), and the pairs above then measure the scheduler, not the counter
// (--a-a shows how far two plain processes differ).
//
// Usage: node bench/count-overhead.mjs [--pairs N] [--threads N] [--python /usr/bin/python3]
//          [--sample-seconds S] [--via ld-preload|ompt] [--ext DIR] [--cc cc] [--cases add-64k,digamma,ext-full]
//          [--a-a]   (both processes plain: how far two processes differ without any counter)
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '40' },
    threads: { type: 'string', default: '2' },
    python: { type: 'string', default: '/usr/bin/python3' },
    'sample-seconds': { type: 'string', default: '0.2' },
    via: { type: 'string', default: 'ld-preload' },
    ext: { type: 'string' },
    cc: { type: 'string', default: process.env.CC || 'cc' },
    cases: { type: 'string' },
    'a-a': { type: 'boolean', default: false }
  }
})
const pairs = Number(values.pairs)
const threads = Number(values.threads)
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const harness = path.join(root, 'src', 'measure', 'harness.py')
const source = path.join(root, 'src', 'measure', 'count_regions.c')

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-count-overhead-'))
// The counter, built as counter.ts builds it.
const ompt = values.via === 'ompt'
const library = path.join(dir, `libtsc_count-${createHash('sha256').update(fs.readFileSync(source)).digest('hex').slice(0, 8)}.so`)
execFileSync(values.cc, ['-shared', '-fPIC', '-O2', ...(ompt ? ['-DTSC_OMPT'] : []), '-o', library, source, '-ldl', '-pthread'])

const workload = path.join(dir, 'workload.py')
fs.writeFileSync(
  workload,
  `import os, sys
import torch
g = torch.Generator().manual_seed(0)
small = torch.rand(1 << 16, generator=g)
mid = torch.rand(1 << 18, generator=g) * 4 + 0.5
def cases():
    out = {"add-64k": lambda: torch.add(small, small), "digamma": lambda: torch.digamma(mid)}
    ext = os.environ.get("BENCH_EXT")
    if ext:
        sys.path.insert(0, ext)
        import count_ext
        X = torch.rand(1 << 15, generator=g) * 2 - 1
        A = torch.rand(384, 384, generator=g)
        def full():
            count_ext.full(X)
            torch.mm(A, A)
        out["ext-full"] = full
    return out
`
)

/** One harness process, spoken to over its protocol (commands on stdin, replies on fd 3). */
function worker(counted) {
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), ...(values.ext ? { BENCH_EXT: path.resolve(values.ext) } : {}) }
  delete env.LD_PRELOAD
  if (counted && !values['a-a']) Object.assign(env, ompt ? { OMP_TOOL_LIBRARIES: library, TSC_COUNT_VIA: 'ompt' } : { LD_PRELOAD: library }, { TSC_COUNT_LIB: library })
  const child = spawn(values.python, [harness, '--threads', String(threads), '--workload', workload, '--workdir', dir], { env, stdio: ['pipe', 'ignore', 'inherit', 'pipe'] })
  let buf = ''
  const waiting = []
  child.stdio[3].on('data', d => {
    buf += d
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      waiting.shift()?.(JSON.parse(line))
    }
  })
  const next = () => new Promise(resolve => waiting.push(resolve))
  return {
    ready: next(),
    ask(cmd) {
      const p = next()
      child.stdin.write(JSON.stringify(cmd) + '\n')
      return p
    },
    close() {
      child.stdin.write('{"op":"exit"}\n')
    }
  }
}

const median = xs => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
function bootstrap(xs, n = 4000) {
  let seed = 12345
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  const meds = []
  for (let i = 0; i < n; i++) meds.push(median(Array.from(xs, () => xs[Math.floor(rand() * xs.length)])))
  meds.sort((a, b) => a - b)
  return [meds[Math.floor(n * 0.025)], meds[Math.floor(n * 0.975)]]
}

const plain = worker(false)
const counted = worker(true)
const [a, b] = [await plain.ready, await counted.ready]
if (a.op !== 'ready' || b.op !== 'ready') throw new Error(`harness did not start: ${JSON.stringify(a.op !== 'ready' ? a : b)}`)
if (!values['a-a'] && !b.counting?.available) throw new Error(`the counter is not in the counted process: ${b.counting?.reason}`)
console.log(`torch ${a.facts.torch_version ?? a.facts.torchVersion ?? ''}, ${threads} threads, counter via ${values.via}, ${pairs} ABBA pairs per case, samples of ~${values['sample-seconds']} s`)

let worst = 0
const perCase = []
for (const name of a.cases.filter(c => !values.cases || values.cases.split(',').includes(c))) {
  // Three times: the first calls of a case start thread pools and would make the estimate far too slow.
  await plain.ask({ op: 'calibrate', case: name, target: Number(values['sample-seconds']) })
  await plain.ask({ op: 'calibrate', case: name, target: Number(values['sample-seconds']) })
  const cal = await plain.ask({ op: 'calibrate', case: name, target: Number(values['sample-seconds']) })
  const iters = cal.iters ?? 1
  const perCall = r => median(r.per_call?.length ? r.per_call : [r.wall / r.iters])
  // Warm both: thread pools, caches, the counter's object table.
  await plain.ask({ op: 'run', case: name, iters })
  await counted.ask({ op: 'run', case: name, iters })
  const ratios = []
  const plainTimes = []
  const regionsPerCall = []
  let regions = null
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 ? [counted, plain] : [plain, counted]
    const out = new Map()
    for (const w of order) out.set(w, await w.ask({ op: 'run', case: name, iters }))
    const c = out.get(counted)
    ratios.push(perCall(c) / perCall(out.get(plain)))
    plainTimes.push(perCall(out.get(plain)))
    regionsPerCall.push((c.regions ?? []).reduce((n, o) => n + o.regions, 0) / c.iters)
    regions ??= (c.regions ?? []).map(o => `${path.basename(o.path)} ${(o.regions / c.iters).toFixed(1)}/call (team ${o.max_team})`).join(', ')
  }
  const med = median(ratios)
  const [lo, hi] = bootstrap(ratios)
  const mean = ratios.reduce((x, y) => x + y, 0) / ratios.length
  worst = Math.max(worst, Math.abs(med - 1))
  perCase.push({ name, seconds: median(plainTimes), regions: median(regionsPerCall) })
  console.log(`${name.padEnd(9)} ${iters} calls/sample; counted: ${regions || 'none'}`)
  console.log(`          counted/plain median ${med.toFixed(4)} (95% ${lo.toFixed(4)}-${hi.toFixed(4)}), mean ${mean.toFixed(4)}, min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}, n=${ratios.length}`)
}
plain.close()
counted.close()

// The counter's cost per region (team of one: no thread waits for a CPU).
const prog = path.join(dir, 'empty.c')
fs.writeFileSync(
  prog,
  `#include <stdio.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(void) {
  volatile int x = 0;
  const int n = 200000;
  for (int i = 0; i < 2000; i++) {
#pragma omp parallel
    { x++; }
  }
  double t0 = now();
  for (int i = 0; i < n; i++) {
#pragma omp parallel
    { x++; }
  }
  printf("%.3f\\n", (now() - t0) / n * 1e9);
  return 0;
}
`
)
const exe = path.join(dir, 'empty')
execFileSync(values.cc, ['-O2', '-fopenmp', '-o', exe, prog])
const regionNs = preload => Number(execFileSync(exe, { env: { ...process.env, OMP_NUM_THREADS: '1', ...(preload && !ompt ? { LD_PRELOAD: library } : {}) }, encoding: 'utf8' }))
const diffs = []
const plainNs = []
for (let i = 0; i < pairs; i++) {
  const [x, y] = i % 2 ? [regionNs(true), regionNs(false)] : [regionNs(false), regionNs(true)].reverse()
  diffs.push(x - y)
  plainNs.push(y)
}
const [dlo, dhi] = bootstrap(diffs)
console.log(`per region (team of one, ${pairs} ABBA pairs of 200,000 regions): plain ${median(plainNs).toFixed(0)} ns, counter adds median ${median(diffs).toFixed(0)} ns (95% ${dlo.toFixed(0)}-${dhi.toFixed(0)} ns)${ompt ? ' [--via ompt: this part measures the LD_PRELOAD build only]' : ''}`)
console.log(`  so counting adds under 1% to any call whose regions last ${(median(diffs) / 10).toFixed(0)} ns x 1000 = ${((median(diffs) * 100) / 1000).toFixed(1)} µs or more each`)
for (const c of perCase) console.log(`  ${c.name.padEnd(9)} ${c.regions.toFixed(1)} region(s) per call of ${(c.seconds * 1e6).toFixed(0)} µs (median here): the counter's own work adds ${((c.regions * median(diffs) * 1e-9) / c.seconds * 100).toFixed(3)}%`)
fs.rmSync(dir, { recursive: true, force: true })
console.log(`Largest median change: ${(worst * 100).toFixed(2)}% (${worst < 0.01 ? 'under' : 'NOT under'} 1%)`)
process.exitCode = worst < 0.01 ? 0 : 1
