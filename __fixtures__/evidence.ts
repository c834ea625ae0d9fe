import type { Evidence } from '../src/judge/types.js'
import type { OpenMPEvidence } from '../src/inspect/openmp.js'
import type { SourceHit } from '../src/sources/scan.js'
import type { CaseMeasurement, ReferenceInfo, ReferenceSample, Sample } from '../src/measure/types.js'
import type { RunnerFacts } from '../src/runner-facts.js'

/** Typed builders for judge inputs: evidence as the pipeline would hand it over. */
export const facts = (over: Partial<RunnerFacts> = {}): RunnerFacts => ({
  python: '/usr/bin/python3',
  pythonVersion: '3.11.2',
  platform: 'linux',
  torchVersion: '1.13.1',
  parallelBackend: 'OpenMP',
  cpuCount: 4,
  affinityCpus: 4,
  cgroupCpus: null,
  usableCpus: 4,
  ...over
})

export const openmp = (parallel: boolean, libtorchParallel: string[] = []): OpenMPEvidence => ({
  parallel,
  forkImports: parallel ? ['GOMP_parallel'] : [],
  imports: parallel ? ['GOMP_parallel', 'omp_get_num_threads'] : [],
  runtimes: parallel ? [{ library: 'libgomp.so.1', family: 'gnu' }] : [],
  outlinedRegions: [],
  resolution: parallel ? { via: 'linked-runtime', library: 'libgomp.so.1', family: 'gnu', text: 'linked runtime libgomp.so.1' } : null,
  libtorchParallel
})

export const hit = (construct: SourceHit['construct'], line = 10, file = 'csrc/k.cpp'): SourceHit => ({ file, line, column: 3, construct, text: 'at::parallel_for(0, n, 1, f);' })

/**
 * A case whose per-round speedup at every n > 1 is `speedup[n]`, with a
 * little deterministic jitter. With `copies`, each round also has a reference
 * sample: n single-thread copies whose combined throughput is `copies[n]`
 * times one process alone.
 */
export function measured(name: string, speedup: Record<number, number>, rounds = 8, cpuPerWall?: number, copies?: Record<number, number>): CaseMeasurement {
  const samples: Sample[] = []
  const reference: ReferenceSample[] = []
  for (let r = 1; r <= rounds; r++) {
    const jitter = 1 + ((r * 37) % 7) / 700
    samples.push({ round: r, threads: 1, iters: 10, wall: 0.2 * jitter, cpu: 0.2 * jitter, threadCpu: [0.2] })
    for (const [n, t] of Object.entries(copies ?? {})) {
      const perCall = ((0.02 * jitter * Number(n)) / t) * (1 + ((r * 29) % 3) / 400)
      // Copies run on their CPU the whole call.
      reference.push({ round: r, iters: 10, perCopy: Array.from({ length: Number(n) }, () => perCall), cpuPerCopy: Array.from({ length: Number(n) }, () => perCall) })
    }
    for (const [n, s] of Object.entries(speedup)) {
      const wall = (0.2 / s) * (1 + ((r * 53) % 5) / 500)
      const busy = Math.round(cpuPerWall ?? s)
      samples.push({ round: r, threads: Number(n), iters: 10, wall, cpu: wall * (cpuPerWall ?? s), threadCpu: Array.from({ length: Number(n) }, (_, i) => (i < busy ? wall : 0.001)) })
    }
  }
  return { name, iters: 10, samples, ...(copies ? { reference } : {}) }
}

export function evidence(over: Partial<Evidence> = {}): Evidence {
  return {
    binaries: [{ path: '_C.so', images: [{ format: 'elf', arch: 'x86_64', stripped: false, openmp: openmp(true) }] }],
    sources: [hit('at-parallel')],
    sourceFiles: 3,
    facts: facts(),
    measurement: null,
    threads: [1, 2, 4],
    minSpeedup: 2,
    ...over
  }
}

/** The measurement's reference info for `copies` copies (0: none ran, with the reason). */
export const referenceInfo = (copies: number, skipped: string | null = null): ReferenceInfo => ({ copies, skipped, peakRss: [] })
