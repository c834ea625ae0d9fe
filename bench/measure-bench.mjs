#!/usr/bin/env node
// Detection accuracy and time to a verdict, measured side by side in one run.
//
// Builds the example extension twice (with and without OpenMP), then runs the
// full measuring step (`dist/cli.js check --build-command none`) K times in
// four configurations, interleaved run by run so drift on a shared machine
// spreads over all of them:
//   openmp-quiet, openmp-loaded, no-openmp-quiet, no-openmp-loaded
// "loaded" starts a CPU hog pinned to one core (taskset) for that run and
// stops it afterwards. A verdict is wrong when an OpenMP build fails or a
// no-OpenMP build passes; inconclusive is counted apart.
//
// Usage: node bench/measure-bench.mjs [--runs K] [--python /usr/bin/python3] [--keep DIR]
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    python: { type: 'string', default: '/usr/bin/python3' },
    keep: { type: 'string' },
    'max-time': { type: 'string', default: '90' }
  }
})
const runs = Number(values.runs)
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number >= 1, got '${values.runs}'`)
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const cli = path.join(root, 'dist', 'cli.js')
const work = values.keep ? path.resolve(values.keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-bench-'))

function build(variant, openmp) {
  const dir = path.join(work, variant)
  if (fs.existsSync(path.join(dir, '.built'))) return dir
  fs.rmSync(dir, { recursive: true, force: true })
  fs.cpSync(path.join(root, 'examples', 'parallel-ext'), dir, { recursive: true, filter: f => !/(^|\/)(build|\.thread-scaling-check)$|\.so$|\.egg-info$/.test(f) })
  process.stderr.write(`building ${variant} ...\n`)
  execFileSync(values.python, ['setup.py', 'build_ext', '--inplace'], { cwd: dir, env: { ...process.env, PARALLEL_EXT_OPENMP: openmp ? '1' : '0' }, stdio: 'ignore' })
  fs.writeFileSync(path.join(dir, '.built'), '')
  return dir
}

/** A busy loop pinned to CPU 0: a neighbour stealing one core. */
// A hog left behind by an interrupted bench would load every later "quiet" run.
const hogs = new Set()
process.once('exit', () => hogs.forEach(h => h.kill('SIGKILL')))
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => process.exit(130))

function startHog() {
  const hog = spawn('taskset', ['-c', '0', process.execPath, '-e', 'for(;;){}'], { stdio: 'ignore' })
  hogs.add(hog)
  return () =>
    new Promise(resolve => {
      hog.once('exit', resolve)
      hog.kill('SIGKILL')
      hogs.delete(hog)
    })
}

function check(dir) {
  const report = path.join(dir, '.thread-scaling-check', 'bench-report.json')
  fs.rmSync(report, { force: true })
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, [cli, 'check', '--working-directory', dir, '--build-command', 'none', '--python', values.python, '--workload', 'workload.py', '--max-time', values['max-time'], '--report-path', report, '--fail-on', 'never'], { encoding: 'utf8' })
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  if (r.status !== 0) throw new Error(`check failed in ${dir} (status ${r.status}):\n${r.stderr.slice(-2000)}`)
  const parsed = JSON.parse(fs.readFileSync(report, 'utf8'))
  return { verdict: parsed.verdict, seconds, measuring: parsed.measurement?.seconds ?? 0, speedups: parsed.cases.map(c => c.judged?.estimate ?? NaN) }
}

const builds = { openmp: build('openmp', true), 'no-openmp': build('no-openmp', false) }
const configs = [
  { name: 'openmp-quiet', dir: builds.openmp, loaded: false, expect: 'pass' },
  { name: 'openmp-loaded', dir: builds.openmp, loaded: true, expect: 'pass' },
  { name: 'no-openmp-quiet', dir: builds['no-openmp'], loaded: false, expect: 'fail' },
  { name: 'no-openmp-loaded', dir: builds['no-openmp'], loaded: true, expect: 'fail' }
]
const results = Object.fromEntries(configs.map(c => [c.name, []]))

for (let i = 0; i < runs; i++) {
  for (const c of configs) {
    const stop = c.loaded ? startHog() : null
    let r
    try {
      r = check(c.dir)
    } finally {
      if (stop) await stop()
    }
    results[c.name].push(r)
    process.stderr.write(`run ${i + 1}/${runs} ${c.name.padEnd(17)} ${r.verdict.padEnd(12)} ${r.seconds.toFixed(1)} s  speedups ${r.speedups.map(s => s.toFixed(2)).join(' ')}\n`)
  }
}

const median = xs => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const wrongFor = c => v => (c.expect === 'pass' ? v === 'fail' : v === 'pass')
const rows = configs.map(c => {
  const rs = results[c.name]
  const count = v => rs.filter(r => r.verdict === v).length
  return {
    config: c.name,
    runs: rs.length,
    pass: count('pass'),
    fail: count('fail'),
    inconclusive: count('inconclusive'),
    wrong: rs.filter(r => wrongFor(c)(r.verdict)).length,
    'median s': median(rs.map(r => r.seconds)).toFixed(1),
    'max s': Math.max(...rs.map(r => r.seconds)).toFixed(1)
  }
})
console.log(`\nthread-scaling-check measuring benchmark: ${runs} run(s) per configuration on ${os.cpus().length} CPU(s), max-time ${values['max-time']} s`)
console.table(rows)
const all = Object.values(results).flat()
const wrong = rows.reduce((a, r) => a + r.wrong, 0)
const quietInconclusive = rows.filter(r => r.config.endsWith('quiet')).reduce((a, r) => a + r.inconclusive, 0)
console.log(
  `summary: wrong verdicts ${wrong} of ${all.length} (false alarms ${rows[0].wrong + rows[1].wrong}, misses ${rows[2].wrong + rows[3].wrong}); ` +
    `inconclusive ${rows.reduce((a, r) => a + r.inconclusive, 0)} (quiet ${quietInconclusive} of ${runs * 2}); ` +
    `time to verdict median ${median(all.map(r => r.seconds)).toFixed(1)} s, max ${Math.max(...all.map(r => r.seconds)).toFixed(1)} s`
)
if (!values.keep) fs.rmSync(work, { recursive: true, force: true })
