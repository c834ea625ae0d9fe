#!/usr/bin/env node
// Build cache bench: a cold build against a warm rebuild, side by side in one
// run. Each build is its own node process (the bundled __tests__/build/cache-run.ts:
// restore the ccache folder from a store, build through the compiler wrappers
// with ccache chained, save) in a fresh copy of the sources in a new folder,
// so setuptools and ninja can't skip work on their own: only ccache, restored
// from the store, can make the warm build fast.
//
//   node bench/build-cache-bench.mjs                  # the example extension; fails when warm > 0.2 x cold
//   node bench/build-cache-bench.mjs --torchvision    # also torchvision 0.14.1's _C (long: run it with nice)
//
// Needs Debian's python3-torch (/usr/bin/python3), g++, ninja and ccache.
import * as esbuild from 'esbuild'
import { execFile, execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

const REQUIRED_RATIO = 0.2
const python = process.env.TORCH_PYTHON ?? '/usr/bin/python3'
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-cache-bench-'))

const script = path.join(work, 'cache-run.mjs')
await esbuild.build({
  entryPoints: ['__tests__/build/cache-run.ts'],
  outfile: script,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __tscCreateRequire } from 'node:module'; const require = __tscCreateRequire(import.meta.url);" }
})

const torchVersion = execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim()

function run(input) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now()
    execFile(process.execPath, [script, JSON.stringify(input)], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`build failed: ${stderr.slice(-4000)}`))
      resolve({ ...JSON.parse(stdout.trim().split('\n').pop()), total: (Date.now() - t0) / 1000 })
    })
  })
}

/** Cold then warm, each in a fresh copy made by `copy(dest)`; the ccache folder exists only through the store. */
async function bench(name, copy, input) {
  const ccacheDir = path.join(work, `${name}-ccache`)
  const store = path.join(work, `${name}-store`)
  const base = { python, torchVersion, ccacheDir, store, ...input }
  const cold = await run({ ...base, dir: copy(path.join(work, `${name}-cold`)) })
  fs.rmSync(ccacheDir, { recursive: true, force: true })
  const warm = await run({ ...base, dir: copy(path.join(work, `${name}-warm`)) })
  const ratio = warm.seconds / cold.seconds
  const row = (label, r) => `  ${label.padEnd(5)} build ${r.seconds.toFixed(1).padStart(7)} s  (run with restore/save ${r.total.toFixed(1)} s)  ccache ${r.report.stats.hits} hits / ${r.report.stats.misses} misses, restored: ${r.report.restoredKey ? 'yes' : 'no'}`
  console.log(`${name}:`)
  console.log(row('cold', cold))
  console.log(row('warm', warm))
  console.log(`  warm / cold = ${ratio.toFixed(3)} (build time; with restore and save: ${(warm.total / cold.total).toFixed(3)}); same binary: ${warm.binarySha256 === cold.binarySha256}`)
  return ratio
}

const copyExample = dest => {
  fs.cpSync('examples/parallel-ext', path.join(dest, 'parallel-ext'), { recursive: true, filter: f => !/(^|\/)(build|\.thread-scaling-check|__pycache__)$|\.so$|\.egg-info$/.test(f) })
  return path.join(dest, 'parallel-ext')
}
const ratio = await bench('parallel-ext', copyExample, { command: `${python} setup.py build_ext --inplace`, binary: '^parallel_ext.*\\.so$', env: { PARALLEL_EXT_OPENMP: '' } })
let failed = ratio > REQUIRED_RATIO
if (failed) console.log(`FAIL: warm rebuild took ${ratio.toFixed(3)} of the cold build; required at most ${REQUIRED_RATIO}`)

if (process.argv.includes('--torchvision')) {
  const tarball = path.resolve('.cache/debian-src/pytorch-vision_0.14.1.orig.tar.gz')
  if (!fs.existsSync(tarball)) throw new Error(`${tarball} is missing: fetch it with apt-get source --download-only pytorch-vision (deb-src entry for Debian's archive)`)
  const unpacked = path.join(work, 'vision-src')
  fs.mkdirSync(unpacked)
  execFileSync('tar', ['xzf', tarball, '-C', unpacked])
  const copyVision = dest => {
    fs.cpSync(path.join(unpacked, 'vision-0.14.1'), path.join(dest, 'vision'), { recursive: true })
    return path.join(dest, 'vision')
  }
  // Only _C: the image and video extensions need libpng/libjpeg/ffmpeg, switched off by torchvision's own variables.
  const env = { FORCE_CUDA: '0', TORCHVISION_USE_PNG: '0', TORCHVISION_USE_JPEG: '0', TORCHVISION_USE_NVJPEG: '0', TORCHVISION_USE_FFMPEG: '0', TORCHVISION_USE_VIDEO_CODEC: '0', BUILD_VERSION: '0.14.1' }
  const tv = await bench('torchvision-0.14.1', copyVision, { command: `${python} setup.py build_ext --inplace`, binary: '^_C.*\\.so$', env })
  if (tv > REQUIRED_RATIO) console.log(`note: torchvision warm/cold ${tv.toFixed(3)} is above ${REQUIRED_RATIO}`)
}
fs.rmSync(work, { recursive: true, force: true })
process.exit(failed ? 1 : 0)
