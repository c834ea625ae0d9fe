/**
 * The fallback for attribution when no wrapper recorded the build (or its
 * record says nothing for a binary): which translation units went into
 * which built binary, from what the build left behind: the build log (setuptools/distutils print every compile command
 * `... -c <src> -o <obj>` and the link command `... <objs> -o <out.so>`),
 * the build.ninja files torch's BuildExtension writes (`build <obj>: compile
 * <src>`; with ninja the log shows no compile command for objects already up
 * to date), and a compile_commands.json when the project has one.
 *
 * With it, a binary built without OpenMP is blamed only for the parallel
 * constructs compiled into it, not for those of a sibling extension.
 * Commands are read with build/'s parser (splitCommand, parseCommand).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { isSourceFile, parseCommand } from '../build/compile-db.js'
import { splitCommand } from '../build/split-command.js'
import { realPath } from '../paths.js'
import { walkFiles } from '../locate/walk.js'
import type { SourceHit } from '../sources/scan.js'

/** The translation units of one binary. */
export interface BinarySources {
  /** The binary, as passed in. */
  binary: string
  /**
   * Absolute paths of the sources compiled into it, sorted; null when the
   * build records don't say (no link command for it, or an object traced to
   * no source). Callers then treat every source as a candidate.
   */
  sources: string[] | null
  /** Where the answer came from, or why there is none. */
  how: string
}

/** A build file found under the build tree. */
export interface BuildFile {
  /** Absolute path; relative paths inside it are relative to its directory (ninja) or its entries' (JSON). */
  path: string
  text: string
}

export interface CompileMapInput {
  /** Directory the build command ran in: relative paths in the log are relative to it. */
  cwd: string
  /** The build's output (stdout and stderr as logged); '' when there is none. */
  log: string
  /** Binaries to map (absolute, or relative to cwd). */
  binaries: readonly string[]
  /** build.ninja and compile_commands.json files; found under cwd (findBuildFiles) when omitted. */
  buildFiles?: readonly BuildFile[]
}

/** Objects a link line names (archives are not traced to sources). */
const OBJECT = /\.(o|obj)$/
/** Logs can be large; a line longer than this is no compiler command we can use. */
const MAX_LINE = 1 << 20

interface Records {
  /** Absolute object path -> absolute source path. */
  objects: Map<string, string>
  /** Absolute output path -> absolute object paths, last link wins. */
  links: Map<string, string[]>
  /** Copies: [from, to] absolute, in log order (setuptools --inplace). */
  copies: [string, string][]
}

/** Reads compile, link and copy commands out of a build log. */
function fromLog(log: string, cwd: string, into: Records): void {
  const abs = (p: string): string => path.resolve(cwd, p)
  for (const raw of log.split('\n')) {
    if (raw.length > MAX_LINE) continue
    // ninja prefixes "[3/4] "; pip -v indents subprocess output.
    const line = raw.trim().replace(/^\[\d+\/\d+\]\s+/, '')
    // "copying build/lib.../x.so -> pkg" ("-> " alone: the current directory, trimmed to "->").
    const copy = /^copying (.+?) ->(?: (.*))?$/.exec(line)
    if (copy) {
      const to = (copy[2] ?? '').trim()
      into.copies.push([abs(copy[1]), to === '' ? cwd : abs(to)])
      continue
    }
    if (!line.includes('-o')) continue
    const cmd = parseCommand(splitCommand(line))
    if (cmd.output === null) continue
    const sources = cmd.positional.filter(isSourceFile)
    if (cmd.compileOnly && sources.length === 1 && OBJECT.test(cmd.output)) {
      into.objects.set(abs(cmd.output), abs(sources[0]))
    } else if (!cmd.compileOnly && cmd.shared) {
      into.links.set(abs(cmd.output), cmd.positional.filter(w => OBJECT.test(w)).map(abs))
    }
  }
}

/** Undoes ninja's escapes: `$ ` space, `$:` colon, `$$` dollar, `$\n` continuation. */
function ninjaWords(s: string): string[] {
  const words: string[] = []
  let word = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (c === '$' && i + 1 < s.length) word += s[++i]
    else if (c === ' ') {
      if (word) words.push(word)
      word = ''
    } else word += c
  }
  if (word) words.push(word)
  return words
}

/** `build <obj>: compile <src>` (and cuda_compile) from a build.ninja. */
function fromNinja(file: BuildFile, into: Records): void {
  const dir = path.dirname(file.path)
  const text = file.text.replace(/\$\r?\n\s*/g, '') // join continued lines
  for (const line of text.split('\n')) {
    const m = /^build\s+(.+?)(?<!\$):\s*(compile|cuda_compile)\s+(.+)$/.exec(line.trim())
    if (!m) continue
    const outs = ninjaWords(m[1])
    const ins = ninjaWords(m[3].split(/\s\|\|?\s/)[0]) // drop implicit and order-only inputs
    if (outs.length === 1 && ins.length === 1) into.objects.set(path.resolve(dir, outs[0]), path.resolve(dir, ins[0]))
  }
}

interface CompileCommand {
  directory?: unknown
  file?: unknown
  output?: unknown
  command?: unknown
  arguments?: unknown
}

/** Entries of a compile_commands.json: file, and output from `output` or the command's -o. */
function fromCompileCommands(file: BuildFile, into: Records): void {
  let entries: unknown
  try {
    entries = JSON.parse(file.text)
  } catch {
    return
  }
  if (!Array.isArray(entries)) return
  for (const e of entries as CompileCommand[]) {
    if (typeof e !== 'object' || e === null || typeof e.file !== 'string') continue
    const dir = typeof e.directory === 'string' ? path.resolve(path.dirname(file.path), e.directory) : path.dirname(file.path)
    let output = typeof e.output === 'string' ? e.output : null
    if (output === null) {
      const words = Array.isArray(e.arguments) ? e.arguments.filter((a): a is string => typeof a === 'string') : typeof e.command === 'string' ? splitCommand(e.command) : []
      output = parseCommand(words).output
    }
    if (output !== null && OBJECT.test(output)) into.objects.set(path.resolve(dir, output), path.resolve(dir, e.file))
  }
}

/** The sources of every binary, from already-read build records. Pure apart from realpath for symlinked paths. */
export function mapFromRecords(input: Required<CompileMapInput>): BinarySources[] {
  const rec: Records = { objects: new Map(), links: new Map(), copies: [] }
  for (const f of input.buildFiles) {
    if (path.basename(f.path) === 'compile_commands.json') fromCompileCommands(f, rec)
    else fromNinja(f, rec)
  }
  // The log comes last: what the build printed this time beats stale build files.
  fromLog(input.log, input.cwd, rec)

  const same = (a: string, b: string): boolean => a === b || real(a) === real(b)
  return input.binaries.map(b => {
    const binary = path.resolve(input.cwd, b)
    let out = [...rec.links.keys()].find(o => same(o, binary))
    let how = 'the link command in the build log'
    if (out === undefined) {
      // setuptools --inplace: "copying build/lib.../x.so -> pkg/" (or "-> " for the current directory).
      const copy = [...rec.copies].reverse().find(([from, to]) => rec.links.has(from) && (same(to, binary) || same(path.join(to, path.basename(from)), binary)))
      if (copy) {
        out = copy[0]
        how = `the link command in the build log, then "copying ... -> ${path.relative(input.cwd, copy[1]) || '.'}"`
      }
    }
    if (out === undefined) {
      // Built elsewhere (pip's temporary build dirs) and copied without a log line: the file name alone, if unique.
      const named = [...rec.links.keys()].filter(o => path.basename(o) === path.basename(binary))
      if (named.length === 1) {
        out = named[0]
        how = 'the link command in the build log (matched by file name)'
      }
    }
    if (out === undefined) return { binary: b, sources: null, how: 'no link command for it in the build log' }
    const objects = rec.links.get(out) ?? []
    const missing = objects.filter(o => !rec.objects.has(o))
    if (missing.length > 0) return { binary: b, sources: null, how: `objects traced to no source: ${missing.map(o => path.basename(o)).join(', ')}` }
    const sources = [...new Set(objects.map(o => rec.objects.get(o) as string))].sort()
    return { binary: b, sources, how }
  })
}


const real = (p: string): string => realPath(p) ?? p

const MAX_BUILD_FILE = 16 << 20
const MAX_DEPTH = 6
const SKIP_DIRS = new Set(['.git', 'node_modules', '__pycache__', '.tox', '.venv', 'venv'])

/** build.ninja and compile_commands.json files under dir (bounded depth, no VCS or virtualenv dirs). */
export function findBuildFiles(dir: string): BuildFile[] {
  const found: BuildFile[] = []
  walkFiles(
    dir,
    (name, depth) => depth < MAX_DEPTH && !SKIP_DIRS.has(name),
    p => {
      const name = path.basename(p)
      if (name !== 'build.ninja' && name !== 'compile_commands.json') return
      const size = fs.statSync(p, { throwIfNoEntry: false })?.size ?? 0
      if (size <= MAX_BUILD_FILE) found.push({ path: p, text: fs.readFileSync(p, 'utf8') })
    }
  )
  return found.sort((a, b) => a.path.localeCompare(b.path))
}

/**
 * For each binary, the sources compiled into it (see BinarySources). Reads
 * the build files under `cwd` unless they are given.
 */
export function mapSourcesToBinaries(input: CompileMapInput): BinarySources[] {
  return mapFromRecords({ ...input, buildFiles: input.buildFiles ?? findBuildFiles(input.cwd) })
}

const INCLUDE = /^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"/gm
const MAX_SCANNED = 4 << 20

/**
 * The parallel constructs that land in one binary: hits in its translation
 * units, and in the project headers those include (quoted #include, followed
 * transitively, resolved next to the including file). With `sources` null
 * every hit counts. Hits stay as given, torch::stable::parallel_for ones
 * included: needsOpenMP() decides which of them need OpenMP flags.
 */
export function hitsInBinary(hits: readonly SourceHit[], sources: readonly string[] | null, cwd: string): SourceHit[] {
  if (sources === null) return [...hits]
  const reached = new Set<string>()
  const queue = sources.map(s => path.resolve(cwd, s))
  while (queue.length > 0) {
    const f = queue.pop() as string
    if (reached.has(f)) continue
    reached.add(f)
    const size = fs.statSync(f, { throwIfNoEntry: false })?.size
    if (size === undefined || size > MAX_SCANNED) continue
    for (const m of fs.readFileSync(f, 'utf8').matchAll(INCLUDE)) {
      const inc = path.resolve(path.dirname(f), m[1])
      if (!reached.has(inc) && fs.existsSync(inc)) queue.push(inc)
    }
  }
  const realReached = new Set([...reached].map(real))
  return hits.filter(h => {
    const f = path.resolve(cwd, h.file)
    return reached.has(f) || realReached.has(real(f))
  })
}
