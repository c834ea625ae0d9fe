/** Baselines: per-case comparison, keys, the folder-backed store, and loading a baseline that may be broken. */
import { describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { FolderStore } from '../../__fixtures__/folder-store.js'
import { legReport, testDeps } from '../../__fixtures__/publish.js'
import { makeReport } from '../../__fixtures__/report.js'
import { actionsCacheStore } from '../../src/build/cache-store.js'
import { CacheBaselines } from '../../src/publish/baseline-store.js'
import { baselineKey, baselinePrefix, compareToBaseline, regressions, renderComparison } from '../../src/publish/baseline.js'
import type { GitHubEnv } from '../../src/publish/github-env.js'
import { loadComparison } from '../../src/publish/publish.js'
import type { Report } from '../../src/report/types.js'

function withSpeedup(r: Report, at4: number, name = 'elementwise'): Report {
  const c = r.cases.find(x => x.name === name)!
  c.rows.find(x => x.threads === 4)!.speedup = { estimate: at4, low: at4 - 0.05, high: at4 + 0.05 }
  return r
}

const env: GitHubEnv = { eventName: 'pull_request', payload: {}, owner: 'o', repo: 'r', runId: 1, runAttempt: 1, sha: '', ref: '', apiUrl: 'http://127.0.0.1:1', serverUrl: 'https://github.com' }

describe('compareToBaseline', () => {
  it('flags 2.8x down to 2.1x (25%) at tolerance 15%, though 2.1x still passes min-speedup 2.0', () => {
    const c = compareToBaseline(withSpeedup(makeReport('pass'), 2.1), withSpeedup(makeReport('pass'), 2.8), 0.15)
    expect(c.threads).toBe(4)
    expect(c.cases).toEqual([{ name: 'elementwise', before: 2.8, after: 2.1, change: expect.closeTo(-0.25, 6), regression: true }])
    expect(renderComparison(c)).toMatch(/\| elementwise \| 2\.80x \| 2\.10x \| −25% \| ⚠️ regression \|/)
  })

  it('accepts a drop within the tolerance, and a gain', () => {
    expect(regressions(compareToBaseline(withSpeedup(makeReport('pass'), 2.5), withSpeedup(makeReport('pass'), 2.8), 0.15))).toEqual([])
    expect(regressions(compareToBaseline(withSpeedup(makeReport('pass'), 3.5), withSpeedup(makeReport('pass'), 2.8), 0))).toEqual([])
  })

  it('compares only cases both runs measured at the judged thread count', () => {
    const base = makeReport('pass')
    base.cases[0].name = 'renamed'
    const c = compareToBaseline(makeReport('pass'), base, 0.15)
    expect(c.cases).toEqual([])
    expect(renderComparison(c)).toMatch(/no case in common/)
  })
})

describe('keys and the folder store', () => {
  it('gives each run its own key under the leg prefix, and cache-safe characters only', () => {
    const key = baselineKey('Linux X64 · Python 3.12 · torch 2.5.1+cpu', 77, 2)
    expect(key.startsWith(baselinePrefix('Linux X64 · Python 3.12 · torch 2.5.1+cpu'))).toBe(true)
    expect(key).toMatch(/^thread-scaling-baseline-linux-x64-python-3\.12-torch-2\.5\.1-cpu-[0-9a-f]{8}-77-2$/)
    expect(baselinePrefix('Linux X64')).not.toBe(baselinePrefix('Linux x64'))
  })

  it('restores the newest report under a prefix, never another leg\'s', async () => {
    const store = new FolderStore(fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-store-')))
    await store.save(baselineKey('a', 1, 1), withSpeedup(makeReport('pass'), 2))
    await store.save(baselineKey('a', 2, 1), withSpeedup(makeReport('pass'), 3))
    await store.save(baselineKey('b', 3, 1), withSpeedup(makeReport('pass'), 1))
    const got = (await store.restoreLatest(baselinePrefix('a'))) as Report
    expect(got.cases[0].rows.find(r => r.threads === 4)?.speedup.estimate).toBe(3)
    expect(await store.restoreLatest(baselinePrefix('c'))).toBeNull()
    await expect(store.save(baselineKey('a', 2, 1), makeReport('pass'))).rejects.toThrow(/already exists/)
  })
})

describe('CacheBaselines on the Actions cache', () => {
  it('off a runner (no cache service) stores nothing, restores nothing, and leaves no file behind', async () => {
    for (const k of ['ACTIONS_CACHE_URL', 'ACTIONS_RESULTS_URL', 'ACTIONS_CACHE_SERVICE_V2']) delete process.env[k]
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-ws-'))
    const store = new CacheBaselines(workspace, actionsCacheStore())
    expect(await store.save(baselineKey('a', 1, 1), makeReport('pass'))).toBe(false)
    expect(await store.restoreLatest(baselinePrefix('a'))).toBeNull()
    expect(fs.readdirSync(workspace)).toEqual([])
  })
})

describe('loadComparison', () => {
  it('compares with the stored baseline of the same leg', async () => {
    const d = testDeps(env)
    await d.store.save(baselineKey('leg', 1, 1), withSpeedup(legReport(0), 2.8))
    const c = await loadComparison(withSpeedup(legReport(0), 2.1), 'leg', 0.15, d)
    expect(regressions(c).map(x => x.name)).toEqual(['elementwise'])
  })

  it('says there is no baseline yet, without a warning', async () => {
    const d = testDeps(env)
    expect(await loadComparison(legReport(0), 'leg', 0.15, d)).toBeNull()
    expect(d.log.warnings).toEqual([])
    expect(d.log.infos.join('\n')).toMatch(/No baseline report for 'leg'/)
  })

  it('turns a baseline that fails the schema into one warning, not a failure', async () => {
    const d = testDeps(env)
    const broken = { ...legReport(0), verdict: 'great' } as unknown as Report
    await d.store.save(baselineKey('leg', 1, 1), broken)
    expect(await loadComparison(legReport(0), 'leg', 0.15, d)).toBeNull()
    expect(d.log.warnings).toEqual([expect.stringMatching(/^Not compared with the base branch: the baseline report does not match the report schema/)])
  })
})
