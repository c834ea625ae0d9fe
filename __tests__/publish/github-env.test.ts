/** What the run is (event, PR, fork, default branch, workflow_run) and what the leg is called. */
import { describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { forkNotice, fromFork, readOnlyFork, readOnlyNotice } from '../../src/publish/fork.js'
import { onDefaultBranch, pullRequestOf, readGitHubEnv, workflowRunOf, type GitHubEnv } from '../../src/publish/github-env.js'
import { defaultLeg, legFile, legFileContent, legFromFile, legId, legKey } from '../../src/publish/leg.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-env-'))
function envWith(event: string, payload: unknown, over: Record<string, string> = {}): GitHubEnv {
  const file = path.join(dir, `${event}-${Math.random()}.json`)
  fs.writeFileSync(file, JSON.stringify(payload))
  return readGitHubEnv({ GITHUB_EVENT_NAME: event, GITHUB_EVENT_PATH: file, GITHUB_REPOSITORY: 'octo-org/octo-repo', GITHUB_RUN_ID: '99', GITHUB_SHA: 'f'.repeat(40), GITHUB_REF: 'refs/heads/main', GITHUB_API_URL: 'http://127.0.0.1:9/', ...over })
}

describe('readGitHubEnv', () => {
  it('reads the variables a runner sets, and the payload file', () => {
    const g = envWith('push', { repository: { default_branch: 'main' } })
    expect(g).toMatchObject({ eventName: 'push', owner: 'octo-org', repo: 'octo-repo', runId: 99, runAttempt: 1, apiUrl: 'http://127.0.0.1:9', serverUrl: 'https://github.com' })
    expect(onDefaultBranch(g)).toBe(true)
  })

  it('survives a missing or broken payload file', () => {
    expect(readGitHubEnv({ GITHUB_EVENT_PATH: path.join(dir, 'nope.json') }).payload).toEqual({})
    fs.writeFileSync(path.join(dir, 'bad.json'), '{not json')
    expect(readGitHubEnv({ GITHUB_EVENT_PATH: path.join(dir, 'bad.json') }).payload).toEqual({})
    expect(readGitHubEnv({}).apiUrl).toBe('https://api.github.com')
  })
})

describe('pull requests and forks', () => {
  const pr = (head: string | null) => ({ pull_request: { number: 12, head: { sha: 'a', repo: head === null ? null : { full_name: head } }, base: { repo: { full_name: 'octo-org/octo-repo' } } } })

  it('sees a same-repository PR as such', () => {
    const ref = pullRequestOf(envWith('pull_request', pr('octo-org/octo-repo')))!
    expect(ref.number).toBe(12)
    expect(fromFork(ref)).toBe(false)
  })

  it('sees a PR from a fork, or from a deleted fork, as a fork', () => {
    expect(fromFork(pullRequestOf(envWith('pull_request', pr('forker/octo-repo')))!)).toBe(true)
    expect(fromFork(pullRequestOf(envWith('pull_request', pr(null)))!)).toBe(true)
    expect(forkNotice(pullRequestOf(envWith('pull_request', pr('forker/octo-repo')))!)).toMatch(/^No PR comment: pull request #12 comes from a fork \(forker\/octo-repo\).*read-only token.*unaffected.*mode: comment/)
    expect(readOnlyNotice('PR comment', 'Resource not accessible by integration')).toMatch(/pull-requests: write.*workflow_run/)
    // pull_request_target runs with a writable token, fork or not.
    const fork = pullRequestOf(envWith('pull_request_target', pr('forker/octo-repo')))!
    expect(readOnlyFork('pull_request_target', fork)).toBe(false)
    expect(readOnlyFork('pull_request', fork)).toBe(true)
  })

  it('has no PR outside pull_request events', () => {
    expect(pullRequestOf(envWith('push', pr('octo-org/octo-repo')))).toBeNull()
  })
})

describe('default branch', () => {
  it('is a push, schedule or dispatch on the branch the payload names', () => {
    expect(onDefaultBranch(envWith('push', { repository: { default_branch: 'trunk' } }))).toBe(false)
    expect(onDefaultBranch(envWith('push', { repository: { default_branch: 'trunk' } }, { GITHUB_REF: 'refs/heads/trunk' }))).toBe(true)
    expect(onDefaultBranch(envWith('pull_request', { repository: { default_branch: 'main' } }))).toBe(false)
    // A schedule's payload may not name the branch; schedules only run on the default branch.
    expect(onDefaultBranch(envWith('schedule', { schedule: '17 3 * * *' }))).toBe(true)
  })
})

describe('workflow_run', () => {
  it('reads the triggering run, whose PR list is empty for forks', () => {
    const g = envWith('workflow_run', { workflow_run: { id: 555, head_sha: 'b'.repeat(40), event: 'pull_request', pull_requests: [], created_at: '2026-11-21T08:00:00Z', updated_at: '2026-11-21T08:20:00Z' } })
    expect(workflowRunOf(g)).toEqual({ id: 555, headSha: 'b'.repeat(40), event: 'pull_request', pullRequests: [], createdAt: Date.parse('2026-11-21T08:00:00Z'), updatedAt: Date.parse('2026-11-21T08:20:00Z') })
    expect(workflowRunOf(envWith('push', {}))).toBeNull()
  })
})

describe('leg names', () => {
  it('come from the runner OS and arch and the Python and torch versions', () => {
    expect(defaultLeg({ os: 'Linux', arch: 'ARM64', pythonVersion: '3.12.7', torchVersion: '2.5.1' })).toBe('Linux ARM64 · Python 3.12 · torch 2.5.1')
    expect(defaultLeg({ os: 'macOS', arch: 'X64', pythonVersion: '', torchVersion: '2.2.2' })).toBe('macOS X64 · torch 2.2.2')
  })

  it('tell macos-14 from macos-15 by ImageOS, which GitHub-hosted runners set', () => {
    const runner = { os: 'macOS', arch: 'ARM64', pythonVersion: '3.12.7', torchVersion: '2.5.1' }
    expect(defaultLeg(runner, 'macos14')).toBe('macOS ARM64 (macos14) · Python 3.12 · torch 2.5.1')
    expect(defaultLeg(runner, 'macos15')).not.toBe(defaultLeg(runner, 'macos14'))
    expect(defaultLeg(runner, 'not an image; rm -rf')).toBe(defaultLeg(runner))
  })

  it('travel beside the report, and are read back only from our own leg files', () => {
    expect(legFile('/w/.thread-scaling-check/report.json')).toBe('/w/.thread-scaling-check/report.leg.json')
    expect(legFile('/w/out/result')).toBe('/w/out/result.leg.json')
    expect(legFromFile(JSON.parse(legFileContent('Linux X64 gcc13')))).toBe('Linux X64 gcc13')
    expect(legFromFile({ leg: 'no schema' })).toBeNull()
    expect(legFromFile({ schema: 'thread-scaling-check/leg', leg: 42 })).toBeNull()
    expect(legFromFile({ schema: 'thread-scaling-check/leg', leg: 'x'.repeat(500) })).toHaveLength(80)
  })

  it('have ids and keys that nothing in the name can break', () => {
    expect(legId('x -->')).toMatch(/^[0-9a-f]{16}$/)
    expect(legKey('Linux, X64 / "py"')).toMatch(/^[a-z0-9.-]+$/)
  })
})
