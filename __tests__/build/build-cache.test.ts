/**
 * The build cache across separate runs: each run is its own node process
 * (cache-run.ts, bundled) in a fresh copy of the example, sharing nothing
 * but the store. Run 1 is cold and saves; run 2 restores and hits; run 3
 * changes a flag, restores through a restore key, misses, and the audit and
 * the binary show the change. Runs 1 and 2 go through @actions/cache's real
 * code path against a local cache service; run 3 through the folder store.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import * as esbuild from 'esbuild'
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { cacheKeys } from '../../src/build/cache-key.js'
import { DirectoryCacheStore } from '../../__fixtures__/directory-cache-store.js'
import { ccacheEnv, parseCcacheStats } from '../../src/build/ccache.js'
import { which } from '../../src/build/compiler-id.js'
import { renderBuildCacheMarkdown } from '../../src/report/build-cache-summary.js'
import { torchPython } from '../../__fixtures__/python.js'
import type { CacheRunInput, CacheRunOutput } from './cache-run.js'
import { startCacheServer, type CacheServer } from './cache-server.js'
import { freshExample } from './wrapped-build.js'

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-cache-'))

async function bundle(): Promise<string> {
  const out = path.join(work, 'cache-run.mjs')
  await esbuild.build({
    entryPoints: ['__tests__/build/cache-run.ts'],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __tscCreateRequire } from 'node:module'; const require = __tscCreateRequire(import.meta.url);" }
  })
  return out
}

/** One run in its own process; the JSON result is its last stdout line (@actions/cache logs above it). */
function run(script: string, input: CacheRunInput, env: Record<string, string> = {}): Promise<CacheRunOutput> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, JSON.stringify(input)], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`run failed: ${stderr}\n${stdout.slice(-2000)}`))
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as CacheRunOutput)
    })
  })
}

describe('ccache through a cache store, across separate runs', () => {
  let server: CacheServer
  let cold: CacheRunOutput
  let warm: CacheRunOutput
  let changed: CacheRunOutput
  let folderStore: DirectoryCacheStore

  beforeAll(async () => {
    if (!which('ccache')) throw new Error('ccache is not installed: run scripts/setup-debian.sh')
    const py = torchPython()
    const script = await bundle()
    server = await startCacheServer()
    const actionsEnv = {
      ACTIONS_CACHE_SERVICE_V2: '1',
      ACTIONS_RESULTS_URL: `${server.url}/`,
      ACTIONS_RUNTIME_TOKEN: 'local-test-token',
      GITHUB_SERVER_URL: 'https://github.com',
      RUNNER_TEMP: path.join(work, 'runner-temp'),
      GITHUB_ACTIONS: ''
    }
    fs.mkdirSync(actionsEnv.RUNNER_TEMP)
    // The same ccache path in every run, as on a runner (the cache version hashes the paths).
    const ccacheDir = path.join(work, 'ccache')
    const base = { command: `${py} setup.py build_ext --inplace`, python: py, ccacheDir, torchVersion: '1.13', binary: '^parallel_ext.*\\.so$', env: { PARALLEL_EXT_OPENMP: '' } }

    cold = await run(script, { ...base, dir: freshExample('tsc-cache-run1-'), store: 'actions' }, actionsEnv)
    // Run 2 starts with no ccache folder: only the restore can give it one.
    fs.rmSync(ccacheDir, { recursive: true, force: true })
    warm = await run(script, { ...base, dir: freshExample('tsc-cache-run2-'), store: 'actions' }, actionsEnv)

    // Run 3: seeded from run 2's folder into a folder store, then a changed flag.
    folderStore = new DirectoryCacheStore(path.join(work, 'store'))
    await folderStore.save([ccacheDir], warm.report.key)
    fs.rmSync(ccacheDir, { recursive: true, force: true })
    const dir3 = freshExample('tsc-cache-run3-')
    const setupPy = path.join(dir3, 'setup.py')
    fs.writeFileSync(setupPy, fs.readFileSync(setupPy, 'utf8').replace('extra_compile_args = ["-O2",', 'extra_compile_args = ["-O1",'))
    changed = await run(script, { ...base, dir: dir3, store: folderStore.root })
  })

  afterAll(async () => {
    await server?.close()
  })

  it('run 1 is cold: every TU misses, and the cache is saved through @actions/cache', () => {
    expect(cold.report.restoredKey).toBeNull()
    expect(cold.report.stats).toMatchObject({ hits: 0, misses: 4 })
    expect(cold.report.saved).toBe(true)
    expect(server.calls).toEqual(expect.arrayContaining(['GetCacheEntryDownloadURL', 'CreateCacheEntry', 'FinalizeCacheEntryUpload']))
    expect(server.entries.filter(e => e.finalized).map(e => e.key)).toContain(cold.report.key)
  })

  it('run 2, in another process and folder, restores the same key and hits every TU', () => {
    expect(warm.report.key).toBe(cold.report.key)
    expect(warm.report.restoredKey).toBe(cold.report.key)
    expect(warm.report.exactHit).toBe(true)
    expect(warm.report.stats).toMatchObject({ hits: 4, misses: 0, hitRate: 1 })
    expect(warm.report.saved).toBe(false)
    expect(warm.binarySha256).toBe(cold.binarySha256)
    expect(renderBuildCacheMarkdown(warm.report)).toMatch(/\| 100% \| 4 \| 0 \|/)
  })

  it('a changed flag is never hidden: restored by a restore key, it misses, the audit shows it, the binary changes', () => {
    expect(changed.report.key).not.toBe(cold.report.key)
    expect(changed.report.restoredKey).toBe(warm.report.key)
    expect(changed.report.stats.misses).toBe(4)
    expect(changed.report.stats.hits).toBe(0)
    // extra_compile_args come after Python's CFLAGS (-O2), so the new -O1 is the level in effect.
    for (const t of changed.tus) expect(t.optimisation).toBe('-O1')
    for (const t of cold.tus) expect(t.optimisation).toBe('-O2')
    expect(changed.binarySha256).not.toBe(cold.binarySha256)
  })
})

describe('cache keys and statistics', () => {
  const input = { os: 'Linux', arch: 'X64', compilerVersion: 'g++ (Debian 12.2.0-14) 12.2.0', torchVersion: '1.13.1', buildFiles: [{ path: 'setup.py', content: 'a' }], sources: [{ path: 'a.cpp', content: 'x' }] }

  it('changes with each part, and falls back to the toolchain prefix', () => {
    const k = cacheKeys(input)
    expect(k.key).toMatch(/^thread-scaling-check-ccache-v1-Linux-X64-cc[0-9a-f]{10}-torch1\.13\.1-[0-9a-f]{16}-[0-9a-f]{16}$/)
    expect(k.restoreKeys).toEqual([k.key.replace(/[0-9a-f]{16}$/, ''), k.key.replace(/[0-9a-f]{16}-[0-9a-f]{16}$/, '')])
    for (const over of [{ os: 'macOS' }, { arch: 'ARM64' }, { compilerVersion: 'g++ 13' }, { torchVersion: '2.5.0' }, { buildFiles: [{ path: 'setup.py', content: 'b' }] }, { sources: [{ path: 'a.cpp', content: 'y' }] }]) {
      expect(cacheKeys({ ...input, ...over }).key).not.toBe(k.key)
    }
    expect(cacheKeys({ ...input, sources: [{ path: 'a.cpp', content: 'y' }] }).restoreKeys[0]).toBe(k.restoreKeys[0])
    expect(cacheKeys({ ...input, torchVersion: '2.5.0+cpu, x' }).key).not.toMatch(/,/)
  })

  it('reads ccache 4 --print-stats and the older -s summary', () => {
    expect(parseCcacheStats('direct_cache_hit\t3\npreprocessed_cache_hit\t1\ncache_miss\t4\ncalled_for_link\t2\n')).toEqual({ hits: 4, misses: 4, uncacheable: 2, hitRate: 0.5 })
    expect(parseCcacheStats('cache hit (direct)                     5\ncache hit (preprocessed)               0\ncache miss                             0\ncalled for link                        1\n')).toEqual({ hits: 5, misses: 0, uncacheable: 1, hitRate: 1 })
    expect(parseCcacheStats('').hitRate).toBeNull()
  })

  it('keeps flags in the hash and paths relative to the working directory', () => {
    expect(ccacheEnv('/c', '/w')).toEqual({ CCACHE_DIR: '/c', CCACHE_BASEDIR: '/w', CCACHE_NOHASHDIR: '1', CCACHE_COMPILERCHECK: 'content', CCACHE_MAXSIZE: '1G' })
  })
})
