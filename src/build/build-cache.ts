/**
 * The build cache around one build: restore the ccache folder, hand the
 * build its ccache, then read the hit rate and save the folder. The caller
 * runs the build between begin and end with `ccache.env` in its environment
 * and `ccache.path` given to prepareWrappers.
 */
import * as os from 'node:os'
import { cacheKeys, readKeyFiles } from './cache-key.js'
import type { CacheStore } from './cache-store.js'
import { defaultCcacheDir, readCcacheStats, setupCcache, type CcacheSetup, type CcacheStats } from './ccache.js'
import { identifyCompiler } from './compiler-id.js'

export interface BuildCacheOptions {
  store: CacheStore
  workingDirectory: string
  /** The real C++ compiler (PreparedWrappers.compilers.cxx, or what CXX names). */
  compiler: string
  torchVersion: string
  /** Absolute paths of the sources (for the key). */
  sources: readonly string[]
  /** The ccache folder; default defaultCcacheDir(). */
  dir?: string
  env?: NodeJS.ProcessEnv
  os?: string
  arch?: string
}

export interface BuildCacheSession {
  ccache: CcacheSetup
  key: string
  restoreKeys: string[]
  /** The key that was restored, or null on a miss. */
  restoredKey: string | null
}

export interface BuildCacheReport {
  key: string
  restoredKey: string | null
  /** True when the restored entry had exactly this key. */
  exactHit: boolean
  stats: CcacheStats
  /** Wall time of the build, seconds. */
  buildSeconds: number
  /** Whether a new entry was saved under `key`. */
  saved: boolean
}

export async function beginBuildCache(opts: BuildCacheOptions): Promise<BuildCacheSession> {
  const compiler = await identifyCompiler(opts.compiler, opts.env)
  const { key, restoreKeys } = cacheKeys({
    os: opts.os ?? process.env.RUNNER_OS ?? os.type(),
    arch: opts.arch ?? process.env.RUNNER_ARCH ?? process.arch,
    compilerVersion: compiler.version,
    torchVersion: opts.torchVersion,
    ...readKeyFiles(opts.workingDirectory, opts.sources)
  })
  // The folder is restored before ccache zeroes its statistics (they live in it).
  const dir = opts.dir ?? defaultCcacheDir(opts.env)
  const restoredKey = (await opts.store.restore([dir], key, restoreKeys)) ?? null
  const ccache = await setupCcache({ workingDirectory: opts.workingDirectory, dir, env: opts.env })
  return { ccache, key, restoreKeys, restoredKey }
}

/** Reads the statistics and saves the folder unless this exact key was restored (then nothing new was cached). */
export async function endBuildCache(session: BuildCacheSession, store: CacheStore, buildSeconds: number): Promise<BuildCacheReport> {
  const stats = await readCcacheStats(session.ccache)
  const exactHit = session.restoredKey === session.key
  const saved = !exactHit
  if (saved) await store.save([session.ccache.dir], session.key)
  return { key: session.key, restoredKey: session.restoredKey, exactHit, stats, buildSeconds, saved }
}
