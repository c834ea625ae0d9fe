/**
 * Per-translation-unit audit of the commands the build actually ran: which
 * TUs were compiled with OpenMP, at which optimisation level, for which CPU,
 * with which debug info, and which of them hold parallel code that needs
 * OpenMP. Pure: the compile database, the link lines and a file reader in,
 * the audit out.
 */
import * as path from 'node:path'
import { blankCommentsAndStrings, needsOpenMP, scanSource, type SourceHit } from '../sources/scan.js'
import type { CompileEntry, LinkEntry } from './compile-db.js'
import { familyFromName, type CompilerFamily } from './compiler-id.js'
import { debugFlags, includeDirs, linkedOpenMP, openmpFlags, optimisation, targetFlags, type OpenMPFlags } from './flags.js'

/** Headers that bring in ATen/Parallel.h (torch/extension.h and ATen/ATen.h include it). */
const PARALLEL_HEADERS = new Set(['ATen/Parallel.h', 'ATen/Parallel-inl.h', 'ATen/ParallelOpenMP.h', 'ATen/ATen.h', 'torch/extension.h', 'torch/torch.h', 'torch/all.h', 'torch/python.h'])

export interface TuAudit {
  /** Source file, relative to the project folder when inside it. */
  file: string
  /** Object file written, as given (absolute). */
  output: string
  /** The compiler that ran (real path) and its family. */
  compiler: string
  family: CompilerFamily
  openmp: OpenMPFlags
  /** The last -O flag, or null (compiler default). */
  optimisation: string | null
  /** -march / -mcpu / -mtune. */
  target: string[]
  /** -g flags in effect. */
  debug: string[]
  /** The header through which ATen/Parallel.h comes in ("ATen/Parallel.h" itself, "torch/extension.h", ...), or null. */
  parallelHeader: string | null
  /** Parallel constructs in the TU and the project headers it includes (file paths relative to the project). */
  hits: SourceHit[]
  /** True when the TU holds parallel code that needs OpenMP and was compiled without it. */
  flagged: boolean
  /** The link outputs the TU's object went into (relative to the project when inside it). */
  linkedInto: string[]
}

export interface LinkAudit {
  output: string
  compiler: string
  family: CompilerFamily
  /** Object files and archives linked (relative to the project when inside it). */
  objects: string[]
  /** OpenMP flags on the link line (-fopenmp). */
  openmpFlags: string[]
  /** OpenMP runtimes the line links, named or implied by -fopenmp. */
  openmpLibraries: string[]
}

export interface BuildAudit {
  tus: TuAudit[]
  links: LinkAudit[]
  /** The TUs with parallel code compiled without OpenMP (same objects as in `tus`). */
  flagged: TuAudit[]
}

export interface AuditInput {
  compileDb: readonly CompileEntry[]
  links: readonly LinkEntry[]
  /** The project folder: paths are shown relative to it, and only headers inside it are followed. */
  projectDir: string
  /** Reads a file's text; null when unreadable. */
  readFile: (file: string) => string | null
  /** Family of each compiler path; unknown paths are classified by file name. */
  families?: Readonly<Record<string, CompilerFamily>>
  /** torch's ATen parallel backend is OpenMP (default true): at::parallel_for then needs the flags. */
  torchBackendIsOpenMP?: boolean
  platform?: string
}

const MAX_HEADERS = 200

const INCLUDE = /^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]/gm

function inside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file)
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
}

/** Follows the TU's #includes through the project's own headers; returns the files read and the first parallel header met. */
function includeClosure(entry: CompileEntry, input: AuditInput): { files: { file: string; text: string }[]; parallelHeader: string | null } {
  const dirs = includeDirs(entry.arguments, entry.directory).filter(d => d === input.projectDir || inside(input.projectDir, d))
  const files: { file: string; text: string }[] = []
  const seen = new Set<string>()
  let parallelHeader: string | null = null
  const queue = [entry.file]
  while (queue.length && files.length < MAX_HEADERS) {
    const file = queue.shift() as string
    if (seen.has(file)) continue
    seen.add(file)
    const text = input.readFile(file)
    if (text === null) continue
    files.push({ file, text })
    // Blank comments; quoted include names are turned into <...> first (same length, so
    // offsets still match the original text) so the blanking of strings keeps them.
    const code = blankCommentsAndStrings(text.replace(/(#[ \t]*include[ \t]*)"([^"\n]*)"/g, '$1<$2>'))
    for (const m of code.matchAll(INCLUDE)) {
      const name = m[2].trim()
      if (parallelHeader === null && PARALLEL_HEADERS.has(name)) parallelHeader = name
      const local = text[(m.index ?? 0) + m[0].indexOf(m[1])] === '"'
      const candidates = [...(local ? [path.dirname(file)] : []), ...dirs].map(d => path.resolve(d, name))
      const found = candidates.find(c => inside(input.projectDir, c) && input.readFile(c) !== null)
      if (found) queue.push(found)
    }
  }
  return { files, parallelHeader }
}

export function auditBuild(input: AuditInput): BuildAudit {
  const rel = (p: string): string => (inside(input.projectDir, p) ? path.relative(input.projectDir, p) : p)
  const family = (p: string): CompilerFamily => input.families?.[p] ?? familyFromName(p, input.platform)
  const backendOpenMP = input.torchBackendIsOpenMP ?? true

  const links: LinkAudit[] = input.links.map(l => {
    const f = family(l.arguments[0])
    const omp = linkedOpenMP(l.arguments, f)
    return { output: rel(l.output), compiler: l.arguments[0], family: f, objects: l.inputs.map(rel), openmpFlags: omp.flags, openmpLibraries: omp.libraries }
  })
  const linkedInto = (object: string): string[] => input.links.filter(l => l.inputs.includes(object)).map(l => rel(l.output))

  const tus: TuAudit[] = input.compileDb.map(e => {
    const f = family(e.arguments[0])
    const omp = openmpFlags(e.arguments, f)
    const { files, parallelHeader } = includeClosure(e, input)
    const hits = files.flatMap(({ file, text }) => scanSource(rel(file), text)).filter(h => needsOpenMP(h, backendOpenMP))
    return {
      file: rel(e.file),
      output: e.output,
      compiler: e.arguments[0],
      family: f,
      openmp: omp,
      optimisation: optimisation(e.arguments),
      target: targetFlags(e.arguments),
      debug: debugFlags(e.arguments),
      parallelHeader,
      hits,
      flagged: hits.length > 0 && !omp.enabled,
      linkedInto: linkedInto(e.output)
    }
  })
  return { tus, links, flagged: tus.filter(t => t.flagged) }
}
