/**
 * Where torch's own libraries are, so the static check can read which
 * OpenMP runtime torch brings into the process.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { inspectBinary, type InspectedImage } from './inspect-binary.js'
import type { LinkedRuntime } from './openmp.js'
import type { TorchRuntime } from './two-runtimes.js'

const SHARED_LIBRARY = /\.(so(\.\d+)*|dylib|dll)$/

/**
 * Shared libraries of the torch a process imported, from what that process
 * saw (harness.py reports both in its facts): every .so/.dylib/.dll in
 * torch's lib dir (sorted), then the libtorch_cpu it mapped when the lib dir
 * has none (Debian keeps it outside torch/). Dangling symlinks are dropped.
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
 * (from torchLibrariesFrom). Null when there is no readable libtorch_cpu.
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
