/**
 * What a compile or link command line says about OpenMP, optimisation,
 * target CPU and debug info. Pure: arguments in, facts out.
 */
import * as path from 'node:path'
import { familyFromName, type CompilerFamily } from './compiler-id.js'

export interface OpenMPFlags {
  /** The OpenMP flags as written, pairs joined with a space ("-Xpreprocessor -fopenmp"). */
  flags: string[]
  /** Whether the TU is compiled with _OPENMP defined: the pragmas and at::parallel_for's OpenMP path are in. */
  enabled: boolean
  /** Why flags that look like OpenMP do not enable it (clang's -fopenmp=libgomp, a later -fno-openmp). */
  note?: string
}

/**
 * Reads the OpenMP flags of a compile line. The last of -fopenmp /
 * -fno-openmp wins, as in gcc and clang. clang with -fopenmp=libgomp leaves
 * _OPENMP undefined and drops every pragma (checked with clang 14), so that
 * flag alone does not enable OpenMP under clang.
 */
export function openmpFlags(args: readonly string[], family: CompilerFamily): OpenMPFlags {
  if (family === 'nvcc') return nvccOpenMP(args)
  const flags: string[] = []
  let enabled = false
  let note: string | undefined
  for (let i = 1; i < args.length; i++) {
    const a = args[i]
    const next = args[i + 1]
    if ((a === '-Xpreprocessor' || a === '-Xclang') && next === '-fopenmp') {
      flags.push(`${a} ${next}`)
      enabled = true
      i++
    } else if (a === '-fopenmp' || a === '-qopenmp' || a === '-openmp' || a === '-fiopenmp') {
      flags.push(a)
      enabled = true
    } else if (/^-fopenmp=/.test(a)) {
      flags.push(a)
      const rt = a.slice('-fopenmp='.length)
      if (family === 'clang' || family === 'apple-clang' || family === 'unknown') {
        enabled = rt !== 'libgomp'
        note = rt === 'libgomp' ? "clang ignores '#pragma omp' under -fopenmp=libgomp (_OPENMP stays undefined): the code builds serial" : undefined
      } else {
        enabled = true
      }
    } else if (/^[-/]openmp(:(llvm|experimental))?$/i.test(a) && !(a === '-openmp' && family !== 'msvc')) {
      flags.push(a)
      enabled = true
    } else if (a === '-fno-openmp' || a === '-qno-openmp') {
      flags.push(a)
      enabled = false
      note = `${a} comes last and turns OpenMP off`
    } else if (a === '-Xpreprocessor' || a === '-Xclang' || a === '-Xcompiler' || a === '-Xlinker' || a === '-Xassembler') {
      i++
    }
  }
  return { flags, enabled, ...(note && flags.length ? { note } : {}) }
}

/** nvcc options whose value is a comma-separated list of words for the host compiler. */
const HOST_PASS = new Set(['-Xcompiler', '--compiler-options'])

/** One nvcc option that passes words to the host compiler. */
export interface HostPass {
  /** As written on the line: "-Xcompiler -fopenmp", "-Xcompiler=-fopenmp", "--compiler-options -fPIC,-fopenmp". */
  written: string
  /** The words the host compiler gets, in order. */
  words: string[]
}

/**
 * The words nvcc hands to the host compiler: the values of -Xcompiler and
 * --compiler-options (also in their `=` form), split at commas as nvcc does.
 * Quotes around a word are the shell's (torch writes "'-fPIC'"): nvcc runs the
 * host compiler through a shell, so they are dropped.
 */
export function hostPassthrough(args: readonly string[]): HostPass[] {
  const out: HostPass[] = []
  for (let i = 1; i < args.length; i++) {
    const a = args[i]
    const eq = a.indexOf('=')
    let value: string | undefined
    if (HOST_PASS.has(a)) value = args[++i]
    else if (eq > 0 && HOST_PASS.has(a.slice(0, eq))) value = a.slice(eq + 1)
    if (value === undefined) continue
    const words = value
      .split(',')
      .map(w => w.trim().replace(/^(['"])(.*)\1$/, '$2'))
      .filter(Boolean)
    out.push({ written: HOST_PASS.has(a) ? `${a} ${value}` : a, words })
  }
  return out
}

/** The host compiler nvcc runs: -ccbin / --compiler-bindir (a compiler or its folder), else gcc (nvcc's default on Linux). */
export function nvccHostFamily(args: readonly string[]): CompilerFamily {
  for (let i = 1; i < args.length; i++) {
    const a = args[i]
    const m = /^(-ccbin|--compiler-bindir)(?:=(.*))?$/.exec(a)
    if (!m) continue
    const value = m[2] ?? args[i + 1] ?? ''
    const family = familyFromName(value)
    // A folder (-ccbin /usr/bin) leaves nvcc picking gcc there.
    return family === 'unknown' || family === 'nvcc' ? 'gcc' : family
  }
  return 'gcc'
}

/**
 * OpenMP as nvcc's host compiler sees it. nvcc has no -fopenmp of its own (it
 * stops with "Unknown option"); host code in a .cu file gets OpenMP only from
 * -fopenmp passed through -Xcompiler or --compiler-options. The last word
 * wins, across passes, as on the host compiler's own line.
 */
function nvccOpenMP(args: readonly string[]): OpenMPFlags {
  const host = nvccHostFamily(args)
  let flags: string[] = []
  let enabled = false
  let note: string | undefined
  for (const pass of hostPassthrough(args)) {
    const r = openmpFlags(['host', ...pass.words], host)
    if (r.flags.length === 0) continue
    flags = [...flags, pass.written]
    enabled = r.enabled
    note = r.note
  }
  return { flags, enabled, ...(note ? { note } : {}) }
}

/** The optimisation level in effect: the last -O (or MSVC /O) flag; null when none (the compiler's default, -O0 for gcc/clang). */
export function optimisation(args: readonly string[]): string | null {
  let level: string | null = null
  for (const a of args.slice(1)) {
    if (/^-O(\d|s|z|fast|g)?$/.test(a)) level = a === '-O' ? '-O1' : a
    else if (/^\/O[12bdgistxy]+$/.test(a)) level = a
  }
  return level
}

/** -march / -mcpu / -mtune and MSVC /arch: flags, last of each kind. */
export function targetFlags(args: readonly string[]): string[] {
  const last = new Map<string, string>()
  for (const a of args.slice(1)) {
    const m = /^(-march|-mcpu|-mtune|[-/]arch)[=:]/.exec(a)
    if (m) last.set(m[1], a)
  }
  return [...last.values()]
}

/** Debug-info flags in effect; empty when none or when the last one is -g0. */
export function debugFlags(args: readonly string[]): string[] {
  let out: string[] = []
  for (const a of args.slice(1)) {
    if (a === '-g0') out = []
    else if (/^-g(\d|gdb\d?|dwarf(-\d)?|split-dwarf|line-tables-only|codeview|full)?$/.test(a) || /^\/(Zi|Z7|ZI|DEBUG(:\w+)?)$/.test(a)) {
      if (!out.includes(a)) out.push(a)
    }
  }
  return out
}

/** Library file names of OpenMP runtimes (libgomp, libomp, libiomp5, vcomp, torch's renamed libgomp-<hash>). */
const RUNTIME_FILE = /(^|[\\/])(lib)?(gomp(-[0-9a-f]+)?|omp|iomp5(md)?|omp140(\.\w+)?|vcomp(140)?d?)\.(so(\.\d+)*|dylib|a|lib|dll|tbd)$/i
const RUNTIME_L = /^-l:?(lib)?(gomp(-[0-9a-f]+)?|omp|iomp5(md)?|omp140|vcomp(140)?)(\.so(\.\d+)*|\.dylib|\.a)?$/i

/**
 * The OpenMP runtime(s) a link line links: named ones (-lgomp, -l:libgomp.so.1,
 * a path to libomp.dylib) and the one -fopenmp adds for the driver's family
 * (gcc: libgomp; clang: libomp, or the runtime of -fopenmp=).
 */
export function linkedOpenMP(args: readonly string[], family: CompilerFamily): { flags: string[]; libraries: string[] } {
  const flags: string[] = []
  const libraries: string[] = []
  const add = (l: string): void => {
    if (!libraries.includes(l)) libraries.push(l)
  }
  if (family === 'nvcc') {
    // nvcc links through its host compiler: -Xcompiler -fopenmp links libgomp there.
    for (const pass of hostPassthrough(args)) {
      const host = linkedOpenMP(['host', ...pass.words], nvccHostFamily(args))
      if (host.flags.length) flags.push(pass.written)
      host.libraries.forEach(add)
    }
  }
  for (let i = 1; i < args.length; i++) {
    const a = args[i]
    if (HOST_PASS.has(a) || a === '-Xlinker' || a === '-Xpreprocessor' || a === '-Xclang') {
      i++ // a passed-on word is read above (nvcc) or belongs to another tool
    } else if (a === '-fopenmp' || a === '-qopenmp' || a === '-fiopenmp') {
      flags.push(a)
      add(family === 'gcc' ? 'libgomp (-fopenmp)' : family === 'msvc' ? 'vcomp (-openmp)' : 'libomp (-fopenmp)')
    } else if (/^-fopenmp=/.test(a)) {
      flags.push(a)
      add(`${a.slice('-fopenmp='.length)} (${a})`)
    } else if (a === '-l' && args[i + 1] && RUNTIME_L.test(`-l${args[i + 1]}`)) {
      add(`-l${args[++i]}`)
    } else if (RUNTIME_L.test(a)) {
      add(a)
    } else if (!a.startsWith('-') && RUNTIME_FILE.test(a)) {
      add(a)
    } else if (/^-Wl,/.test(a)) {
      for (const part of a.slice(4).split(',')) if (RUNTIME_L.test(part) || RUNTIME_FILE.test(part)) add(part)
    }
  }
  return { flags, libraries }
}

/** `-I` directories of a command (not -isystem: system headers are not the project's), absolute. */
export function includeDirs(args: readonly string[], directory: string): string[] {
  const out: string[] = []
  for (let i = 1; i < args.length; i++) {
    const a = args[i]
    if (a === '-I' || a === '-iquote') out.push(path.resolve(directory, args[++i] ?? '.'))
    else if (/^-I./.test(a)) out.push(path.resolve(directory, a.slice(2)))
    else if (/^\/I./.test(a)) out.push(path.resolve(directory, a.slice(2)))
  }
  return out
}
