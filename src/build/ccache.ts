/**
 * ccache for the build: its environment, its statistics, and its folder.
 * The wrappers chain it (wrapper -> ccache -> compiler); see wrappers.ts.
 */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { userEnv } from '../process/user-env.js'
import { which } from './compiler-id.js'

export interface CcacheSetup {
  /** Absolute path of the ccache executable. */
  path: string
  /** The cache folder (CCACHE_DIR): this is what is saved and restored. */
  dir: string
  /** Variables for the build's environment. */
  env: Record<string, string>
}

export interface CcacheStats {
  /** Compiles served from the cache (direct + preprocessed hits). */
  hits: number
  /** Compiles that ran the compiler and were stored. */
  misses: number
  /** Invocations ccache could not cache (links, preprocessing, unsupported options). */
  uncacheable: number
  /** hits / (hits + misses); null when nothing was cacheable. */
  hitRate: number | null
}

/** Raised when the cache is on and ccache is not installed: a setup error, never a silent skip. */
export class CcacheNotFoundError extends Error {
  constructor() {
    super("Input 'cache': ccache is not installed, and 'cache: true' needs it. Install it (Debian/Ubuntu: apt-get install ccache; macOS: brew install ccache) or set 'cache: false'.")
    this.name = 'CcacheNotFoundError'
  }
}

/** Where the cache lives: under RUNNER_TEMP on a runner, else in the user's cache folder. */
export function defaultCcacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.RUNNER_TEMP ? path.join(env.RUNNER_TEMP, 'thread-scaling-check', 'ccache') : path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'thread-scaling-check', 'ccache')
}

/**
 * The variables that make ccache hit across checkouts and runs (pure):
 * - CCACHE_BASEDIR: absolute paths under the working directory are hashed
 *   relative to it, so a checkout in another folder still hits;
 * - CCACHE_NOHASHDIR: with -g (Python's CFLAGS have it) ccache would hash
 *   the cwd; the price is debug info naming the first checkout's folder;
 * - CCACHE_COMPILERCHECK=content: the compiler is hashed by content, not
 *   mtime, which a fresh runner image changes.
 * Flags stay in the hash: a changed flag is always a miss.
 */
export function ccacheEnv(dir: string, workingDirectory: string, maxSize = '1G'): Record<string, string> {
  return { CCACHE_DIR: dir, CCACHE_BASEDIR: workingDirectory, CCACHE_NOHASHDIR: '1', CCACHE_COMPILERCHECK: 'content', CCACHE_MAXSIZE: maxSize }
}

function run(ccache: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ccache, args, { env: { ...userEnv(), ...env, LC_ALL: 'C' }, timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${ccache} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)))
  })
}

/** Finds ccache, makes the folder and zeroes the statistics, so the numbers read after the build are this build's. */
export async function setupCcache(opts: { workingDirectory: string; dir?: string; env?: NodeJS.ProcessEnv; maxSize?: string }): Promise<CcacheSetup> {
  const exe = which('ccache', opts.env ?? process.env)
  if (!exe) throw new CcacheNotFoundError()
  const dir = opts.dir ?? defaultCcacheDir(opts.env)
  fs.mkdirSync(dir, { recursive: true })
  const env = ccacheEnv(dir, opts.workingDirectory, opts.maxSize)
  await run(exe, ['--zero-stats'], env)
  return { path: exe, dir, env }
}

/**
 * Reads `ccache --print-stats` (tab-separated, ccache 4.x) or, failing that,
 * the human `ccache -s` summary of older versions. Pure.
 */
export function parseCcacheStats(text: string): CcacheStats {
  const tsv = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^(\w+)\t(\d+)$/.exec(line.trim())
    if (m) tsv.set(m[1], Number(m[2]))
  }
  let hits: number
  let misses: number
  let uncacheable = 0
  if (tsv.size) {
    hits = (tsv.get('direct_cache_hit') ?? 0) + (tsv.get('preprocessed_cache_hit') ?? 0)
    misses = tsv.get('cache_miss') ?? 0
    for (const k of ['called_for_link', 'called_for_preprocessing', 'unsupported_compiler_option', 'unsupported_source_language', 'no_input_file', 'multiple_source_files', 'compiler_produced_stdout', 'autoconf_test']) uncacheable += tsv.get(k) ?? 0
  } else {
    const num = (re: RegExp): number => Number(re.exec(text)?.[1] ?? 0)
    hits = num(/^\s*Hits:\s+(\d+)/m) || num(/cache hit \(direct\)\s+(\d+)/) + num(/cache hit \(preprocessed\)\s+(\d+)/)
    misses = num(/^\s*Misses:\s+(\d+)/m) || num(/cache miss\s+(\d+)/)
    uncacheable = num(/^\s*Uncacheable:\s+(\d+)/m) + num(/called for link\s+(\d+)/)
  }
  return { hits, misses, uncacheable, hitRate: hits + misses > 0 ? hits / (hits + misses) : null }
}

export async function readCcacheStats(setup: CcacheSetup): Promise<CcacheStats> {
  try {
    return parseCcacheStats(await run(setup.path, ['--print-stats'], setup.env))
  } catch {
    // ccache before 4.4 has no --print-stats.
    return parseCcacheStats(await run(setup.path, ['-s'], setup.env))
  }
}
