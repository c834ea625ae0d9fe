/**
 * Compiler wrappers placed through CC and CXX, so every compile and link the
 * build runs is recorded, whatever runs it: setuptools (it links through CXX
 * for C++ extensions, and through LDSHARED, which starts with CC), torch's
 * BuildExtension with ninja (it writes CXX into build.ninja), pip (it passes
 * the environment on), and CMake (it reads CC/CXX at configure time).
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { classify, compileCommandsJson, isNvccInternal, isProbe, parseRecord, type CompileEntry, type CompilerInvocation, type LinkEntry } from './compile-db.js'
import { identifyCompiler, which, type CompilerInfo } from './compiler-id.js'
import { splitQuoted } from './split-quoted.js'
import { RECORD_DIR_ENV, wrapperScript, type WrapperSpec } from './wrapper-script.js'

export interface WrapperOptions {
  /** Where compile_commands.json, link-commands.json and compiler-commands.jsonl are written (the build log's folder). */
  outputDir: string
  /** The environment the build would have had: CC/CXX/PATH are read from it. Default process.env. */
  env?: NodeJS.ProcessEnv
  /** Absolute path of ccache to run every compile through (wrapper -> ccache -> compiler); null or absent for none. */
  ccache?: string | null
  /** process.platform, for the default compilers. */
  platform?: NodeJS.Platform
  /** Parent of the temporary wrapper and record folders. Default os.tmpdir(). */
  tempDir?: string
}

export interface RecordedBuild {
  /** Translation units, in the order they were compiled (CMake's and others' compiler probes left out). */
  compileDb: CompileEntry[]
  /** Link commands, in order. */
  links: LinkEntry[]
  /** Every recorded invocation, probes included. */
  invocations: CompilerInvocation[]
  /** What each compiler that ran is, by the path in arguments[0]. */
  compilers: Record<string, CompilerInfo>
  /** Files written: compile_commands.json, link-commands.json, compiler-commands.jsonl. */
  files: { compileCommands: string; linkCommands: string; invocations: string }
}

export interface PreparedWrappers {
  /** Variables to add to the build's environment: CC, CXX, the CUDA ones when there is an nvcc, and the record folder. */
  env: Record<string, string>
  /** The real compilers the wrappers run (nvcc: null when the machine has none). */
  compilers: { cc: string; cxx: string; nvcc: string | null }
  /** Reads the records, writes the compile database beside the build log, and removes the wrappers. Call once, after the build. */
  finish(): Promise<RecordedBuild>
}

/** Raised when no real compiler can be found: a setup error, named after the variable. */
export class CompilerNotFoundError extends Error {
  constructor(variable: string, tried: string, why?: string) {
    super(why ? `${variable}: ${why}.` : `${variable}: no compiler '${tried}' on PATH. Install a C/C++ compiler (Debian: apt-get install g++), or set ${variable} to one.`)
    this.name = 'CompilerNotFoundError'
  }
}

const LAUNCHERS = new Set(['ccache', 'sccache', 'buildcache'])

const isLauncher = (p: string): boolean => {
  try {
    return LAUNCHERS.has(path.basename(fs.realpathSync(p)).replace(/\.exe$/i, ''))
  } catch {
    return false
  }
}

interface Resolved {
  spec: WrapperSpec
  name: string
}

/**
 * Splits CC/CXX into the real compiler and its extra words. A leading
 * ccache/sccache word is dropped (and chained again when it was ccache), and
 * ccache's masquerade links (/usr/lib/ccache/g++) are skipped on PATH, so the
 * wrapper never runs itself or a launcher twice.
 */
function resolve(role: 'cc' | 'cxx', value: string | undefined, fallbacks: string[], env: NodeJS.ProcessEnv, ccache: string | null): Resolved {
  const variable = role === 'cc' ? 'CC' : 'CXX'
  let words = compilerWords(variable, value ?? '')
  let launcher = ccache
  while (words.length > 1 && LAUNCHERS.has(path.basename(words[0]))) {
    if (path.basename(words[0]) === 'ccache' && !launcher) launcher = which(words[0], env)
    words = words.slice(1)
  }
  const candidates = words.length ? [words[0]] : fallbacks
  for (const c of candidates) {
    const found = which(c, env, isLauncher)
    if (found) return { spec: { role, compiler: found, extraArgs: words.slice(1), ccache: launcher }, name: path.basename(found) }
  }
  throw new CompilerNotFoundError(variable, candidates.join("' or '"))
}

function resolveBoth(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, ccache: string | null): { cc: Resolved; cxx: Resolved } {
  return {
    cc: resolve('cc', env.CC, platform === 'darwin' ? ['clang', 'cc'] : ['gcc', 'cc', 'clang'], env, ccache),
    cxx: resolve('cxx', env.CXX, platform === 'darwin' ? ['clang++', 'c++'] : ['g++', 'c++', 'clang++'], env, ccache)
  }
}

/**
 * CC/CXX as words. A value that is the path of an existing file is one word
 * even with spaces in it (CMake reads CC so); anything else splits as
 * distutils splits it, so `gcc -DX='a b'` keeps `-DX=a b` whole.
 */
export function compilerWords(variable: string, value: string): string[] {
  const trimmed = value.trim()
  if (trimmed && path.isAbsolute(trimmed) && isFile(trimmed)) return [trimmed]
  try {
    return splitQuoted(value).filter(w => w.length > 0)
  } catch (e) {
    throw new CompilerNotFoundError(variable, value, `${(e as Error).message}; quote it as a shell would (CC="gcc -DNAME='a b'")`)
  }
}

const isFile = (p: string): boolean => fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false

/** Where the build's nvcc is, found as torch finds it. */
export interface NvccLocation {
  nvcc: string
  /** Words after nvcc in PYTORCH_NVCC. */
  extraArgs: string[]
  /** A ccache/sccache word in front of it in PYTORCH_NVCC (ccache is kept). */
  launcher: string | null
  /** The CUDA folder torch would use (include/, lib64/); null when nvcc came from PYTORCH_NVCC alone. */
  cudaHome: string | null
  /** PYTORCH_NVCC was set: torch's ninja builds run it instead of CUDA_HOME's nvcc. */
  fromPytorchNvcc: boolean
}

/**
 * The nvcc a CUDA extension build would run: PYTORCH_NVCC (torch's ninja
 * builds), else <CUDA_HOME or CUDA_PATH>/bin/nvcc, else nvcc on PATH, else
 * /usr/local/cuda, in torch's order. Null when there is none: a build without
 * CUDA needs no nvcc wrapper.
 */
export function findNvcc(env: NodeJS.ProcessEnv = process.env): NvccLocation | null {
  const exists = (p: string): boolean => which(p, env) !== null
  const homeOf = (): string | null => {
    const set = env.CUDA_HOME || env.CUDA_PATH
    if (set) return set
    const onPath = which('nvcc', env)
    if (onPath) return path.dirname(path.dirname(onPath))
    return fs.existsSync('/usr/local/cuda') ? '/usr/local/cuda' : null
  }
  const cudaHome = homeOf()
  if (env.PYTORCH_NVCC?.trim()) {
    let words = env.PYTORCH_NVCC.trim().split(/\s+/)
    let launcher: string | null = null
    while (words.length > 1 && LAUNCHERS.has(path.basename(words[0]))) {
      if (path.basename(words[0]) === 'ccache') launcher = which(words[0], env)
      words = words.slice(1)
    }
    const nvcc = which(words[0], env)
    if (!nvcc) throw new CompilerNotFoundError('PYTORCH_NVCC', words[0])
    return { nvcc, extraArgs: words.slice(1), launcher, cudaHome, fromPytorchNvcc: true }
  }
  if (cudaHome === null) return null
  const nvcc = path.join(cudaHome, 'bin', 'nvcc')
  return exists(nvcc) ? { nvcc, extraArgs: [], launcher: null, cudaHome, fromPytorchNvcc: false } : null
}

/**
 * A stand-in CUDA folder whose bin/nvcc is the wrapper and whose every other
 * entry links to the real one. torch's setuptools path runs
 * CUDA_HOME/bin/nvcc and its ninja path writes it into build.ninja's cuda_compile
 * rule, so pointing CUDA_HOME here records both; include/ and lib64/ resolve
 * through the links. nvcc itself is run by its real path, so it finds its own
 * files as usual.
 */
function shadowCudaHome(root: string, cudaHome: string, wrapper: string): string {
  const home = path.join(root, 'cuda')
  fs.mkdirSync(path.join(home, 'bin'), { recursive: true })
  for (const e of fs.readdirSync(cudaHome)) if (e !== 'bin') fs.symlinkSync(path.join(cudaHome, e), path.join(home, e))
  const bin = path.join(cudaHome, 'bin')
  for (const e of fs.existsSync(bin) ? fs.readdirSync(bin) : []) if (e !== 'nvcc') fs.symlinkSync(path.join(bin, e), path.join(home, 'bin', e))
  fs.copyFileSync(wrapper, path.join(home, 'bin', 'nvcc'))
  fs.chmodSync(path.join(home, 'bin', 'nvcc'), 0o755)
  return home
}

/**
 * The real compilers the build would run (what the wrappers exec), from
 * CC/CXX or the platform's defaults. Async so that a missing compiler reaches
 * the caller's .catch as a rejection, never as a synchronous throw.
 */
export async function realCompilers(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Promise<{ cc: string; cxx: string }> {
  const { cc, cxx } = resolveBoth(env, platform, null)
  return { cc: cc.spec.compiler, cxx: cxx.spec.compiler }
}

/**
 * Writes the two wrappers and returns the environment that puts them in
 * place. Each wrapper has the real compiler's file name (g++, clang++), in
 * its own folder: torch's BuildExtension accepts a compiler by name (or by
 * what `-v` prints, which the wrapper passes through), so the wrapped build
 * prints no new warning.
 */
export function prepareWrappers(opts: WrapperOptions): PreparedWrappers {
  const env = opts.env ?? process.env
  const platform = opts.platform ?? process.platform
  const ccache = opts.ccache ?? null
  const { cc, cxx } = resolveBoth(env, platform, ccache)

  const root = fs.mkdtempSync(path.join(opts.tempDir ?? os.tmpdir(), 'tsc-wrappers-'))
  const recordDir = path.join(root, 'records')
  fs.mkdirSync(recordDir)
  const write = (r: Resolved): string => {
    const dir = path.join(root, r.spec.role)
    fs.mkdirSync(dir)
    const file = path.join(dir, r.name)
    fs.writeFileSync(file, wrapperScript(r.spec), { mode: 0o755 })
    return file
  }
  const ccWrapper = write(cc)
  const cxxWrapper = write(cxx)
  const cuda: Record<string, string> = {}
  const nv = findNvcc(env)
  if (nv) {
    const nvccWrapper = write({ spec: { role: 'nvcc', compiler: nv.nvcc, extraArgs: nv.extraArgs, ccache: nv.launcher }, name: 'nvcc' })
    if (nv.fromPytorchNvcc) cuda.PYTORCH_NVCC = nvccWrapper
    if (nv.cudaHome && fs.existsSync(nv.cudaHome)) {
      const home = shadowCudaHome(root, nv.cudaHome, nvccWrapper)
      Object.assign(cuda, { CUDA_HOME: home, CUDA_PATH: home })
    }
    // CMake's CUDA language reads CUDACXX when it configures.
    cuda.CUDACXX = nvccWrapper
  }

  let finished: Promise<RecordedBuild> | null = null
  const finish = (): Promise<RecordedBuild> => {
    finished ??= collect(recordDir, opts.outputDir, env).finally(() => fs.rmSync(root, { recursive: true, force: true }))
    return finished
  }
  return {
    env: { CC: ccWrapper, CXX: cxxWrapper, ...cuda, [RECORD_DIR_ENV]: recordDir },
    compilers: { cc: cc.spec.compiler, cxx: cxx.spec.compiler, nvcc: nv?.nvcc ?? null },
    finish
  }
}

/** Reads every record in the folder (in no particular order: classify() sorts by time). */
export function readRecords(recordDir: string): CompilerInvocation[] {
  const out: CompilerInvocation[] = []
  for (const name of fs.readdirSync(recordDir)) {
    if (!name.endsWith('.rec')) continue
    const file = path.join(recordDir, name)
    const inv = parseRecord(fs.readFileSync(file), fs.statSync(file).mtimeMs)
    if (inv) out.push(inv)
  }
  return out
}

async function collect(recordDir: string, outputDir: string, env: NodeJS.ProcessEnv): Promise<RecordedBuild> {
  const invocations = readRecords(recordDir).sort((a, b) => a.time - b.time)
  const { compiles, links } = classify(invocations)
  const compileDb = compiles.filter(c => !isProbe(c) && !isNvccInternal(c))
  const realLinks = links.filter(l => !isProbe(l))
  const compilers: Record<string, CompilerInfo> = {}
  for (const p of new Set(invocations.map(i => i.arguments[0]))) compilers[p] = await identifyCompiler(p, env)

  fs.mkdirSync(outputDir, { recursive: true })
  const files = {
    compileCommands: path.join(outputDir, 'compile_commands.json'),
    linkCommands: path.join(outputDir, 'link-commands.json'),
    invocations: path.join(outputDir, 'compiler-commands.jsonl')
  }
  fs.writeFileSync(files.compileCommands, compileCommandsJson(compileDb))
  fs.writeFileSync(files.linkCommands, JSON.stringify(realLinks.map(l => ({ directory: l.directory, arguments: l.arguments, output: l.output, inputs: l.inputs, libraries: l.libraries })), null, 2) + '\n')
  fs.writeFileSync(files.invocations, invocations.map(i => JSON.stringify({ cwd: i.directory, argv: i.arguments, compiler: i.role, timestamp: new Date(i.time).toISOString() }) + '\n').join(''))
  return { compileDb, links: realLinks, invocations, compilers, files }
}
