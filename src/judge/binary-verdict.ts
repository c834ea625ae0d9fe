import type { BinaryEvidence, LostTu } from '../inspect/types.js'
import { needsOpenMP, type SourceHit } from '../sources/scan.js'
import type { BinaryFinding } from './types.js'

/** Causes for which the fix is OpenMP flags (and the setup.py patch applies). */
export function lostOpenMP(cause: string): boolean {
  return cause === 'compiled-without-openmp' || cause === 'tu-without-openmp'
}

function describeLines(hits: readonly SourceHit[]): string {
  const files = [...new Set(hits.map(h => h.file))]
  const shown = files.slice(0, 3).join(', ') + (files.length > 3 ? ` and ${files.length - 3} more` : '')
  return `${hits.length} parallel construct(s) in ${shown}`
}

/** "csrc/k.cu:41 ('#pragma omp parallel for')", plus how many more lines the TU has. */
function describeTu(t: LostTu): string {
  const first = t.hits[0]
  const more = t.hits.length > 1 ? ` and ${t.hits.length - 1} more line(s)` : ''
  return first ? `${t.file}:${first.line} ('${first.text}')${more}` : t.file
}

/** Why each lost TU lost OpenMP, and the flag it needs: nvcc's host code needs -Xcompiler -fopenmp. */
function lostTuReasons(tus: readonly LostTu[]): string[] {
  const nvcc = tus.filter(t => t.family === 'nvcc')
  const other = tus.filter(t => t.family !== 'nvcc')
  const out: string[] = []
  if (nvcc.length) {
    out.push(
      `nvcc compiled ${nvcc.map(t => t.file).join(', ')} without passing -fopenmp to its host compiler, so the host code's parallel lines run on one thread. extra_compile_args['cxx'] never reaches .cu files: add "-Xcompiler", "-fopenmp" to extra_compile_args['nvcc'].`
    )
  }
  if (other.length) out.push(`${other.map(t => t.file).join(', ')} ${other.length > 1 ? 'were' : 'was'} compiled without -fopenmp, so ${other.length > 1 ? 'their' : 'its'} parallel lines run on one thread.`)
  return out
}

/** The static verdict for one binary, with what its OpenMP runtime means next to torch's. */
export function judgeBinary(b: BinaryEvidence, allSources: readonly SourceHit[], backend: string, allSourceFiles = 1): BinaryFinding {
  const finding = judgeOpenMP(b, b.sources ?? allSources, backend, b.sourceFiles ?? allSourceFiles)
  const runtime = b.runtimeFindings ?? []
  if (runtime.length === 0) return finding
  const reasons = [...finding.reasons, ...runtime.map(r => `${r.summary} ${r.effect} Fix: ${r.fix[0]}`)]
  const broken = runtime.some(r => r.severity === 'error')
  if (broken && finding.verdict !== 'fail') return { ...finding, verdict: 'fail', cause: 'openmp-runtime-conflict', reasons: [reasons[reasons.length - 1], ...finding.reasons], runtimeFindings: runtime }
  return { ...finding, reasons, runtimeFindings: runtime }
}

function judgeOpenMP(b: BinaryEvidence, sources: readonly SourceHit[], backend: string, sourceFiles: number): BinaryFinding {
  if (b.error) return { path: b.path, verdict: 'inconclusive', cause: 'unreadable', reasons: [`Could not read ${b.path}: ${b.error}`], lostLines: [] }
  const openmpBackend = /openmp/i.test(backend)
  const forks = [...new Set(b.images.flatMap(i => i.openmp.forkImports))]
  const serialSlices = b.images.filter(i => !i.openmp.parallel)
  const lost = sources.filter(h => needsOpenMP(h, openmpBackend))
  const fat = b.images.length > 1 ? ` (slices: ${b.images.map(i => i.arch).join(', ')})` : ''

  const lostTus = b.lostTus ?? []
  if (serialSlices.length === 0 && lostTus.length > 0) {
    // The imports come from the TUs that had OpenMP; they say nothing of the ones that didn't.
    return {
      path: b.path,
      verdict: 'fail',
      cause: 'tu-without-openmp',
      reasons: [
        `${lostTus.length} translation unit(s) were compiled without OpenMP, though the binary imports ${forks.join(', ')} from the others: ${lostTus.map(describeTu).join('; ')}.`,
        ...lostTuReasons(lostTus)
      ],
      lostLines: lostTus.flatMap(t => t.hits)
    }
  }
  if (serialSlices.length === 0) {
    return { path: b.path, verdict: 'pass', cause: 'openmp-compiled-in', reasons: [`OpenMP parallel regions are compiled in${fat}: it imports ${forks.join(', ')}.`], lostLines: [] }
  }
  const which = b.images.length > 1 ? ` in slice(s) ${serialSlices.map(i => i.arch).join(', ')}` : ''
  if (lost.length > 0) {
    const pragmas = lost.filter(h => h.construct === 'omp-pragma').length
    const reasons = [
      `Compiled without OpenMP${which}: it imports no OpenMP fork entry (GOMP_parallel, __kmpc_fork_call, ...), yet its sources have ${describeLines(lost)}.`,
      lost.some(h => h.construct === 'at-parallel')
        ? `torch's ATen parallel backend is ${backend}: at::parallel_for holds its '#pragma omp parallel' inside '#ifdef _OPENMP', so without -fopenmp every call runs on one thread, silently.`
        : `Without -fopenmp the compiler drops '#pragma omp' lines, so these loops run on one thread.`
    ]
    if (pragmas && lost.some(h => h.construct === 'at-parallel')) reasons.push(`${pragmas} '#pragma omp' line(s) are dropped for the same reason.`)
    reasons.push(...lostTuReasons(lostTus.filter(t => t.family === 'nvcc')))
    return { path: b.path, verdict: 'fail', cause: 'compiled-without-openmp', reasons, lostLines: lost }
  }
  // The stable ABI: the binary alone proves it, sources or not (unless they also hold at::parallel_for lines it lost, above).
  if (serialSlices.every(i => i.openmp.libtorchParallel.length > 0)) {
    const shim = [...new Set(serialSlices.flatMap(i => i.openmp.libtorchParallel))]
    return {
      path: b.path,
      verdict: 'pass',
      cause: 'stable-parallel',
      reasons: [`Parallel through libtorch (stable ABI)${fat}: it imports ${shim.join(', ')}, so torch::stable::parallel_for runs in libtorch's own thread pool. No OpenMP flag is needed, and none is missing.`],
      lostLines: []
    }
  }
  const atCalls = sources.filter(h => h.construct === 'at-parallel')
  if (atCalls.length > 0 && !openmpBackend) {
    return { path: b.path, verdict: 'pass', cause: 'native-backend', reasons: [`No OpenMP in the binary, which is right here: torch's ATen parallel backend is ${backend}, so at::parallel_for runs in libtorch's own thread pool.`], lostLines: [] }
  }
  const stable = sources.filter(h => h.construct === 'stable-parallel')
  if (stable.length > 0) {
    return { path: b.path, verdict: 'pass', cause: 'stable-parallel', reasons: [`No OpenMP in the binary, which is right here: torch::stable::parallel_for runs inside libtorch and needs no compiler flags.`], lostLines: [] }
  }
  if (sourceFiles === 0) {
    return {
      path: b.path,
      verdict: 'inconclusive',
      cause: 'no-sources',
      reasons: [
        `Serial as compiled: the binary imports no OpenMP fork entry (GOMP_parallel, __kmpc_fork_call, ...) and no parallel entry of libtorch (torch_parallel_for), so every kernel in this binary runs on one thread, the calling one, unless it calls into libtorch, whose ops use libtorch's own threads. ` +
          `No C/C++ sources were found to tell whether that is by design (no parallel construct) or a loss (at::parallel_for or '#pragma omp' compiled without OpenMP). Point 'sources' at the extension's sources.`
      ],
      lostLines: []
    }
  }
  return {
    path: b.path,
    verdict: 'skipped',
    cause: 'serial-by-design',
    reasons: [`Serial by design: the scanned sources have no parallel construct (at::parallel_for, #pragma omp) and the binary has no OpenMP parallel regions. Nothing to parallelise, which is not a failure.`],
    lostLines: []
  }
}

