#!/usr/bin/env node
// `inspect` on a big ELF against `nm -D --undefined-only`, side by side,
// whole command and in-process.
//
//   node bench/inspect-bench.mjs [FILE] [--reps N]
//
// FILE defaults to torch 2.13's libtorch_cpu.so (434 MB) in the venv of
// scripts/setup-torch-venv.sh, else Debian's libtorch_cpu.so.1.13. Each
// repetition times, in alternating order:
//   nm        spawnSync('nm', ['-D', '--undefined-only', FILE]), output read
//   cli       spawnSync(node, ['dist/cli.js', 'inspect', FILE]): the whole
//             command, process start included (run 'npm run bundle' first)
//   node0     spawnSync(node, ['-e', '0']): Node's own start, the floor of cli
//   pipeline  Node's start plus loading the check pipeline chunk (@actions/*,
//             octokit, ajv): what `inspect` would add at startup if cli.js
//             imported it statically instead of with import() per command
//   inspect   inspectBinary(FILE) in this process (range reads)
//   whole     readFileSync(FILE) + readElf(buf): the old whole-file read
// The readers for the in-process runs are bundled from src/ with esbuild into
// a temp file. Prints medians, the fastest run, and the ratios to nm. Exits 1
// when the whole command's median is slower than nm's (issue 10's goal).
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as esbuild from 'esbuild'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const repsAt = args.indexOf('--reps')
const reps = repsAt >= 0 ? Number(args[repsAt + 1]) : 15
const venvTorch = path.join(process.env.TSC_VENV_ROOT ?? path.join(os.homedir(), '.cache', 'tsc-venvs'), 'torch-2.13.0', 'lib', 'python3.11', 'site-packages', 'torch', 'lib', 'libtorch_cpu.so')
const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--reps') ?? [venvTorch, '/usr/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13'].find(f => fs.existsSync(f)) ?? venvTorch
if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps takes a positive integer')
if (!fs.existsSync(file)) {
  console.error(`inspect-bench: ${file} does not exist (run scripts/setup-torch-venv.sh, or pass a file)`)
  process.exit(2)
}
const cli = path.join(root, 'dist', 'cli.js')
if (!fs.existsSync(cli)) {
  console.error('inspect-bench: dist/cli.js is missing: run npm run bundle')
  process.exit(2)
}
const checkChunk = fs.readdirSync(path.join(root, 'dist', 'chunks')).find(f => f.startsWith('cli-check-'))
if (!checkChunk) {
  console.error('inspect-bench: dist/chunks/cli-check-*.js is missing: run npm run bundle')
  process.exit(2)
}
const checkUrl = pathToFileURL(path.join(root, 'dist', 'chunks', checkChunk)).href

// A small entry over src/: the same code the bundle in dist/ runs.
const entry = path.join(os.tmpdir(), `inspect-bench-${process.pid}.mjs`)
await esbuild.build({
  stdin: {
    contents: `export { inspectBinary } from './src/inspect/inspect-binary.ts'\nexport { readElf } from './src/inspect/binary/elf.ts'\n`,
    resolveDir: root,
    loader: 'ts'
  },
  outfile: entry,
  bundle: true,
  platform: 'node',
  format: 'esm',
  logLevel: 'warning'
})
const { inspectBinary, readElf } = await import(pathToFileURL(entry).href)
fs.rmSync(entry)

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6
const runs = {
  nm: () => {
    const r = spawnSync('nm', ['-D', '--undefined-only', file], { maxBuffer: 256 << 20 })
    if (r.status !== 0) throw new Error(`nm failed: ${r.stderr}`)
    return r.stdout.toString('latin1').split('\n').length - 1
  },
  cli: () => {
    const r = spawnSync(process.execPath, [cli, 'inspect', file], { maxBuffer: 16 << 20 })
    if (r.status !== 0) throw new Error(`cli inspect failed: ${r.stderr}`)
    return r.stdout.length
  },
  node0: () => spawnSync(process.execPath, ['-e', '0']).status,
  pipeline: () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(checkUrl)})`])
    if (r.status !== 0) throw new Error(`loading the check pipeline failed: ${r.stderr}`)
    return r.status
  },
  inspect: () => inspectBinary(file)[0].openmp.imports.length,
  whole: () => readElf(fs.readFileSync(file)).imports.length
}

// nm first: it brings the file's pages into the page cache for both sides.
const nmLines = runs.nm()
let t0 = process.hrtime.bigint()
runs.inspect()
const first = ms(t0)

const times = Object.fromEntries(Object.keys(runs).map(k => [k, []]))
const names = Object.keys(runs)
for (let rep = 0; rep < reps; rep++) {
  // Alternate the order so neither side always runs right after the other.
  const order = rep % 2 === 0 ? names : [...names].reverse()
  for (const name of order) {
    t0 = process.hrtime.bigint()
    runs[name]()
    times[name].push(ms(t0))
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const size = fs.statSync(file).size
console.log(`${file}: ${(size / 1e6).toFixed(1)} MB, nm lists ${nmLines} undefined symbols; ${reps} interleaved repetitions`)
console.log(`  first inspectBinary call (cold JIT): ${first.toFixed(1)} ms`)
for (const name of names) {
  console.log(`  ${name.padEnd(9)} median ${median(times[name]).toFixed(1).padStart(7)} ms   fastest ${Math.min(...times[name]).toFixed(1).padStart(7)} ms`)
}
const ratio = (a) => median(times[a]) / median(times.nm)
console.log(`  cli     / nm = ${ratio('cli').toFixed(2)} (whole command, process start included; median over median; at most 1 is the goal)`)
console.log(`  node0   / nm = ${ratio('node0').toFixed(2)} (Node's start alone: the floor of any whole-command ratio)`)
console.log(`  pipeline - node0 = ${(median(times.pipeline) - median(times.node0)).toFixed(1)} ms (what loading the check pipeline at startup would add; inspect skips it)`)
console.log(`  inspect / nm = ${ratio('inspect').toFixed(2)} (in-process)`)
console.log(`  whole   / nm = ${ratio('whole').toFixed(2)}`)
if (ratio('cli') > 1) {
  console.error('inspect-bench: the whole inspect command is slower than nm')
  process.exit(1)
}
