import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { userEnv } from '../process/user-env.js'

/**
 * The parallel-region counter (count_regions.c), compiled for this runner,
 * or why regions are not counted. Not counting is never an error: the
 * timings and thread evidence stand on their own, as before.
 */
export type Counter = { library: string; compiler: string; via: CountVia } | { library: null; reason: string }

/**
 * How the counter gets into the measuring process: 'ld-preload' wraps the
 * runtimes' fork entries (Linux, every runtime); 'ompt' is an OMPT tool that
 * LLVM's libomp loads itself through OMP_TOOL_LIBRARIES (macOS, where
 * DYLD_INSERT_LIBRARIES is stripped; it sees libomp's regions only, not GNU
 * libgomp's). TSC_COUNT_VIA=ompt picks the OMPT path on Linux too.
 */
export type CountVia = 'ld-preload' | 'ompt'

export interface CounterOptions {
  /** Path of count_regions.c. */
  source: string
  /** Where compiled copies are cached (keyed by compiler and source). */
  cacheDir?: string
  platform?: NodeJS.Platform
  env?: NodeJS.ProcessEnv
}

/**
 * The C compiler: TSC_COUNT_CC (an override, also how tests take it away),
 * then CC, then cc. The counter is plain C99 with GNU atomics, so any
 * gcc or clang builds it.
 */
export function counterCompiler(env: NodeJS.ProcessEnv = process.env): string {
  return env.TSC_COUNT_CC || env.CC || 'cc'
}

function firstLine(text: string): string {
  return text.split('\n').find(l => l.trim() !== '')?.trim() ?? ''
}

/** Compiles the counter once per compiler and source (cached), or says why it can't count. */
export function prepareCounter(opts: CounterOptions): Counter {
  const platform = opts.platform ?? process.platform
  const env = opts.env ?? process.env
  if (platform !== 'linux' && platform !== 'darwin') return { library: null, reason: `regions are counted through LD_PRELOAD (Linux) or an OMPT tool (macOS), and this runner is ${platform}` }
  if (env.TSC_COUNT === '0') return { library: null, reason: 'counting is turned off (TSC_COUNT=0)' }
  const via: CountVia = platform === 'darwin' || env.TSC_COUNT_VIA === 'ompt' ? 'ompt' : 'ld-preload'
  let source: Buffer
  try {
    source = fs.readFileSync(opts.source)
  } catch (e) {
    return { library: null, reason: `the counter's source ${opts.source} is missing (${(e as Error).message})` }
  }
  const compiler = counterCompiler(env)
  const version = spawnSync(compiler, ['--version'], { encoding: 'utf8', env: userEnv(env), timeout: 30_000 })
  if (version.error || version.status !== 0) {
    const why = version.error ? version.error.message : firstLine(version.stderr) || `exit status ${version.status}`
    return { library: null, reason: `the C compiler '${compiler}' that builds the counter did not run (${why})` }
  }
  const key = createHash('sha256').update(compiler).update('\0').update(version.stdout).update('\0').update(via).update('\0').update(source).digest('hex').slice(0, 16)
  const dir = opts.cacheDir ?? path.join(env.RUNNER_TEMP || os.tmpdir(), 'thread-scaling-check', 'count-regions')
  const library = path.join(dir, `libtsc_count-${via === 'ompt' ? 'ompt-' : ''}${key}${platform === 'darwin' ? '.dylib' : '.so'}`)
  if (fs.existsSync(library)) return { library, compiler, via }
  try {
    fs.mkdirSync(dir, { recursive: true })
  } catch (e) {
    return { library: null, reason: `cannot create the counter's cache folder ${dir} (${(e as Error).message})` }
  }
  // Compiled beside its final name and renamed: concurrent legs never load a half-written file.
  const partial = `${library}.${process.pid}.tmp`
  const r = spawnSync(compiler, ['-shared', '-fPIC', '-O2', ...(via === 'ompt' ? ['-DTSC_OMPT'] : []), '-o', partial, opts.source, ...(platform === 'darwin' ? [] : ['-ldl']), '-pthread'], { encoding: 'utf8', env: userEnv(env), timeout: 120_000 })
  if (r.error || r.status !== 0) {
    fs.rmSync(partial, { force: true })
    const why = r.error ? r.error.message : firstLine(r.stderr) || `exit status ${r.status}`
    return { library: null, reason: `the C compiler '${compiler}' could not build the counter (${why})` }
  }
  fs.renameSync(partial, library)
  return { library, compiler, via }
}

/**
 * The measuring process's environment for the counter: appended to any
 * LD_PRELOAD the user set; an OMPT tool goes after any OMP_TOOL_LIBRARIES the
 * user set (libomp starts the first that accepts, so a user's own tool wins).
 */
export function counterEnv(counter: Counter, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (counter.library === null) return {}
  if (counter.via === 'ompt') {
    const tools = env.OMP_TOOL_LIBRARIES?.trim()
    return { OMP_TOOL: 'enabled', OMP_TOOL_LIBRARIES: tools ? `${tools}:${counter.library}` : counter.library, TSC_COUNT_LIB: counter.library, TSC_COUNT_VIA: 'ompt' }
  }
  const existing = env.LD_PRELOAD?.trim()
  return { LD_PRELOAD: existing ? `${existing}:${counter.library}` : counter.library, TSC_COUNT_LIB: counter.library }
}
