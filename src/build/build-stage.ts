/**
 * The build stage as the pipeline runs it: compiler wrappers that record
 * every command, the optional ccache round trip through @actions/cache, the
 * optional run-only OpenMP fix, then the per-TU audit of what really ran.
 */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { userEnv } from '../process/user-env.js'
import type { Log } from '../log.js'
import { fixEnvironment } from '../fix/remediation.js'
import { buildRecord, type BuildRecord } from './build-record.js'
import { beginBuildCache, endBuildCache, type BuildCacheReport, type BuildCacheSession } from './build-cache.js'
import { runBuild, type BuildResult } from './run-build.js'
import type { CacheStore } from './cache-store.js'
import { fixCompiler, identifyCompiler } from './compiler-id.js'
import { prepareWrappers, realCompilers, type PreparedWrappers } from './wrappers.js'

export interface BuildStageOptions {
  command: string
  cwd: string
  python: string
  logPath: string
  log: Log
  /** Present when the cache input is on. */
  cache: CacheStore | null
  /** Add OpenMP flags through the environment for this run only. */
  applyOpenmpFix: boolean
  /** Source files, for the cache key. */
  sources: readonly string[]
}

export interface BuildStageResult {
  result: BuildResult
  /** The build's record: log, start, compile database, link records and audit. */
  record: BuildRecord
  compileDatabase: string | null
  cache: BuildCacheReport | null
  /** The variables apply-openmp-fix added, or null. */
  fixApplied: Record<string, string> | null
}

function torchVersion(python: string): Promise<string> {
  return new Promise(resolve => {
    execFile(python, ['-c', 'import torch; print(torch.__version__)'], { env: userEnv(), timeout: 120_000 }, (err, out) => resolve(err ? 'unknown' : out.trim()))
  })
}

/**
 * The C++ compiler the build would run, for the cache key and the OpenMP
 * fix. When none is found the build still runs (its own error says it
 * best), keyed and fixed by the name CXX gives or the platform's default.
 */
async function realCxx(log: Log): Promise<string> {
  return realCompilers().then(
    c => c.cxx,
    (e: Error) => {
      const named = process.env.CXX?.trim() ? process.env.CXX.trim() : process.platform === 'darwin' ? 'clang++' : 'g++'
      log.warning(`${e.message} Going on with '${named}' for the build cache key and the OpenMP flags.`)
      return named
    }
  )
}

export async function runBuildStage(o: BuildStageOptions): Promise<BuildStageResult> {
  const outputDir = path.dirname(o.logPath)
  fs.mkdirSync(outputDir, { recursive: true })
  let session: BuildCacheSession | null = null
  const cxx = o.cache || o.applyOpenmpFix ? await realCxx(o.log) : ''
  if (o.cache) {
    session = await beginBuildCache({ store: o.cache, workingDirectory: o.cwd, compiler: cxx, torchVersion: await torchVersion(o.python), sources: o.sources })
    o.log.info(session.restoredKey ? `Build cache restored from ${session.restoredKey}` : `No build cache for ${session.key} yet`)
  }

  let fixApplied: Record<string, string> | null = null
  if (o.applyOpenmpFix) {
    const compiler = await identifyCompiler(cxx)
    fixApplied = fixEnvironment(process.platform, fixCompiler(compiler.family))
    o.log.warning(`apply-openmp-fix: building with ${Object.entries(fixApplied).map(([k, v]) => `${k}=${v}`).join(' ')} for this run only; the committed build files don't have these flags.`)
  }

  // Recording is a help, not a requirement: a build the wrappers can't serve still runs.
  let wrappers: PreparedWrappers | null = null
  try {
    wrappers = prepareWrappers({ outputDir, env: { ...process.env, ...fixApplied }, ccache: session?.ccache.path ?? null })
  } catch (e) {
    o.log.warning(`Compile commands won't be recorded: ${(e as Error).message}`)
  }

  const result = await runBuild({ command: o.command, cwd: o.cwd, python: o.python, logPath: o.logPath, log: o.log, env: { ...session?.ccache.env, ...fixApplied, ...wrappers?.env } })
  const recorded = wrappers ? await wrappers.finish() : null
  const cache = session && o.cache && result.exitCode === 0 ? await endBuildCache(session, o.cache, result.seconds) : null
  const record = buildRecord(result, recorded, o.cwd)
  if (record.audit) o.log.info(`Recorded ${record.compiles.length} compile and ${record.links.length} link command(s); ${record.audit.flagged.length} translation unit(s) hold parallel code compiled without OpenMP`)
  return { result, record, compileDatabase: recorded?.files.compileCommands ?? null, cache, fixApplied }
}
