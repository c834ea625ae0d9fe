import type { AnnotationProps } from '../log.js'
import { openmpFix } from '../fix/remediation.js'
import type { Report } from './types.js'
import { lostOpenMP } from '../judge/binary-verdict.js'

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  props: AnnotationProps
}

/** GitHub shows at most 10 of each level per step and silently drops the rest. */
export const PER_LEVEL_LIMIT = 10

/** Index of the line in setup.py where OpenMP flags belong (the CppExtension call), 1-based; 0 when none. */
export function setupPyFlagLine(text: string): number {
  const lines = text.split('\n')
  for (const re of [/extra_compile_args/, /\b(Cpp|CUDA)Extension\s*\(/, /\bExtension\s*\(/]) {
    const i = lines.findIndex(l => re.test(l))
    if (i >= 0) return i + 1
  }
  return 0
}

/**
 * Annotations in rank order: missing OpenMP on the lines that lost their
 * parallelism first, then the build file line where the flags belong, then
 * the rest. Returns what fits under GitHub's per-level limit and the overflow.
 */
export function rankAnnotations(r: Report, toRepoPath: (file: string) => string, setupPy: { path: string; line: number } | null): { shown: Annotation[]; dropped: Annotation[] } {
  const all: Annotation[] = []
  for (const b of r.binaries.filter(x => x.verdict === 'fail')) {
    for (const h of b.lostLines) {
      all.push({
        level: 'error',
        message: /\.cu$/.test(h.file)
          ? `nvcc compiled this file without passing -fopenmp to its host compiler, so this ${h.construct === 'omp-pragma' ? "'#pragma omp'" : 'parallel_for'} runs on one thread. Add "-Xcompiler", "-fopenmp" to extra_compile_args['nvcc'] (the 'cxx' flags never reach .cu files).`
          : `${b.path} was compiled without OpenMP, so this ${h.construct === 'omp-pragma' ? "'#pragma omp'" : 'parallel_for'} runs on one thread. Add -fopenmp (or the platform's equivalent) to the extension's compile and link flags.`,
        props: { title: 'Parallel loop compiled without OpenMP', file: toRepoPath(h.file), startLine: h.line, startColumn: h.column }
      })
    }
  }
  if (setupPy && r.binaries.some(x => lostOpenMP(x.cause))) {
    const fix = openmpFix(r.runner.platform)
    all.push({ level: 'warning', message: `Add OpenMP flags here (${fix.platform}):\n${fix.setupPy}`, props: { title: 'OpenMP flags belong here', file: setupPy.path, startLine: setupPy.line } })
  }
  for (const b of r.binaries) {
    for (const f of b.runtimeFindings ?? []) {
      all.push({ level: f.severity, message: `${b.path}: ${f.summary} ${f.effect} Fix: ${f.fix[0] ?? ''}`, props: { title: 'Two OpenMP runtimes in one process' } })
    }
  }
  for (const c of r.cases.filter(x => x.verdict === 'fail' || x.verdict === 'inconclusive')) {
    all.push({ level: c.verdict === 'fail' ? 'error' : 'warning', message: `Case '${c.name}': ${c.reasons[0]}`, props: { title: `Thread scaling ${c.verdict}` } })
  }
  const shown: Annotation[] = []
  const dropped: Annotation[] = []
  const count = { error: 0, warning: 0, notice: 0 }
  for (const a of all) {
    if (count[a.level] < PER_LEVEL_LIMIT) {
      count[a.level]++
      shown.push(a)
    } else dropped.push(a)
  }
  return { shown, dropped }
}
