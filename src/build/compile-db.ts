/**
 * Compiler invocations recorded by the wrappers, turned into a compile
 * database (compile_commands.json form) and a list of link commands. Pure:
 * record bytes in, entries out.
 */
import * as path from 'node:path'
import { RECORD_MAGIC } from './wrapper-script.js'

export type CompilerRole = 'cc' | 'cxx' | 'nvcc'

/** One recorded invocation of a wrapper, as it ran. */
export interface CompilerInvocation {
  /** Working directory of the invocation. */
  directory: string
  /** 'cc', 'cxx' or 'nvcc': which wrapper ran. */
  role: CompilerRole
  /** Full command: real compiler first, then its arguments. */
  arguments: string[]
  /** When it ran (ms since epoch; the record's mtime). */
  time: number
}

/** One translation unit, as in compile_commands.json (plus what ran it). */
export interface CompileEntry {
  directory: string
  arguments: string[]
  /** Source file, absolute. */
  file: string
  /** Object file, absolute. */
  output: string
  role: CompilerRole
  time: number
}

/** One link command: which inputs went into which output. */
export interface LinkEntry {
  directory: string
  arguments: string[]
  /** The linked file (.so, .dylib, .pyd, executable), absolute. */
  output: string
  /** Object files and archives on the line, absolute, in order. */
  inputs: string[]
  /** Libraries named on the line: `-lfoo` as given, and shared libraries by path (absolute). */
  libraries: string[]
  role: CompilerRole
  time: number
}

/** Parses one record file; null when it is not a complete wrapper record. */
export function parseRecord(bytes: Buffer, time: number): CompilerInvocation | null {
  const text = bytes.toString('utf8')
  if (!text.endsWith('\0')) return null // cut short (full disk): ignore rather than guess
  const fields = text.slice(0, -1).split('\0')
  if (fields[0] !== RECORD_MAGIC || fields.length < 4) return null
  const role = fields[2]
  if (role !== 'cc' && role !== 'cxx' && role !== 'nvcc') return null
  return { directory: fields[1], role, arguments: fields.slice(3), time }
}

const SOURCE = /\.(c|cc|cpp|cxx|c\+\+|cp|C|CPP|cu|m|mm|S|s|sx)$/
const OBJECT = /\.(o|obj|lo|a|lib)$/
const SHARED = /\.(so(\.\d+)*|dylib|tbd|dll)$/

/** GCC/Clang options whose value is the next argument. */
const TAKES_VALUE = new Set([
  '-o', '-I', '-D', '-U', '-include', '-imacros', '-isystem', '-idirafter', '-iquote', '-iprefix', '-iwithprefix',
  '-isysroot', '-x', '-MF', '-MT', '-MQ', '-Xpreprocessor', '-Xclang', '-Xlinker', '-Xassembler', '-L', '-l',
  '-arch', '-target', '--target', '-framework', '-install_name', '-rpath', '-u', '-T', '-z', '-e', '-soname',
  '-ccbin', '-Xcompiler', '--param', '-aux-info', '-dumpbase', '-dumpdir', '-B', '-specs', '-G',
  // nvcc's
  '-gencode', '--generate-code', '-code', '--gpu-code', '--gpu-architecture', '--compiler-options', '--compiler-bindir',
  '-Xptxas', '-Xnvlink', '-Xcudafe', '-Xfatbin', '-Xarchive', '--linker-options', '--dependency-output', '-odir',
  '--output-directory', '--threads', '-maxrregcount', '--maxrregcount', '--options-file', '-optf'
])

/** Version and capability probes (torch checks `-v`, CMake asks `--version`): neither compiles nor links. */
const PROBE = /^(-v|--version|-dumpversion|-dumpfullversion|-dumpmachine|-print-.*|--print-.*|-###|--help)$/

/** What one compiler command line says: its operands, output and mode. */
export interface ParsedCommand {
  /** Words that are no option and no option's value: sources, objects, libraries by path. */
  positional: string[]
  output: string | null
  libraries: string[]
  compileOnly: boolean
  preprocessOnly: boolean
  probe: boolean
  /** -shared, -bundle or -dynamiclib: the line links a shared library. */
  shared: boolean
}

/** A source file a compiler compiles, by its extension. */
export const isSourceFile = (p: string): boolean => SOURCE.test(p)

/** Parses a compiler command (compiler first): the one option table for recorded and logged commands alike. */
export function parseCommand(args: readonly string[]): ParsedCommand {
  const out: ParsedCommand = { positional: [], output: null, libraries: [], compileOnly: false, preprocessOnly: false, probe: false, shared: false }
  for (let i = 1; i < args.length; i++) {
    const a = args[i]
    if (a === '-c' || a === '/c' || a === '-S') out.compileOnly = true
    else if (a === '-shared' || a === '-bundle' || a === '-dynamiclib') out.shared = true
    else if (a === '-E' || a === '-M' || a === '-MM' || a === '/E' || a === '/P') out.preprocessOnly = true
    else if (PROBE.test(a)) out.probe = true
    else if (a === '-o') out.output = args[++i] ?? null
    else if (/^-o./.test(a)) out.output = a.slice(2)
    else if (/^\/Fo./.test(a) || /^-Fo./.test(a)) out.output = a.slice(3)
    else if (a === '-l') out.libraries.push(`-l${args[++i] ?? ''}`)
    else if (/^-l./.test(a)) out.libraries.push(a)
    else if (TAKES_VALUE.has(a)) i++
    else if (!a.startsWith('-') && !(a.startsWith('/') && /^\/[A-Za-z]/.test(a) && !a.includes('/', 1) && !SOURCE.test(a) && !OBJECT.test(a))) out.positional.push(a)
  }
  return out
}

const abs = (dir: string, p: string): string => path.resolve(dir, p)

/** The object gcc and clang write for `-c src` without `-o`: the source's base name with .o, in the cwd. */
function defaultObject(dir: string, src: string): string {
  return abs(dir, path.basename(src).replace(/\.[^.]+$/, '') + '.o')
}

/**
 * Splits invocations into compiles (one entry per source, as
 * compile_commands.json has it) and links. Probes, preprocess-only runs and
 * version checks are neither.
 */
export function classify(invocations: readonly CompilerInvocation[]): { compiles: CompileEntry[]; links: LinkEntry[] } {
  const compiles: CompileEntry[] = []
  const links: LinkEntry[] = []
  for (const inv of [...invocations].sort((a, b) => a.time - b.time)) {
    const s = parseCommand(inv.arguments)
    if (s.probe || s.preprocessOnly) continue
    const sources = s.positional.filter(p => SOURCE.test(p))
    if (s.compileOnly) {
      for (const src of sources) {
        const output = s.output && sources.length === 1 ? abs(inv.directory, s.output) : defaultObject(inv.directory, src)
        compiles.push({ directory: inv.directory, arguments: inv.arguments, file: abs(inv.directory, src), output, role: inv.role, time: inv.time })
      }
      continue
    }
    const inputs = s.positional.filter(p => OBJECT.test(p)).map(p => abs(inv.directory, p))
    const shared = s.positional.filter(p => SHARED.test(p)).map(p => abs(inv.directory, p))
    if (inputs.length === 0 && sources.length === 0) continue
    // A compile-and-link in one command (`cc a.c -o a`): its sources are TUs too.
    const output = abs(inv.directory, s.output ?? 'a.out')
    for (const src of sources) compiles.push({ directory: inv.directory, arguments: inv.arguments, file: abs(inv.directory, src), output, role: inv.role, time: inv.time })
    links.push({ directory: inv.directory, arguments: inv.arguments, output, inputs: [...inputs, ...sources.map(p => abs(inv.directory, p))], libraries: [...s.libraries, ...shared], role: inv.role, time: inv.time })
  }
  return { compiles, links }
}

/**
 * Build-system probes that are not the project's code: CMake's compiler
 * identification and try_compile scratch projects.
 */
export function isProbe(entry: { directory: string; file?: string; output: string }): boolean {
  const where = [entry.directory, entry.file ?? '', entry.output].join('\n')
  return /CMakeFiles[\\/](CMakeTmp|CMakeScratch|[\d.]+[\\/]CompilerId)|CompilerIdC(XX)?[\\/]/.test(where)
}

/**
 * The host compiles nvcc runs itself (through -ccbin, which torch sets to CC,
 * so through the wrapper too) on its temporary files: tmpxft_*.cudafe1.cpp.
 * They belong to the .cu file nvcc compiled, not to the project.
 */
export function isNvccInternal(entry: { file?: string; output: string }): boolean {
  return /(^|[\\/])tmpxft_[^\\/]*$/.test(entry.file ?? '') || /(^|[\\/])tmpxft_[^\\/]*$/.test(entry.output)
}

/** compile_commands.json as clangd and clang-tidy read it. */
export function compileCommandsJson(entries: readonly CompileEntry[]): string {
  return JSON.stringify(entries.map(e => ({ directory: e.directory, arguments: e.arguments, file: e.file, output: e.output })), null, 2) + '\n'
}
