/**
 * Where torch's own libraries are, so the static check can read which
 * OpenMP runtime torch brings into the process.
 */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { inspectBinary, type InspectedImage } from './inspect-helper.js'
import type { LinkedRuntime } from './openmp.js'
import type { TorchRuntime } from './two-runtimes.js'

// Prints torch's lib dir and, where /proc exists, the libtorch_cpu the
// import really mapped: Debian's python3-torch keeps torch/lib as symlinks
// into /usr/lib/<triplet>, and other distributions may keep nothing there.
const SNIPPET = `
import json, os, torch
lib = os.path.join(os.path.dirname(torch.__file__), 'lib')
loaded = []
try:
    with open('/proc/self/maps') as maps:
        for line in maps:
            p = line.split(None, 5)[-1].strip()
            if 'torch_cpu' in os.path.basename(p) and p not in loaded:
                loaded.append(p)
except OSError:
    pass
print(json.dumps({'lib': lib, 'loaded': loaded}))
`

const SHARED_LIBRARY = /\.(so(\.\d+)*|dylib|dll)$/
/** Importing torch takes a few seconds; a cold cache on a small runner, much longer. */
const TIMEOUT_MS = 180_000

interface SnippetOutput {
  lib: string
  loaded: string[]
}

function parseOutput(stdout: string): SnippetOutput {
  const last = stdout.trim().split('\n').pop() ?? ''
  const parsed = JSON.parse(last) as unknown
  if (typeof parsed === 'object' && parsed !== null && typeof (parsed as SnippetOutput).lib === 'string' && Array.isArray((parsed as SnippetOutput).loaded)) {
    const { lib, loaded } = parsed as SnippetOutput
    return { lib, loaded: loaded.filter((p): p is string => typeof p === 'string') }
  }
  throw new Error(`unexpected output: ${last.slice(0, 200)}`)
}

/**
 * Shared libraries of the torch that `python` imports: every .so/.dylib/.dll
 * in torch's lib dir (sorted), then the libtorch_cpu the import mapped when
 * the lib dir has none (found through /proc/self/maps). Absolute paths;
 * symlinks are kept as found, dangling ones dropped.
 * Rejects when the interpreter can't import torch.
 */
export async function findTorchLibraries(python: string): Promise<string[]> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(python, ['-c', SNIPPET], { timeout: TIMEOUT_MS, maxBuffer: 1 << 20, encoding: 'utf8' }, (err, out, errOut) => {
      if (err) reject(new Error(`'${python}' could not report torch's libraries: ${(errOut || err.message).trim().split('\n').pop()}`))
      else resolve(out)
    })
  })
  return torchLibrariesFrom(parseOutput(stdout))
}

/**
 * The same list from what a process that imported torch saw: its lib dir
 * and the libtorch_cpu it mapped. The harness reports both, so the check
 * needs no extra interpreter start when it measures.
 */
export function torchLibrariesFrom({ lib, loaded }: { lib: string; loaded: readonly string[] }): string[] {
  const inLib = fs.existsSync(lib)
    ? fs
        .readdirSync(lib)
        .filter(f => SHARED_LIBRARY.test(f))
        .sort()
        .map(f => path.join(lib, f))
        // Debian's torch/lib holds dangling symlinks to caffe2 libraries it doesn't ship.
        .filter(f => fs.existsSync(f))
    : []
  const out = [...inLib]
  if (!inLib.some(f => isTorchCpu(f))) out.push(...loaded.filter(p => !out.includes(p)))
  return out
}

/** libtorch_cpu.so, libtorch_cpu.so.1.13, libtorch_cpu.dylib, torch_cpu.dll. */
export function isTorchCpu(file: string): boolean {
  return /^(lib)?torch_cpu\.(so|dylib|dll)/.test(path.basename(file))
}

/**
 * The OpenMP runtime torch loads, read from its libtorch_cpu among `libraries`
 * (from findTorchLibraries). Null when there is no readable libtorch_cpu.
 * A universal Mach-O file gives the runtimes of all its slices.
 */
export function torchRuntime(libraries: readonly string[]): TorchRuntime | null {
  const cpu = libraries.find(isTorchCpu)
  if (cpu === undefined) return null
  let images: InspectedImage[]
  try {
    images = inspectBinary(cpu)
  } catch {
    return null
  }
  const runtimes: LinkedRuntime[] = []
  for (const i of images) for (const r of i.openmp.runtimes) if (!runtimes.some(x => x.library === r.library)) runtimes.push(r)
  // Wheels keep their bundled runtime in torch/lib; fixes point the linker there.
  const libDir = libraries.map(l => path.dirname(l)).find(d => path.basename(d) === 'lib' && path.basename(path.dirname(d)) === 'torch') ?? null
  return { library: cpu, format: images[0]?.format ?? 'elf', runtimes, libDir }
}
