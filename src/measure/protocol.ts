import type { RunnerFacts } from '../runner-facts.js'
import type { ObjectRegions } from './types.js'

/** Replies of harness.py, checked field by field: the harness runs user code and its output is not trusted. */
export type Reply =
  | { op: 'ready'; threads: number; facts: RunnerFacts; cases: string[]; gpuCases: string[]; skipped: Record<string, string>; workloadInfo: Record<string, string>; peakRss: number | null; counting: { available: boolean; reason: string | null } | null }
  | { op: 'calibrated'; iters: number; perIter: number; peakRss: number | null }
  | { op: 'sample'; iters: number; wall: number; cpu: number; perCall: number[] | null; steal: [number, number] | null; wait: number | null; threadCpu: number[] | null; peakRss: number | null; regions: ObjectRegions[] | null }
  | { op: 'error'; stage: string; case: string | null; type: string; message: string; traceback: string; cudaMissing: string | null }

export class ProtocolError extends Error {}

type Obj = Record<string, unknown>

function num(o: Obj, key: string, min = 0): number {
  const v = o[key]
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new ProtocolError(`harness reply field '${key}' is ${JSON.stringify(v)}, expected a number >= ${min}`)
  return v
}

function str(o: Obj, key: string): string {
  const v = o[key]
  if (typeof v !== 'string') throw new ProtocolError(`harness reply field '${key}' is ${JSON.stringify(v)}, expected a string`)
  return v
}

function nullable<T>(o: Obj, key: string, read: (o: Obj, key: string) => T): T | null {
  return o[key] === null || o[key] === undefined ? null : read(o, key)
}

function facts(o: Obj): RunnerFacts {
  return {
    python: str(o, 'python'),
    pythonVersion: str(o, 'python_version'),
    platform: str(o, 'platform'),
    torchVersion: str(o, 'torch_version'),
    parallelBackend: str(o, 'parallel_backend'),
    cpuCount: num(o, 'cpu_count', 1),
    affinityCpus: nullable(o, 'affinity_cpus', (x, k) => num(x, k, 1)),
    cgroupCpus: nullable(o, 'cgroup_cpus', (x, k) => num(x, k)),
    usableCpus: num(o, 'usable_cpus'),
    memAvailable: nullable(o, 'mem_available', num),
    ...(typeof o.torch_lib_dir === 'string' ? { torchLibDir: o.torch_lib_dir } : {}),
    ...(Array.isArray(o.torch_cpu_loaded) ? { torchCpuLoaded: o.torch_cpu_loaded.filter((p): p is string => typeof p === 'string') } : {}),
    ...(Array.isArray(o.mapped_libraries) ? { mappedLibraries: o.mapped_libraries.filter((p): p is string => typeof p === 'string').slice(0, 4096) } : {})
  }
}

function numbers(o: Obj, key: string): number[] | null {
  const v = o[key]
  if (v === null || v === undefined) return null
  if (!Array.isArray(v) || !v.every(x => typeof x === 'number' && Number.isFinite(x) && x >= 0)) throw new ProtocolError(`harness reply field '${key}' is not a list of numbers >= 0`)
  return v as number[]
}

function stealTicks(o: Obj): [number, number] | null {
  const v = numbers(o, 'steal')
  if (v === null) return null
  if (v.length !== 2 || v[0] > v[1]) throw new ProtocolError("harness reply field 'steal' is not [steal ticks, total ticks]")
  return [v[0], v[1]]
}

/** The counter's per-object counts (count_regions.c via the harness), or null when regions weren't counted. */
function regions(o: Obj): ObjectRegions[] | null {
  const v = o.regions
  if (v === null || v === undefined) return null
  if (!Array.isArray(v)) throw new ProtocolError("harness reply field 'regions' is not a list")
  return v.slice(0, 1000).map(x => {
    if (typeof x !== 'object' || x === null) throw new ProtocolError("harness reply field 'regions' holds a non-object")
    const r = x as Obj
    return { path: str(r, 'path').slice(0, 4096), regions: num(r, 'regions'), maxTeam: num(r, 'max_team'), team1: num(r, 'team1'), ns: num(r, 'ns') }
  })
}

function counting(o: Obj): { available: boolean; reason: string | null } | null {
  const c = o.counting
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return null
  const r = c as Obj
  return { available: r.available === true, reason: typeof r.reason === 'string' ? r.reason.slice(0, 1000) : null }
}

export function parseReply(line: string): Reply {
  let o: unknown
  try {
    o = JSON.parse(line)
  } catch {
    throw new ProtocolError(`harness wrote a line that is not JSON: ${line.slice(0, 200)}`)
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new ProtocolError('harness reply is not a JSON object')
  const r = o as Obj
  switch (r.op) {
    case 'ready': {
      const cases = r.cases
      if (!Array.isArray(cases) || !cases.every(c => typeof c === 'string')) throw new ProtocolError('harness ready reply has no list of case names')
      if (typeof r.facts !== 'object' || r.facts === null) throw new ProtocolError('harness ready reply has no facts')
      const info = r.workload_info
      const workloadInfo: Record<string, string> = {}
      if (typeof info === 'object' && info !== null && !Array.isArray(info)) {
        for (const [k, v] of Object.entries(info)) if (typeof v === 'string') workloadInfo[k.slice(0, 100)] = v.slice(0, 500)
      }
      // Older harnesses send neither: no GPU cases, none skipped.
      const gpu = r.gpu_cases ?? []
      if (!Array.isArray(gpu) || !gpu.every(c => typeof c === 'string' && (cases as string[]).includes(c))) throw new ProtocolError("harness ready reply's 'gpu_cases' is not a list of its case names")
      const skippedIn = r.skipped ?? {}
      if (typeof skippedIn !== 'object' || skippedIn === null || Array.isArray(skippedIn) || !Object.values(skippedIn).every(v => typeof v === 'string')) throw new ProtocolError("harness ready reply's 'skipped' is not a map from case name to reason")
      const skipped = Object.fromEntries(Object.entries(skippedIn as Record<string, string>).map(([k, v]) => [k.slice(0, 200), v.slice(0, 500)]))
      return { op: 'ready', threads: num(r, 'threads', 1), facts: facts(r.facts as Obj), cases: cases as string[], gpuCases: gpu as string[], skipped, workloadInfo, peakRss: nullable(r, 'peak_rss', num), counting: counting(r) }
    }
    case 'calibrated':
      return { op: 'calibrated', iters: num(r, 'iters', 1), perIter: num(r, 'per_iter'), peakRss: nullable(r, 'peak_rss', num) }
    case 'sample':
      return { op: 'sample', iters: num(r, 'iters', 1), wall: num(r, 'wall'), cpu: num(r, 'cpu'), perCall: numbers(r, 'per_call'), steal: stealTicks(r), wait: nullable(r, 'wait', num), threadCpu: numbers(r, 'thread_cpu'), peakRss: nullable(r, 'peak_rss', num), regions: regions(r) }
    case 'error':
      return {
        op: 'error',
        stage: str(r, 'stage'),
        case: typeof r.case === 'string' ? r.case : null,
        type: str(r, 'type'),
        message: str(r, 'message'),
        traceback: str(r, 'traceback'),
        cudaMissing: typeof r.cuda_missing === 'string' ? r.cuda_missing.slice(0, 500) : null
      }
    default:
      throw new ProtocolError(`harness reply has unknown op ${JSON.stringify(r.op)}`)
  }
}
