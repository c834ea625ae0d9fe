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
// reads the counters around every sample, as in a real run. The pairs are
// spread over --processes fresh process pairs: two processes of the same
// program differ by a few percent on short calls (memory layout, where their
// threads run; --a-a shows it), so the interval is taken over process pairs.
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
// Usage: node bench/count-overhead.mjs [--pairs N] [--processes P] [--threads N] [--python /usr/bin/python3]
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
    processes: { type: 'string', default: '8' },
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

/** Starts a plain and a counted harness process; checks they are what they claim. */
async function startPair() {
  const plain = worker(false)
  const counted = worker(true)
  const [a, b] = [await plain.ready, await counted.ready]
  if (a.op !== 'ready' || b.op !== 'ready') throw new Error(`harness did not start: ${JSON.stringify(a.op !== 'ready' ? a : b)}`)
  if (!values['a-a'] && !b.counting?.available) throw new Error(`the counter is not in the counted process: ${b.counting?.reason}`)
  return { plain, counted, ready: a }
}

const perCall = r => median(r.per_call?.length ? r.per_call : [r.wall / r.iters])

/** One process pair's ABBA pairs on one case: the counted/plain ratio per pair. */
async function pairsOn({ plain, counted }, name, iters, n, into) {
  // Warm both: thread pools, caches, the counter's object table.
  await plain.ask({ op: 'run', case: name, iters })
  await counted.ask({ op: 'run', case: name, iters })
  const ratios = []
  for (let i = 0; i < n; i++) {
    const order = i % 2 ? [counted, plain] : [plain, counted]
    const out = new Map()
    for (const w of order) out.set(w, await w.ask({ op: 'run', case: name, iters }))
    const c = out.get(counted)
    ratios.push(perCall(c) / perCall(out.get(plain)))
    into.plainTimes.push(perCall(out.get(plain)))
    into.regionsPerCall.push((c.regions ?? []).reduce((k, o) => k + o.regions, 0) / c.iters)
    into.regions ??= (c.regions ?? []).map(o => `${path.basename(o.path)} ${(o.regions / c.iters).toFixed(1)}/call (team ${o.max_team})`).join(', ')
  }
  into.pairRatios.push(...ratios)
  into.processRatios.push(median(ratios))
}

// Two processes differ by more than the counter costs (memory layout, where
// their threads land: --a-a showed 8% between two plain processes on add-64k
// with one pair of processes), so the pairs are spread over fresh process
// pairs and the unit of the interval is the process pair, not the sample.
const processes = Math.max(1, Math.min(Number(values.processes), pairs))
const perProcess = Math.max(1, Math.round(pairs / processes))
let first = await startPair()
console.log(`torch ${first.ready.facts.torch_version ?? first.ready.facts.torchVersion ?? ''}, ${threads} threads, counter via ${values.via}, ${processes} fresh process pairs x ${perProcess} ABBA pairs per case, samples of ~${values['sample-seconds']} s`)
const names = first.ready.cases.filter(c => !values.cases || values.cases.split(',').includes(c))
const results = new Map(names.map(n => [n, { iters: 1, plainTimes: [], regionsPerCall: [], regions: null, pairRatios: [], processRatios: [] }]))
for (const name of names) {
  // Three times: the first calls of a case start thread pools and would make the estimate far too slow.
  let cal
  for (let i = 0; i < 3; i++) cal = await first.plain.ask({ op: 'calibrate', case: name, target: Number(values['sample-seconds']) })
  results.get(name).iters = cal.iters ?? 1
}
for (let p = 0; p < processes; p++) {
  const pair = p === 0 ? first : await startPair()
  for (const name of names) await pairsOn(pair, name, results.get(name).iters, perProcess, results.get(name))
  pair.plain.close()
  pair.counted.close()
}

let worst = 0
let worstHigh = 0
const perCase = []
for (const [name, r] of results) {
  const med = median(r.processRatios)
  const [lo, hi] = bootstrap(r.processRatios)
  worst = Math.max(worst, Math.abs(med - 1))
  worstHigh = Math.max(worstHigh, hi - 1, 1 - lo)
  perCase.push({ name, seconds: median(r.plainTimes), regions: median(r.regionsPerCall) })
  console.log(`${name.padEnd(9)} ${r.iters} calls/sample; counted: ${r.regions || 'none'}`)
  console.log(`          counted/plain, median of ${r.processRatios.length} process pairs ${med.toFixed(4)} (95% ${lo.toFixed(4)}-${hi.toFixed(4)}); per process pair ${r.processRatios.map(x => x.toFixed(3)).join(' ')}`)
  console.log(`          all ${r.pairRatios.length} sample pairs: median ${median(r.pairRatios).toFixed(4)}, min ${Math.min(...r.pairRatios).toFixed(3)}, max ${Math.max(...r.pairRatios).toFixed(3)}`)
}

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
const regionNs = (preload, team) => Number(execFileSync(exe, { env: { ...process.env, OMP_NUM_THREADS: String(team), ...(preload && !ompt ? { LD_PRELOAD: library } : {}) }, encoding: 'utf8' }))
/** ABBA pairs of fresh processes (plain, preloaded): what the counter adds per region at this team size. */
function perRegion(team) {
  const diffs = []
  const plainNs = []
  for (let i = 0; i < pairs; i++) {
    const [x, y] = i % 2 ? [regionNs(true, team), regionNs(false, team)] : [regionNs(false, team), regionNs(true, team)].reverse()
    diffs.push(x - y)
    plainNs.push(y)
  }
  const [lo, hi] = bootstrap(diffs)
  console.log(`per region, team of ${team} (${pairs} ABBA pairs of fresh processes, 200,000 regions each): plain ${median(plainNs).toFixed(0)} ns, counter adds median ${median(diffs).toFixed(0)} ns (95% ${lo.toFixed(0)}-${hi.toFixed(0)} ns)${ompt ? ' [--via ompt: this part measures the LD_PRELOAD build only]' : ''}`)
  return { median: median(diffs), high: hi }
}
perRegion(1)
// A team of `threads`, as the cases ran: this includes what the other threads pay.
const added = perRegion(threads)
console.log(`  so counting adds under 1% to any call whose regions last ${(added.median / 10).toFixed(0)} ns x 1000 = ${((added.median * 100) / 1000).toFixed(1)} µs or more each`)
let worstOwn = 0
for (const c of perCase) {
  const share = (c.regions * added.median * 1e-9) / c.seconds
  const shareHigh = (c.regions * added.high * 1e-9) / c.seconds
  worstOwn = Math.max(worstOwn, shareHigh)
  console.log(`  ${c.name.padEnd(9)} ${c.regions.toFixed(1)} region(s) per call of ${(c.seconds * 1e6).toFixed(0)} µs (median here): counting adds ${(share * 100).toFixed(3)}% (at most ${(shareHigh * 100).toFixed(3)}% at the interval's top)`)
}
fs.rmSync(dir, { recursive: true, force: true })
console.log(`Process pairs: largest median change ${(worst * 100).toFixed(2)}%, intervals reaching ${(worstHigh * 100).toFixed(2)}% (two processes of one program differ by that much on short calls: see --a-a)`)
console.log(`Per region, at the top of its interval: ${(worstOwn * 100).toFixed(3)}% of the shortest call (${worstOwn < 0.01 ? 'under' : 'NOT under'} 1%)`)
process.exitCode = worstOwn < 0.01 ? 0 : 1
