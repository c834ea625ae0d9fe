#!/usr/bin/env node
// Detection accuracy and time to a verdict of the measuring step, over kernels
// of different character, builds and machine loads, measured side by side.
//
// Builds the benchmark extension bench/kernels twice (with and without OpenMP,
// `BENCH_OPENMP=1`), then runs the full measuring step
// (`dist/cli.js check --build-command none --fail-on never`) on configurations
// kernel x build x load, one kernel per run (`BENCH_CASE=<kernel>` in the check's
// environment; the measuring processes inherit it):
//   kernels  fma            compute-bound, scales ~2x at 2 threads
//            gather         deform_conv2d-style bilinear gather, scales ~2x
//            stream         DRAM-bound triad, scales as far as bandwidth allows
//            false_sharing  parallel yet slower on more threads (OpenMP build only)
//            half_libtorch  half extension kernel, half a libtorch op (conv2d)
//   builds   openmp, no-openmp (every kernel but false_sharing)
//   loads    quiet   nothing else started
//            hog1    one busy loop pinned to CPU 0 (a neighbour stealing a core)
//            nice2   two busy loops at the lowest priority (nice 19), one pinned
//                    to each of CPU 0 and 1 (background work the kernel should beat)
// The script starts the load before each run and stops it afterwards. Runs are
// interleaved: for i in 1..K, one run of every configuration, so drift on a
// shared machine spreads over all of them.
//
// A verdict is wrong when it contradicts the truth:
//   openmp build of fma, gather, stream, half_libtorch   wrong = fail (a false alarm)
//   no-openmp build of any kernel                        wrong = pass (a miss)
//   false_sharing (openmp): it runs in parallel but does not scale,
//                                                        wrong = pass or inconclusive (a miss)
// Inconclusive is otherwise counted apart, not as wrong.
//
// Each run prints one line on stderr (verdict, seconds, and from the report's
// first case the judged speedup, the throughput reference and the cause, or
// n/a where the report has none); --log FILE also appends one JSON line per run.
// At the end: a table per kernel, build and load, and one summary line.
//
// Usage: node bench/measure-bench.mjs [--runs K] [--python /usr/bin/python3] [--keep DIR]
//          [--max-time S] [--kernels fma,gather,...] [--builds openmp,no-openmp]
//          [--loads quiet,hog1,nice2] [--counting on,off] [--log FILE]
//        node bench/measure-bench.mjs --summarize FILE[,FILE...] [--kernels ...] [--builds ...] [--loads ...]
// --counting on,off runs every configuration also with the region counter off
// (TSC_COUNT=0), interleaved, to show what counting changes (default: on).
// Each --log line records the git tree of src/ it measured and the load
// average before the run. --summarize prints the table from such logs without
// running anything, so runs from several sessions add up; only lines measured
// with this checkout's src/ count (a change to the judge makes older runs moot).
// bench/results/measure-bench.jsonl keeps the runs logged so far: append to it
// with --log, and summarize it with --summarize.
// --keep DIR keeps the builds (and reuses them on the next run: a `.built`
// marker per build); without it they go to a temporary directory, removed at
// the end. Linux only (taskset, nice).
import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { parseArgs } from 'node:util'

const KERNELS = ['fma', 'gather', 'stream', 'false_sharing', 'half_libtorch']
const BUILDS = ['openmp', 'no-openmp']
const LOADS = ['quiet', 'hog1', 'nice2']
const COUNTING = ['on', 'off']

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    python: { type: 'string', default: '/usr/bin/python3' },
    keep: { type: 'string' },
    'max-time': { type: 'string', default: '90' },
    kernels: { type: 'string', default: KERNELS.join(',') },
    builds: { type: 'string', default: BUILDS.join(',') },
    loads: { type: 'string', default: LOADS.join(',') },
    counting: { type: 'string', default: 'on' },
    log: { type: 'string' },
    summarize: { type: 'string' }
  }
})

function die(message) {
  process.stderr.write(`measure-bench: ${message}\n`)
  process.exit(2)
}

/** A comma-separated subset of `accepted`, in the order given, without repeats. */
function parseList(option, value, accepted) {
  const items = value
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)
  if (items.length === 0) die(`--${option} is empty; accepted values: ${accepted.join(', ')}`)
  const unknown = items.filter(s => !accepted.includes(s))
  if (unknown.length) die(`--${option}: unknown value(s) ${unknown.map(s => `'${s}'`).join(', ')}; accepted values: ${accepted.join(', ')}`)
  return [...new Set(items)]
}

const runs = Number(values.runs)
if (!Number.isInteger(runs) || runs < 1) die(`--runs must be a whole number >= 1, got '${values.runs}'`)
const maxTime = Number(values['max-time'])
if (!Number.isFinite(maxTime) || maxTime <= 0) die(`--max-time must be a number of seconds > 0, got '${values['max-time']}'`)
const kernels = parseList('kernels', values.kernels, KERNELS)
const buildNames = parseList('builds', values.builds, BUILDS)
const loads = parseList('loads', values.loads, LOADS)
const countings = parseList('counting', values.counting, COUNTING)

/** Counting off is named apart; runs logged before the option existed counted regions. */
function configName(kernel, build, load, counting) {
  return `${kernel}/${build}/${load}${counting === 'off' ? '/uncounted' : ''}`
}

/** Which verdicts are wrong, and what kind of mistake they are. */
function truth(kernel, build) {
  if (build === 'no-openmp') return { expect: 'fail', wrong: ['pass'], kind: 'miss' }
  if (kernel === 'false_sharing') return { expect: 'fail', wrong: ['pass', 'inconclusive'], kind: 'miss' }
  return { expect: 'pass', wrong: ['fail'], kind: 'false alarm' }
}

const configs = []
for (const kernel of kernels)
  for (const build of buildNames) {
    if (kernel === 'false_sharing' && build === 'no-openmp') continue // its point is OpenMP threads fighting over a line
    for (const load of loads)
      for (const counting of countings) configs.push({ kernel, build, load, counting, name: configName(kernel, build, load, counting), ...truth(kernel, build) })
  }
if (configs.length === 0) die(`no configuration left: false_sharing runs only with --builds openmp (got --kernels ${kernels.join(',')} --builds ${buildNames.join(',')})`)

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')

/**
 * The git tree of src/ as checked out, with a hash of any uncommitted change to
 * it: a run counts only for the code it measured.
 */
function sourceTree() {
  const git = args => execFileSync('git', args, { cwd: root, encoding: 'utf8' })
  const tree = git(['rev-parse', 'HEAD:src']).trim()
  const diff = git(['diff', 'HEAD', '--', 'src'])
  if (!diff) return tree
  let h = 0
  for (let i = 0; i < diff.length; i++) h = (Math.imul(h, 31) + diff.charCodeAt(i)) >>> 0
  return `${tree}+${h.toString(16)}`
}
const tree = sourceTree()
const results = Object.fromEntries(configs.map(c => [c.name, []]))

if (values.summarize) {
  const files = values.summarize.split(',').filter(Boolean)
  let other = 0
  for (const file of files) {
    if (!fs.existsSync(file)) die(`--summarize: ${file} does not exist`)
    for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      let r
      try {
        r = JSON.parse(line)
      } catch {
        die(`--summarize: ${file} has a line that is not JSON: ${line.slice(0, 80)}`)
      }
      const name = configName(r.config?.kernel, r.config?.build, r.config?.load, r.config?.counting ?? 'on')
      if (!(name in results)) continue
      if (r.tree !== tree) {
        other++
        continue
      }
      results[name].push(r)
    }
  }
  if (other) process.stderr.write(`measure-bench: left out ${other} run(s) measured with other code than this checkout's src/ (${tree})\n`)
  if (!Object.values(results).some(rs => rs.length)) die(`--summarize: no run in ${files.join(', ')} was measured with this checkout's src/ (${tree})`)
}

/** Builds the extension and runs every configuration `runs` times, appending to `results`. */
async function runAll() {
  const cli = path.join(root, 'dist', 'cli.js')
  if (!fs.existsSync(cli)) die(`${cli} not found: run \`npm run bundle\` first`)
  const work = values.keep ? path.resolve(values.keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-bench-'))
  fs.mkdirSync(work, { recursive: true })
  const logFile = values.log ? path.resolve(values.log) : null

  // Anything left running by an interrupted bench (a hog, a check and its
  // measuring processes) would load every later "quiet" run: kill it on exit.
  const hogs = new Set()
  let running = null // the check in flight, leader of its own process group
  process.once('exit', () => {
    hogs.forEach(h => h.kill('SIGKILL'))
    if (running) killGroup(running, 'SIGKILL')
  })
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => process.exit(130))

  function killGroup(child, signal) {
    try {
      process.kill(-child.pid, signal)
    } catch {
      // already gone
    }
  }

  function build(variant, openmp) {
    const dir = path.join(work, variant)
    if (fs.existsSync(path.join(dir, '.built'))) return dir
    fs.rmSync(dir, { recursive: true, force: true })
    fs.cpSync(path.join(root, 'bench', 'kernels'), dir, { recursive: true, filter: f => !/(^|\/)(build|\.thread-scaling-check|__pycache__)$|\.so$|\.egg-info$/.test(f) })
    process.stderr.write(`building ${variant} in ${dir} ...\n`)
    execFileSync(values.python, ['setup.py', 'build_ext', '--inplace'], { cwd: dir, env: { ...process.env, BENCH_OPENMP: openmp ? '1' : '0' }, stdio: 'ignore' })
    fs.writeFileSync(path.join(dir, '.built'), '')
    return dir
  }

  function busyLoop(cpu, nice) {
    const cmd = ['taskset', '-c', String(cpu), process.execPath, '-e', 'for(;;){}']
    // nice and taskset exec their command: the pid is the busy loop's own.
    const [file, ...args] = nice ? ['nice', '-n', '19', ...cmd] : cmd
    const hog = spawn(file, args, { stdio: 'ignore' })
    hogs.add(hog)
    return hog
  }

  /** Starts the load of a configuration; returns a function that stops it. */
  function startLoad(load) {
    const started = load === 'hog1' ? [busyLoop(0, false)] : load === 'nice2' ? [busyLoop(0, true), busyLoop(1, true)] : []
    return () =>
      Promise.all(
        started.map(
          hog =>
            new Promise(resolve => {
              hogs.delete(hog)
              if (hog.exitCode !== null || hog.signalCode !== null) return resolve()
              hog.once('exit', resolve)
              hog.kill('SIGKILL')
            })
        )
      )
  }

  function check(dir, kernel, counting) {
    const report = path.join(dir, '.thread-scaling-check', 'bench-report.json')
    fs.rmSync(report, { force: true })
    const args = [cli, 'check', '--working-directory', dir, '--build-command', 'none', '--python', values.python, '--workload', 'workload.py', '--max-time', String(maxTime), '--report-path', report, '--fail-on', 'never']
    const t0 = process.hrtime.bigint()
    return new Promise((resolve, reject) => {
      // TSC_COUNT=0 turns the region counter off (src/measure/counter.ts), to measure what counting changes.
      const child = spawn(process.execPath, args, { env: { ...process.env, BENCH_CASE: kernel, ...(counting === 'off' ? { TSC_COUNT: '0' } : {}) }, stdio: ['ignore', 'ignore', 'pipe'], detached: true })
      running = child
      let stderr = ''
      child.stderr.on('data', d => (stderr = (stderr + d).slice(-4000)))
      child.once('error', reject)
      child.once('close', status => {
        running = null
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9
        if (status !== 0) return reject(new Error(`check of ${kernel} failed in ${dir} (status ${status}):\n${stderr.slice(-2000)}`))
        const parsed = JSON.parse(fs.readFileSync(report, 'utf8'))
        resolve({ verdict: parsed.verdict, seconds, firstCase: parsed.cases?.[0] ?? null, measurement: parsed.measurement ?? null })
      })
    })
  }

  const fmt = x => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(2) : 'n/a')

  const dirs = {}
  if (buildNames.includes('openmp')) dirs.openmp = build('openmp', true)
  if (configs.some(c => c.build === 'no-openmp')) dirs['no-openmp'] = build('no-openmp', false)
  const width = Math.max(...configs.map(c => c.name.length))

  for (let i = 0; i < runs; i++) {
    for (const c of configs) {
      const loadBefore = os.loadavg()[0]
      const stop = startLoad(c.load)
      let r
      try {
        r = await check(dirs[c.build], c.kernel, c.counting)
      } finally {
        await stop()
      }
      results[c.name].push(r)
      const fc = r.firstCase
      process.stderr.write(
        `run ${i + 1}/${runs} ${c.name.padEnd(width)} ${String(r.verdict).padEnd(12)} ${r.seconds.toFixed(1).padStart(5)} s` +
          `  judged ${fmt(fc?.judged?.estimate)}  throughput ${fmt(fc?.reference?.throughput?.estimate)}  relative ${fmt(fc?.reference?.relative?.estimate)}  cause ${fc?.cause ?? 'n/a'}\n`
      )
      if (logFile) {
        const line = { run: i + 1, tree, loadBefore, at: new Date().toISOString(), config: { kernel: c.kernel, build: c.build, load: c.load, counting: c.counting }, verdict: r.verdict, seconds: r.seconds, case: fc, stoppedBy: r.measurement?.stoppedBy ?? null, rounds: r.measurement?.rounds ?? null }
        fs.appendFileSync(logFile, JSON.stringify(line) + '\n')
      }
    }
  }
  if (!values.keep) fs.rmSync(work, { recursive: true, force: true })
}

if (!values.summarize) await runAll()

const median = xs => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const shown = configs.filter(c => results[c.name].length > 0)
const rows = shown.map(c => {
  const rs = results[c.name]
  const count = v => rs.filter(r => r.verdict === v).length
  return {
    kernel: c.kernel,
    build: c.build,
    load: c.load,
    counting: c.counting,
    runs: rs.length,
    pass: count('pass'),
    fail: count('fail'),
    inconclusive: count('inconclusive'),
    wrong: rs.filter(r => c.wrong.includes(r.verdict)).length,
    'median s': median(rs.map(r => r.seconds)).toFixed(1),
    'max s': Math.max(...rs.map(r => r.seconds)).toFixed(1)
  }
})
console.log(values.summarize ? `\nthread-scaling-check measuring benchmark, from ${values.summarize} (src tree ${tree})` : `\nthread-scaling-check measuring benchmark: ${runs} run(s) per configuration on ${os.cpus().length} CPU(s), max-time ${maxTime} s`)
console.table(rows)
const all = Object.values(results).flat()
const sum = (pick, f) => rows.filter((_, k) => pick(shown[k])).reduce((a, r) => a + f(r), 0)
const wrong = sum(() => true, r => r.wrong)
const falseAlarms = sum(c => c.kind === 'false alarm', r => r.wrong)
const misses = sum(c => c.kind === 'miss', r => r.wrong)
const scalesQuiet = c => c.load === 'quiet' && c.expect === 'pass'
console.log(
  `summary: wrong verdicts ${wrong} of ${all.length} (false alarms ${falseAlarms}, misses ${misses}); ` +
    `inconclusive ${sum(() => true, r => r.inconclusive)} (quiet: ${sum(scalesQuiet, r => r.inconclusive)} of ${sum(scalesQuiet, r => r.runs)} on kernels that scale); ` +
    `time to verdict median ${median(all.map(r => r.seconds)).toFixed(1)} s, max ${Math.max(...all.map(r => r.seconds)).toFixed(1)} s${values.summarize ? '' : ` (max-time ${maxTime} s)`}`
)
