#!/usr/bin/env node
// Reading a big ELF in-process vs `nm -D --undefined-only`, side by side.
//
//   node bench/inspect-bench.mjs [FILE] [--reps N]
//
// FILE defaults to Debian's libtorch_cpu.so.1.13 (~120 MB). The readers are
// bundled from src/ with esbuild into a temp file (no build step, no dist/
// change), then each repetition times, in alternating order:
//   nm        spawnSync('nm', ['-D', '--undefined-only', FILE]), output read
//   inspect   inspectBinary(FILE): what `inspect` and `check` run (range reads)
//   whole     readFileSync(FILE) + readElf(buf): the old whole-file read
// and prints medians, the fastest run, and inspect/nm. Exits 1 when the
// median of inspect is slower than the median of nm, the goal of issue 3.
// The first inspect call (cold JIT, cold caches) is reported on its own.
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
const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--reps') ?? '/usr/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13'
if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps takes a positive integer')
if (!fs.existsSync(file)) {
  console.error(`inspect-bench: ${file} does not exist (apt-get install libtorch-dev, or pass a file)`)
  process.exit(2)
}

// A small entry over src/: the same code the bundle in dist/ runs.
const entry = path.join(os.tmpdir(), `inspect-bench-${process.pid}.mjs`)
await esbuild.build({
  stdin: {
    contents: `export { inspectBinary } from './src/inspect/inspect-binary.ts'\nexport { readElf } from './src/inspect/elf.ts'\n`,
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
  inspect: () => inspectBinary(file)[0].openmp.imports.length,
  whole: () => readElf(fs.readFileSync(file)).imports.length
}

// nm first: it brings the file's pages into the page cache for both sides.
const nmLines = runs.nm()
let t0 = process.hrtime.bigint()
runs.inspect()
const first = ms(t0)

const times = { nm: [], inspect: [], whole: [] }
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
  console.log(`  ${name.padEnd(8)} median ${median(times[name]).toFixed(1).padStart(7)} ms   fastest ${Math.min(...times[name]).toFixed(1).padStart(7)} ms`)
}
const ratio = median(times.inspect) / median(times.nm)
console.log(`  inspect / nm = ${ratio.toFixed(2)} (median over median; below 1 is faster than nm)`)
console.log(`  whole   / nm = ${(median(times.whole) / median(times.nm)).toFixed(2)}`)
if (ratio > 1) {
  console.error('inspect-bench: the in-process read is slower than nm')
  process.exit(1)
}
