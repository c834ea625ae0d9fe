import { THRESHOLD_THREADS } from '../constants.js'
import { needsOpenMP, type SourceHit } from '../sources/scan.js'
import { busyThreads, cpuPerWall, speedupInterval, timePerIter } from '../measure/rounds.js'
import type { Interval } from '../measure/stats.js'
import type { CaseMeasurement, CountingInfo } from '../measure/types.js'
import { judgedThreads, requiredSpeedup } from './amdahl.js'
import { caseReason } from './case-reasons.js'
import { decideCase, position, type CountingContext } from './case-verdict.js'
import { rowRegions } from './counts.js'
import type { BinaryFinding, CaseFinding, Evidence, Judgement, Threshold, ThreadRow, Verdict } from './types.js'
import type { BinaryEvidence, LostTu } from '../inspect/types.js'

const RANK: Record<Verdict, number> = { fail: 3, inconclusive: 2, pass: 1, skipped: 0 }

/** The worst of several verdicts (fail > inconclusive > pass > skipped). */
export function worst(verdicts: readonly Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((a, b) => (RANK[b] > RANK[a] ? b : a), 'skipped')
}

/** Causes for which the fix is OpenMP flags (and the setup.py patch applies). */
export function lostOpenMP(cause: string): boolean {
  return cause === 'compiled-without-openmp' || cause === 'tu-without-openmp'
}

const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a')

export function threshold(minSpeedup: number, threads: readonly number[], usableCpus: number): Threshold {
  const n = judgedThreads(threads, usableCpus)
  const required = requiredSpeedup(minSpeedup, n)
  if (n === THRESHOLD_THREADS) return { minSpeedup, judgedThreads: n, required }
  const why =
    n < THRESHOLD_THREADS
      ? `the runner has ${fmt(usableCpus).replace(/\.00$/, '')} usable CPU(s), so ${THRESHOLD_THREADS} threads would be oversubscribed`
      : `${n} threads were measured`
  return {
    minSpeedup,
    judgedThreads: n,
    required,
    note: `min-speedup ${fmt(minSpeedup)} at ${THRESHOLD_THREADS} threads is judged as ${fmt(required)} at ${n} thread(s) (Amdahl's law, same parallel fraction): ${why}.`
  }
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
        `Serial as compiled: the binary imports no OpenMP fork entry (GOMP_parallel, __kmpc_fork_call, ...) and no parallel entry of libtorch (torch_parallel_for), so its own loops run on the calling thread; only libtorch ops it calls can use more. ` +
          `No C/C++ sources were found to tell whether that is by design. Point 'sources' at the extension's sources.`
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

function rows(c: CaseMeasurement, threads: readonly number[], usable: number, counting?: CountingInfo): ThreadRow[] {
  return threads.map(n => {
    const speedup: Interval = n === 1 ? { estimate: 1, low: 1, high: 1 } : speedupInterval(c, n)
    return {
      threads: n,
      seconds: timePerIter(c, n),
      speedup,
      efficiency: speedup.estimate / n,
      cpuPerWall: cpuPerWall(c, n),
      busyThreads: busyThreads(c, n),
      ...(counting ? { regions: rowRegions(c, n, counting) } : {}),
      oversubscribed: n > Math.floor(usable + 1e-9)
    }
  })
}

function judgeCase(c: CaseMeasurement, ev: Evidence, t: Threshold, control: CaseMeasurement | null, ctx: CountingContext): CaseFinding {
  // Skipped, never failed: the runner can't run it, which says nothing about the code.
  if (c.skipped !== undefined) return { name: c.name, verdict: 'skipped', cause: 'needs-cuda', rows: [], judged: null, reference: null, reasons: [`Skipped: ${c.skipped}.`] }
  const usable = ev.facts.usableCpus
  const base = { name: c.name, rows: rows(c, ev.threads, usable, ctx.counting) }
  if (c.gpu && !c.error) {
    const t1 = timePerIter(c, 1)
    return { ...base, verdict: 'skipped', cause: 'gpu-case', judged: null, reference: null, reasons: [`Runs on the GPU (needs_cuda): ${Number.isFinite(t1) ? `${(t1 * 1e3).toFixed(3)} ms per call at 1 thread, ` : ''}timed for information and not held to min-speedup, since CPU threads don't speed up a GPU kernel.`] }
  }
  const d = decideCase(c, control, t, ctx)
  if (d.cause === 'not-measured') return { ...base, verdict: 'skipped', cause: d.cause, judged: null, reference: null, reasons: [`Not measured: ${(c.error ?? '').split('\n')[0]}`], error: c.error }
  if (d.cause === 'one-cpu') return { ...base, verdict: 'inconclusive', cause: d.cause, judged: null, reference: null, reasons: [`The runner has ${usable} usable CPU; scaling can't be measured on one CPU.`] }
  const row = base.rows.find(r => r.threads === t.judgedThreads) as ThreadRow
  const skipped = ev.measurement?.reference.skipped ?? null
  return { ...base, verdict: d.verdict, cause: d.cause, judged: d.speedup, reference: d.reference, reasons: [caseReason(d, row, timePerIter(c, 1), t, skipped)] }
}

/** Evidence in, verdicts out: no I/O, no clocks. */
export function judge(ev: Evidence): Judgement {
  const t = threshold(ev.minSpeedup, ev.threads, ev.facts.usableCpus)
  const binaries = ev.binaries.map(b => judgeBinary(b, ev.sources, ev.facts.parallelBackend, ev.sourceFiles))
  // Kernels with nothing to parallelise are not held to a speedup: their timings are information.
  const serialByDesign = binaries.length > 0 && binaries.every(b => b.cause === 'serial-by-design')
  const m = ev.measurement
  let control: CaseFinding | null = null
  let controlScales: boolean | null = null
  let cases: CaseFinding[] = []
  if (m) {
    const cs = m.control.error || t.judgedThreads < 2 ? null : speedupInterval(m.control, t.judgedThreads)
    controlScales = cs ? position(cs, t.required) !== 'below' : null
    control = { name: 'control (torch.digamma)', verdict: controlScales ? 'pass' : 'inconclusive', rows: rows(m.control, ev.threads, ev.facts.usableCpus), judged: cs, reasons: [controlScales ? `libtorch's own parallel op reached ${fmt(cs?.estimate ?? NaN)}x: the runner delivers parallel speedup.` : m.control.error ? `The control could not be measured: ${m.control.error.split('\n')[0]}` : cs ? `libtorch's own parallel op reached only ${fmt(cs.estimate)}x: the runner is busy or short of cores.` : `libtorch's own parallel op can't show a speedup on ${t.judgedThreads} thread: the runner has one usable CPU.`] }
    // Only where every extension has OpenMP regions compiled in: a case may call an extension that has none.
    const ctx: CountingContext = { counting: m.counting, openmpExtension: binaries.length > 0 && binaries.every(b => b.cause === 'openmp-compiled-in') }
    cases = m.cases.map(c => judgeCase(c, ev, t, m.control, ctx))
    if (serialByDesign) {
      cases = cases.map(c => (c.error ? c : { ...c, verdict: 'skipped', cause: 'serial-by-design', reasons: ['Serial by design (no parallel construct in the sources, no OpenMP in the binary): not held to min-speedup; timings shown for information.', ...c.reasons] }))
    }
  }

  const failed = binaries.filter(b => b.verdict === 'fail')
  const verdict = worst([...binaries.map(b => b.verdict), ...cases.map(c => c.verdict)])
  const reasons: string[] = []
  for (const b of failed) reasons.push(`${b.path}: ${b.reasons[0]}`)
  for (const c of cases.filter(c => c.verdict === verdict && verdict !== 'pass')) reasons.push(`${c.name}: ${c.reasons[0]}`)
  if (!m) reasons.push('No workload was given, so nothing was timed; the verdict rests on the binary alone.')
  if (reasons.length === 0) reasons.push(verdict === 'pass' ? `Every case reached the required speedup of ${fmt(t.required)}x at ${t.judgedThreads} threads.` : 'Nothing to judge.')
  return { verdict, reasons, threshold: t, binaries, cases, control, controlScales }
}
