/**
 * publish(): what a check run writes to GitHub after its verdict, against
 * the fake server. It never throws; a token that may not write gives one
 * notice, a failing API one warning; the nightly cycle keeps one issue.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { ACTIONS_BOT, HUMAN, startFakeGitHub, TOKENS, type FakeGitHub } from '../../__fixtures__/github-server.js'
import { githubEnv, legReport, pullRequestPayload, testDeps } from '../../__fixtures__/publish.js'
import type { PublishSettings } from '../../src/config/settings.js'
import { baselinePrefix } from '../../src/publish/baseline.js'
import { isSticky, parseSections } from '../../src/publish/comment.js'
import { defaultLeg } from '../../src/publish/leg.js'
import { NIGHTLY_LABEL } from '../../src/publish/nightly.js'
import { publish } from '../../src/publish/publish.js'
import type { Report } from '../../src/report/types.js'

let server: FakeGitHub
beforeAll(async () => {
  server = await startFakeGitHub()
})
afterAll(() => server.close())
beforeEach(() => server.reset())
afterEach(() => expect(server.violations).toEqual([]))

const SHA = 'e'.repeat(40)
const settings = (over: Partial<PublishSettings> = {}): PublishSettings => ({ mode: 'check', comment: 'auto', leg: null, regressionTolerance: 0.15, githubToken: TOKENS.installation, ...over })
const run = (report: Report, deps: ReturnType<typeof testDeps>, s = settings()) => publish({ report, leg: s.leg ?? defaultLeg(report.runner), settings: s, comparison: null }, deps)

describe('the PR comment', () => {
  it('is written on a pull_request event', async () => {
    const pr = server.addPull(SHA)
    const deps = testDeps(githubEnv(server, 'pull_request', pullRequestPayload(server, pr, SHA)))
    expect(await run(legReport(0), deps)).toMatchObject({ comment: 'written' })
    expect(server.commentsOn(pr).filter(c => isSticky(c.body))).toHaveLength(1)
    expect(deps.log.warnings).toEqual([])
  })

  it('with a read-only token: no comment, exactly one notice that says why and how, no warning', async () => {
    const pr = server.addPull(SHA)
    const deps = testDeps(githubEnv(server, 'pull_request', pullRequestPayload(server, pr, SHA)))
    expect(await run(legReport(0), deps, settings({ githubToken: TOKENS.readOnly }))).toMatchObject({ comment: 'read-only' })
    expect(server.commentsOn(pr)).toEqual([])
    expect(deps.log.notices).toEqual([expect.stringMatching(/^No PR comment: the token may not write .*403: Resource not accessible by integration.*pull-requests: write.*mode: comment/)])
    expect(deps.log.warnings).toEqual([])
  })

  it('from a fork: skipped up front with one notice, without a single API call', async () => {
    const pr = server.addPull(SHA, true)
    const deps = testDeps(githubEnv(server, 'pull_request', pullRequestPayload(server, pr, SHA, true)))
    expect(await run(legReport(0), deps, settings({ githubToken: TOKENS.readOnly }))).toMatchObject({ comment: 'fork' })
    expect(deps.log.notices).toEqual([expect.stringMatching(/^No PR comment: pull request #1 comes from a fork/)])
    expect(server.requests).toEqual([])
  })

  it('from a fork under pull_request_target (a writable token): written', async () => {
    const pr = server.addPull(SHA, true)
    const deps = testDeps(githubEnv(server, 'pull_request_target', pullRequestPayload(server, pr, SHA, true)))
    expect(await run(legReport(0), deps)).toMatchObject({ comment: 'written' })
    expect(deps.log.notices).toEqual([])
  })

  it('is not written with comment: never, nor by auto outside pull requests', async () => {
    const pr = server.addPull(SHA)
    await run(legReport(0), testDeps(githubEnv(server, 'pull_request', pullRequestPayload(server, pr, SHA))), settings({ comment: 'never' }))
    await run(legReport(0), testDeps(githubEnv(server, 'push', {}, { sha: SHA })))
    expect(server.requests).toEqual([])
  })

  it('with comment: always, on a push, finds the open PR by the commit', async () => {
    const pr = server.addPull(SHA)
    const deps = testDeps(githubEnv(server, 'push', {}, { sha: SHA, ref: 'refs/heads/feature' }))
    expect(await run(legReport(0), deps, settings({ comment: 'always' }))).toMatchObject({ comment: 'written' })
    expect(server.commentsOn(pr).filter(c => isSticky(c.body))).toHaveLength(1)
  })

  it('uses the leg input as the section name', async () => {
    const pr = server.addPull(SHA)
    await run(legReport(0), testDeps(githubEnv(server, 'pull_request', pullRequestPayload(server, pr, SHA))), settings({ leg: 'gcc 13 / py3.12' }))
    expect(parseSections(server.commentsOn(pr)[0].body)[0].text.split('\n')[0]).toBe('### ✅ gcc 13 / py3.12: pass')
  })

  it('turns a failing API into one warning, and still returns', async () => {
    const pr = server.addPull(SHA)
    server.inject({ method: 'GET', path: /\/comments$/, status: 500, times: 100 })
    const deps = testDeps(githubEnv(server, 'pull_request', pullRequestPayload(server, pr, SHA)))
    expect(await run(legReport(0), deps)).toMatchObject({ comment: 'failed' })
    expect(deps.log.warnings).toEqual([expect.stringMatching(/^No PR comment: GitHub answered 500: Server Error\. The verdict, summary and exit status are unaffected\.$/)])
    expect(deps.log.notices).toEqual([])
  })
})

describe('the baseline', () => {
  it('is saved by a push to the default branch, per leg and run, and not by other branches', async () => {
    const deps = testDeps(githubEnv(server, 'push', { repository: { default_branch: 'main' } }, { runId: 71 }))
    expect(await run(legReport(0), deps)).toMatchObject({ baseline: 'saved' })
    expect(deps.store.keys()).toEqual([`${baselinePrefix(defaultLeg(legReport(0).runner))}71-1`])
    const feature = testDeps(githubEnv(server, 'push', { repository: { default_branch: 'main' } }, { ref: 'refs/heads/feature' }), deps.store)
    expect(await run(legReport(0), feature)).toMatchObject({ baseline: 'skipped' })
    expect(deps.store.keys()).toHaveLength(1)
  })
})

describe('the nightly issue', () => {
  const nightly = async (kind: 'pass' | 'fail-timing', runId: number, token: string = TOKENS.installation) => {
    const deps = testDeps(githubEnv(server, 'schedule', { schedule: '17 3 * * *' }, { runId }))
    const outcome = await run(legReport(1, kind), deps, settings({ githubToken: token }))
    return { outcome, deps }
  }
  const labelled = () => server.issues.filter(i => i.labels.includes(NIGHTLY_LABEL))

  it('takes as its own only issues it wrote: one with the label and marker by someone else is left alone', async () => {
    // Another identity (here a user token) opened an issue with our label and this leg's marker.
    expect((await nightly('fail-timing', 1, TOKENS.user)).outcome.issue).toBe('opened')
    const theirs = labelled()[0]
    expect((await nightly('pass', 2)).outcome.issue).toBe('unchanged')
    expect(server.issues.find(i => i.number === theirs.number)?.state).toBe('open')
    expect((await nightly('fail-timing', 3)).outcome.issue).toBe('opened')
    expect(server.commentsOn(theirs.number)).toEqual([])
    expect(labelled().map(i => i.user.login)).toEqual([HUMAN.login, ACTIONS_BOT.login])
  })

  it('fail, fail, pass: one issue, opened, updated with the new numbers, closed', async () => {
    expect((await nightly('fail-timing', 1)).outcome.issue).toBe('opened')
    expect(labelled()).toHaveLength(1)
    const issue = labelled()[0]
    expect(issue).toMatchObject({ state: 'open', title: 'Thread scaling fails: Linux ARM64 · Python 3.12 · torch 2.5.1', user: ACTIONS_BOT })
    expect(issue.body).toMatch(/actions\/runs\/1\)/)
    expect(server.labels.map(l => l.name)).toEqual([NIGHTLY_LABEL])

    expect((await nightly('fail-timing', 2)).outcome.issue).toBe('updated')
    expect(labelled()).toHaveLength(1)
    expect(server.commentsOn(issue.number)).toHaveLength(1)
    expect(server.commentsOn(issue.number)[0].body).toMatch(/^Still failing in \[this run\]\(https:\/\/github\.com\/octo-org\/octo-repo\/actions\/runs\/2\)[\s\S]*\| elementwise \| 1\.00x/)

    expect((await nightly('pass', 3)).outcome.issue).toBe('closed')
    expect(labelled()).toHaveLength(1)
    expect(labelled()[0]).toMatchObject({ state: 'closed', stateReason: 'completed' })
    expect(server.commentsOn(issue.number).map(c => c.body.split('\n')[0])).toEqual([expect.stringMatching(/^Still failing/), expect.stringMatching(/^Passes again in \[this run\]\(.*runs\/3\); closing\.$/)])
    // The label was created once; later runs found the issue through it.
    expect(server.requests.filter(r => r.method === 'POST' && r.path.endsWith('/labels'))).toHaveLength(1)
    expect(server.requests.filter(r => r.method === 'POST' && r.path.endsWith('/issues'))).toHaveLength(1)
  })

  it('a pass with no open issue does nothing; a new failure after closing opens a fresh issue', async () => {
    expect((await nightly('pass', 1)).outcome.issue).toBe('unchanged')
    expect(server.issues).toEqual([])
    await nightly('fail-timing', 2)
    await nightly('pass', 3)
    expect((await nightly('fail-timing', 4)).outcome.issue).toBe('opened')
    expect(labelled().map(i => i.state)).toEqual(['closed', 'open'])
  })

  it('uses an existing label (422 already_exists) and keeps legs apart', async () => {
    server.labels.push({ id: 1, name: NIGHTLY_LABEL, color: 'ffffff', description: null })
    await nightly('fail-timing', 1)
    const deps = testDeps(githubEnv(server, 'schedule', {}, { runId: 2 }))
    await run(legReport(4, 'fail-timing'), deps)
    expect(labelled()).toHaveLength(2)
    expect(server.requests.filter(r => r.path.endsWith('/labels')).map(r => r.status)).toEqual([422, 422])
  })

  it('with a read-only token: one warning, and the run goes on', async () => {
    const { outcome, deps } = await nightly('fail-timing', 1, TOKENS.readOnly)
    expect(outcome.issue).toBe('failed')
    expect(deps.log.warnings).toEqual([expect.stringMatching(/^No nightly issue: the token may not write/)])
    expect(server.issues).toEqual([])
  })

  it('is not touched on pull requests', async () => {
    const pr = server.addPull(SHA)
    await run(legReport(1, 'fail-timing'), testDeps(githubEnv(server, 'pull_request', pullRequestPayload(server, pr, SHA))))
    expect(labelled()).toEqual([])
  })
})
