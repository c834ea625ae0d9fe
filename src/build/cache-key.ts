/**
 * The build cache's key: OS, arch, compiler version, torch version, a hash
 * of the build files and the list of sources, then a hash of the sources'
 * contents. Restore keys drop the last parts, so a changed source or build
 * file still restores the newest cache of the same toolchain (ccache then
 * hits every unchanged TU), and the run saves a new entry.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'

export const CACHE_KEY_PREFIX = 'thread-scaling-check-ccache-v1'

/** Build files hashed into the key when present in the working directory. */
export const BUILD_FILES = ['setup.py', 'setup.cfg', 'pyproject.toml', 'CMakeLists.txt', 'requirements.txt']

export interface CacheKeyInput {
  os: string
  arch: string
  /** First line of the compiler's `--version`. */
  compilerVersion: string
  torchVersion: string
  /** Build files, path (relative) and content. */
  buildFiles: { path: string; content: string }[]
  /** Sources, path (relative) and content. */
  sources: { path: string; content: string }[]
}

export interface CacheKeys {
  key: string
  /** Tried in order, as prefixes, when the key misses. */
  restoreKeys: string[]
}

const hash = (parts: string[], n: number): string => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p).update('\0')
  return h.digest('hex').slice(0, n)
}

/** A key part: @actions/cache rejects commas, and keys stay readable. */
const part = (s: string): string => s.trim().replace(/[^A-Za-z0-9.+_]+/g, '_') || 'unknown'

/** Pure. Keys stay far under @actions/cache's 512-character limit. */
export function cacheKeys(input: CacheKeyInput): CacheKeys {
  const toolchain = `${CACHE_KEY_PREFIX}-${part(input.os)}-${part(input.arch)}-cc${hash([input.compilerVersion], 10)}-torch${part(input.torchVersion)}`
  const sorted = <T extends { path: string }>(xs: T[]): T[] => [...xs].sort((a, b) => a.path.localeCompare(b.path))
  const build = hash([...sorted(input.buildFiles).flatMap(f => [f.path, f.content]), '--sources--', ...sorted(input.sources).map(s => s.path)], 16)
  const contents = hash(sorted(input.sources).flatMap(s => [s.path, s.content]), 16)
  return { key: `${toolchain}-${build}-${contents}`, restoreKeys: [`${toolchain}-${build}-`, `${toolchain}-`] }
}

/** Reads the build files present in `dir` and the given sources (absolute), as cacheKeys() takes them. */
export function readKeyFiles(dir: string, sources: readonly string[]): Pick<CacheKeyInput, 'buildFiles' | 'sources'> {
  const read = (abs: string): string => {
    try {
      return fs.readFileSync(abs, 'utf8')
    } catch {
      return ''
    }
  }
  return {
    buildFiles: BUILD_FILES.filter(f => fs.existsSync(path.join(dir, f))).map(f => ({ path: f, content: read(path.join(dir, f)) })),
    sources: sources.map(s => ({ path: path.relative(dir, s), content: read(s) }))
  }
}
