import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { Log } from '../src/log.js'
import type { GitHubEnv } from '../src/publish/github-env.js'
import type { PublishDeps } from '../src/publish/publish.js'
import type { Report } from '../src/report/types.js'
import { FolderStore } from './folder-store.js'
import type { FakeGitHub } from './github-server.js'
import { makeReport } from './report.js'

/** A Log that keeps what it was told, by level. */
export class RecordingLog implements Log {
  infos: string[] = []
  debugs: string[] = []
  warnings: string[] = []
  errors: string[] = []
  notices: string[] = []
  info(m: string): void {
    this.infos.push(m)
  }
  debug(m: string): void {
    this.debugs.push(m)
  }
  warning(m: string): void {
    this.warnings.push(m)
  }
  error(m: string): void {
    this.errors.push(m)
  }
  notice(m: string): void {
    this.notices.push(m)
  }
  async group<T>(_name: string, fn: () => Promise<T>): Promise<T> {
    return fn()
  }
}

/** The run's environment as a runner would describe it, pointed at the fake server. */
export function githubEnv(server: FakeGitHub, eventName: string, payload: Record<string, unknown>, over: Partial<GitHubEnv> = {}): GitHubEnv {
  return { eventName, payload, owner: server.owner, repo: server.repo, runId: 4242, runAttempt: 1, sha: 'a'.repeat(40), ref: 'refs/heads/main', apiUrl: server.url, serverUrl: 'https://github.com', ...over }
}

/** The payload of a pull_request event; `fork` puts the head in another repository. */
export function pullRequestPayload(server: FakeGitHub, number: number, sha: string, fork = false): Record<string, unknown> {
  const base = `${server.owner}/${server.repo}`
  return { action: 'synchronize', number, pull_request: { number, head: { sha, repo: { full_name: fork ? `forker/${server.repo}` : base } }, base: { repo: { full_name: base } } }, repository: { full_name: base, default_branch: 'main' } }
}

export interface TestDeps extends PublishDeps {
  log: RecordingLog
  /** Every wait asked for, in ms (before scaling). */
  waits: number[]
}

/**
 * Publishing deps for tests: the real code and HTTP, a folder-backed
 * baseline store, and waits scaled down 100x so a retry-after of 1 s
 * takes 10 ms.
 */
export function testDeps(env: GitHubEnv, store = new FolderStore(fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-baseline-')))): TestDeps & { store: FolderStore } {
  const waits: number[] = []
  return {
    log: new RecordingLog(),
    env,
    store,
    waits,
    retry: { retries: 3, baseDelayMs: 200, rateLimitDelayMs: 2000, maxDelayMs: 120_000, random: Math.random, now: Date.now, sleep: ms => (waits.push(ms), new Promise(r => setTimeout(r, ms / 100))) },
    sticky: { settleMs: 1500, confirmations: 2, maxRounds: 30 }
  }
}

/** Runners of a real matrix: six legs whose default names all differ. */
const MATRIX: [string, string, string, string][] = [
  ['Linux', 'X64', '3.12.7', '2.5.1+cpu'],
  ['Linux', 'ARM64', '3.12.7', '2.5.1'],
  ['macOS', 'ARM64', '3.12.7', '2.5.1'],
  ['macOS', 'ARM64', '3.11.9', '2.4.1'],
  ['macOS', 'X64', '3.12.7', '2.2.2'],
  ['Linux', 'X64', '3.13.1', '2.6.0+cpu']
]

const made = new Map<string, Report>()

/** Leg i's report: the fixture report on that leg's runner, some passing and some failing. */
export function legReport(i: number, kind: 'pass' | 'fail-timing' | 'fail-static' = i % 3 === 2 ? 'fail-timing' : 'pass'): Report {
  // makeReport runs the judge's bootstrap; build each kind once.
  if (!made.has(kind)) made.set(kind, makeReport(kind))
  const r = structuredClone(made.get(kind)!)
  const [os, arch, pythonVersion, torchVersion] = MATRIX[i % MATRIX.length]
  r.runner = { ...r.runner, os, arch, pythonVersion, torchVersion }
  r.createdAt = new Date(Date.UTC(2026, 10, 21, 9, 0, i)).toISOString()
  return r
}
