/**
 * One "run of the action" as far as the build cache goes, for a separate
 * node process: restore the ccache folder from a store, build through the
 * wrappers with ccache chained, audit, save. The tests and the bench bundle
 * this file with esbuild and run it with node, so two runs share nothing but
 * the store. Input: one JSON argument; output: one JSON line on stdout.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { auditBuild } from '../../src/build/audit.js'
import { beginBuildCache, endBuildCache } from '../../src/build/build-cache.js'
import { runBuild } from '../../src/build/run-build.js'
import { actionsCacheStore, type CacheStore } from '../../src/build/cache-store.js'
import { DirectoryCacheStore } from '../../__fixtures__/directory-cache-store.js'
import { prepareWrappers, realCompilers } from '../../src/build/wrappers.js'
import type { Log } from '../../src/log.js'

export interface CacheRunInput {
  dir: string
  command: string
  python: string
  /** A folder for DirectoryCacheStore, or 'actions' for @actions/cache (ACTIONS_* variables set by the caller). */
  store: string
  ccacheDir: string
  torchVersion: string
  /** Regex (source) matching the binary the build writes, searched under dir. */
  binary: string
  env?: Record<string, string>
}

export interface CacheRunOutput {
  seconds: number
  report: Awaited<ReturnType<typeof endBuildCache>>
  tus: { file: string; optimisation: string | null; openmp: boolean }[]
  binarySha256: string
}

const quiet: Log = { info: () => undefined, debug: () => undefined, warning: () => undefined, error: () => undefined, notice: () => undefined, group: (_n, fn) => fn() }

function find(dir: string, re: RegExp): string {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory() && e.name !== '.thread-scaling-check') {
      const hit = find(p, re)
      if (hit) return hit
    } else if (re.test(e.name)) return p
  }
  return ''
}

function sourcesOf(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.isDirectory() && !['build', '.thread-scaling-check', '.git'].includes(e.name)) walk(p)
      else if (/\.(c|cc|cpp|cxx|h|hpp|cu|cuh)$/.test(e.name)) out.push(p)
    }
  }
  walk(dir)
  return out.sort()
}

export async function cacheRun(input: CacheRunInput): Promise<CacheRunOutput> {
  const store: CacheStore = input.store === 'actions' ? actionsCacheStore() : new DirectoryCacheStore(input.store)
  const env = { ...process.env, ...input.env }
  const session = await beginBuildCache({ store, workingDirectory: input.dir, compiler: (await realCompilers(env)).cxx, torchVersion: input.torchVersion, sources: sourcesOf(input.dir), dir: input.ccacheDir, env })
  const w = prepareWrappers({ outputDir: path.join(input.dir, '.thread-scaling-check'), env, ccache: session.ccache.path })
  const build = await runBuild({ command: input.command, cwd: input.dir, python: input.python, logPath: path.join(input.dir, '.thread-scaling-check', 'build.log'), log: quiet, env: { ...input.env, ...session.ccache.env, ...w.env } })
  const recorded = await w.finish()
  if (build.exitCode !== 0) throw new Error(`build failed:\n${build.log.slice(-3000)}`)
  const report = await endBuildCache(session, store, build.seconds)
  const families = Object.fromEntries(Object.entries(recorded.compilers).map(([p, c]) => [p, c.family]))
  const audit = auditBuild({ compileDb: recorded.compileDb, links: recorded.links, projectDir: input.dir, readFile: f => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : null), families })
  const binary = find(input.dir, new RegExp(input.binary))
  return {
    seconds: build.seconds,
    report,
    tus: audit.tus.map(t => ({ file: t.file, optimisation: t.optimisation, openmp: t.openmp.enabled })),
    binarySha256: binary ? createHash('sha256').update(fs.readFileSync(binary)).digest('hex') : ''
  }
}

// Run as a script (bundled): node cache-run.mjs '<json>'
if (process.argv[2]?.startsWith('{')) {
  cacheRun(JSON.parse(process.argv[2]) as CacheRunInput).then(
    out => process.stdout.write(JSON.stringify(out) + '\n'),
    (e: Error) => {
      process.stderr.write(`${e.stack ?? e.message}\n`)
      process.exit(1)
    }
  )
}
