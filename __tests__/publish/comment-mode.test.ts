/**
 * `mode: comment` against the fake server: the reports in the triggering
 * run's artifacts become one combined comment on the PR found by the head
 * commit (also for a fork, whose workflow_run.pull_requests is empty). A
 * hostile artifact is refused, or its text neutralised, never rendered.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { ACTIONS_BOT, startFakeGitHub, TOKENS, type FakeGitHub } from '../../__fixtures__/github-server.js'
import { githubEnv, legReport, testDeps } from '../../__fixtures__/publish.js'
import { makeZip } from '../../__fixtures__/zip.js'
import { InputError } from '../../src/config/parse.js'
import type { PublishSettings } from '../../src/config/settings.js'
import { baselineKey } from '../../src/publish/baseline.js'
import { BODY_LIMIT, isSticky, parseSections } from '../../src/publish/comment.js'
import { runCommentMode } from '../../src/publish/comment-mode.js'
import { inline } from '../../src/publish/escape.js'
import { defaultLeg, legFileContent } from '../../src/publish/leg.js'
import type { Report } from '../../src/report/types.js'

let server: FakeGitHub
beforeAll(async () => {
  server = await startFakeGitHub()
})
afterAll(() => server.close())
beforeEach(() => server.reset())
afterEach(() => expect(server.violations).toEqual([]))

const RUN = 31337
const SHA = '9'.repeat(40)
const settings: PublishSettings = { mode: 'comment', comment: 'auto', leg: null, regressionTolerance: 0.15, githubToken: TOKENS.installation }
// The run's times, as GitHub gives them: legReport's reports are made at 09:00, the fake server's artifacts at 08:00.
const RUN_CREATED = '2026-11-21T07:55:00Z'
const RUN_UPDATED = '2026-11-21T09:05:00Z'
const payload = (pullRequests: number[] = []) => ({ action: 'completed', workflow_run: { id: RUN, head_sha: SHA, event: 'pull_request', conclusion: 'failure', pull_requests: pullRequests.map(number => ({ number })), created_at: RUN_CREATED, updated_at: RUN_UPDATED } })
const deps = (pullRequests: number[] = []) => testDeps(githubEnv(server, 'workflow_run', payload(pullRequests)))
const artifact = (name: string, ...reports: unknown[]) =>
  server.addArtifact(RUN, name, makeZip(reports.map((r, i) => ({ name: i ? `report-${i}.json` : 'report.json', data: typeof r === 'string' ? r : JSON.stringify(r) }))))
const sticky = (pr: number) => server.commentsOn(pr).filter(c => isSticky(c.body) && c.user.login === ACTIONS_BOT.login)

describe('mode: comment', () => {
  it('posts one comment with a section per leg from the artifacts, on a fork\'s PR found by commit', async () => {
    const pr = server.addPull(SHA, true)
    const reports = [0, 1, 2].map(i => legReport(i))
    reports.forEach((r, i) => artifact(`thread-scaling-report-${i}`, r))
    artifact('coverage', { not: 'a report' })
    const d = deps()
    const result = await runCommentMode(settings, d)
    expect(result.pulls).toEqual([pr])
    const body = sticky(pr)[0].body
    expect(parseSections(body).map(s => s.id).sort()).toEqual(result.sections.map(s => s.id).sort())
    expect(result.sections.map(s => s.text.split('\n')[0]).sort()).toEqual(reports.map(r => defaultLeg(r.runner)).map((l, i) => `### ${['✅', '✅', '❌'][i]} ${inline(l)}: ${reports[i].verdict}`).sort())
    expect(body).toContain(`[Run](https://github.com/${server.owner}/${server.repo}/actions/runs/${RUN})`)
    expect(result.summary).toMatch(/3 report\(s\) from \[run 31337\].* posted to #1/)
    expect(d.log.warnings).toEqual([])
    // The zips came through the API's redirect to the storage URL.
    expect(server.requests.filter(r => r.path.startsWith('/_storage/'))).toHaveLength(4)
  })

  it('merges into the comment the PR already has, and compares with the baseline', async () => {
    const pr = server.addPull(SHA)
    const d = deps([pr])
    const base = legReport(0)
    base.cases[0].rows.find(r => r.threads === 4)!.speedup = { estimate: 5, low: 4.9, high: 5.1 }
    await d.store.save(baselineKey(defaultLeg(base.runner), 1, 1), base)
    artifact('a', legReport(0))
    await runCommentMode(settings, d)
    artifact('b', legReport(1))
    await runCommentMode(settings, d)
    expect(sticky(pr)).toHaveLength(1)
    const sections = parseSections(sticky(pr)[0].body)
    expect(sections).toHaveLength(2)
    expect(sections.find(s => s.text.includes('Linux X64'))?.text).toContain('⚠️ **Slower than the base branch**')
  })

  it('names sections as check mode did (report.leg.json), else from the runner, else with the artifact name', async () => {
    const pr = server.addPull(SHA)
    server.addArtifact(RUN, 'macos-14', makeZip([{ name: 'report.json', data: JSON.stringify(legReport(2)) }, { name: 'report.leg.json', data: legFileContent('macOS ARM64 (macos14) · Python 3.12') }]))
    server.addArtifact(RUN, 'hostile-leg', makeZip([{ name: 'r.json', data: JSON.stringify(legReport(0)) }, { name: 'r.leg.json', data: JSON.stringify({ schema: 'thread-scaling-check/leg', leg: '<img src=x> @here\n'.repeat(50) }) }]))
    artifact('twin-a', legReport(1))
    artifact('twin-b', legReport(1))
    await runCommentMode(settings, deps())
    const headings = parseSections(sticky(pr)[0].body).map(s => s.text.split('\n')[0])
    expect(headings).toContain('### ❌ macOS ARM64 \\(macos14\\) · Python 3.12: fail')
    expect(headings).toContain(`### ✅ ${inline(`${defaultLeg(legReport(1).runner)} (twin-a)`)}: pass`)
    expect(headings).toContain(`### ✅ ${inline(`${defaultLeg(legReport(1).runner)} (twin-b)`)}: pass`)
    const hostile = headings.find(h => h.includes('img'))!
    expect(hostile).toMatch(/^### ✅ &lt;img src=x&gt; @\u200bhere/)
    expect(hostile.length).toBeLessThan(200)
  })

  it('refuses reports that fail the schema, and still posts the good ones', async () => {
    const pr = server.addPull(SHA)
    const wrong = { ...legReport(1), verdict: 'pwned' }
    const missing: Partial<Report> = { ...legReport(1) }
    delete missing.cases
    artifact('good', legReport(0))
    artifact('bad', wrong, missing, '{"schema": "thread-scaling-check/report", "version": "9.9"}')
    const d = deps()
    const result = await runCommentMode(settings, d)
    expect(parseSections(sticky(pr)[0].body)).toHaveLength(1)
    expect(d.log.warnings).toHaveLength(3)
    expect(d.log.warnings[0]).toMatch(/^Artifact 'bad', file 'report.json' was not used: bad\/report.json does not match the report schema: \/verdict must be equal to one of the allowed values/)
    expect(result.summary).toContain('### Not used')
  })

  it('neutralises Markdown and HTML injection and caps oversized fields', async () => {
    const pr = server.addPull(SHA)
    const evil = legReport(0)
    const payloads = ['<img src=x onerror=alert(1)>', '<script>alert(document.cookie)</script>', '[click me](javascript:alert(1))', '![track](https://evil.example/pixel.png)', '@everyone', '</details><h1>pwned</h1>', '<!-- tsc:/section -->', '```\n# fake heading']
    evil.runner = { ...evil.runner, os: payloads[0], arch: payloads[4], torchVersion: payloads[5] + 'x'.repeat(90_000) }
    evil.cases[0].name = payloads.join(' ')
    evil.reasons = [payloads.join('\n'), 'y'.repeat(99_000)]
    if (evil.control) evil.control.name = payloads[1]
    artifact('evil', evil)
    await runCommentMode(settings, deps())
    const body = sticky(pr)[0].body
    expect(body.length).toBeLessThan(BODY_LIMIT)
    expect(body.length).toBeLessThan(20_000)
    // No tag of the attacker's opens, no link or image, no mention, no forged section end.
    expect(body).not.toMatch(/<(img|script|h1)\b/i)
    expect(body).not.toMatch(/<\/details><h1>/)
    expect(body).not.toMatch(/\]\(javascript:/)
    expect(body).not.toMatch(/!\[track\]\(/)
    expect(body).not.toMatch(/@everyone/)
    expect(body.match(/<!-- tsc:\/section -->/g)).toHaveLength(1)
    expect(parseSections(body)).toHaveLength(1)
    expect(body).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;')
  })

  it.each([
    ['a path-traversal entry', () => makeZip([{ name: '../../report.json', data: JSON.stringify(legReport(0)) }]), /unsafe entry name/],
    ['a symlink', () => makeZip([{ name: 'report.json', data: '/etc/passwd', mode: 0o120777 }]), /not a regular file/],
    ['a zip bomb', () => makeZip([{ name: 'report.json', data: Buffer.alloc(8 * 1024 * 1024, 0x20), claimedSize: 100 }]), /cannot inflate|bytes/],
    ['not a zip', () => Buffer.from('<html>gotcha</html>'), /not a zip/]
  ])('refuses an artifact with %s', async (_what, zip, reason) => {
    const pr = server.addPull(SHA)
    server.addArtifact(RUN, 'hostile', zip())
    const d = deps()
    const result = await runCommentMode(settings, d)
    expect(d.log.warnings).toEqual([expect.stringMatching(reason)])
    expect(result.pulls).toEqual([])
    expect(server.commentsOn(pr)).toEqual([])
  })

  describe('a section\'s time comes from GitHub, never from the report', () => {
    it('a forged createdAt far in the future is refused, and a genuine report for that leg still shows', async () => {
      const pr = server.addPull(SHA)
      const forged = legReport(0)
      forged.createdAt = '9999-12-31T23:59:59Z'
      forged.reasons = ['forged']
      artifact('forged', forged)
      const d = deps()
      const result = await runCommentMode(settings, d)
      expect(result.pulls).toEqual([])
      expect(d.log.warnings).toEqual([expect.stringMatching(/^Artifact 'forged', file 'report.json' was not used: its createdAt 9999-12-31T23:59:59Z lies outside run 31337 \(2026-11-21T07:55:00.000Z to 2026-11-21T09:05:00.000Z\)/)])
      artifact('genuine', legReport(0))
      await runCommentMode(settings, deps())
      const body = sticky(pr)[0].body
      expect(body).not.toContain('forged')
      expect(parseSections(body)).toHaveLength(1)
    })

    it('a createdAt before 1970 is refused rather than written as a marker that cannot be read back', async () => {
      server.addPull(SHA)
      const old = legReport(1)
      old.createdAt = '1960-01-01T00:00:00Z'
      artifact('old', old)
      const d = deps()
      await runCommentMode(settings, d)
      expect(d.log.warnings).toEqual([expect.stringMatching(/its createdAt 1960-01-01T00:00:00Z lies outside run 31337/)])
    })

    it('takes the artifact\'s time, not the report\'s', async () => {
      const pr = server.addPull(SHA)
      artifact('a', legReport(0))
      await runCommentMode(settings, deps())
      const [section] = parseSections(sticky(pr)[0].body)
      expect(section.at).not.toBe(Date.parse(legReport(0).createdAt))
      expect(section.at).toBeGreaterThanOrEqual(Date.parse('2026-11-21T08:00:00Z'))
      expect(section.at).toBeLessThan(Date.parse('2026-11-21T08:10:00Z'))
    })
  })

  it('refuses a report over 1 MiB before parsing it', async () => {
    server.addPull(SHA)
    const big = legReport(0)
    big.reasons = Array.from({ length: 20 }, () => 'r'.repeat(60_000))
    artifact('big', big)
    const d = deps()
    await runCommentMode(settings, d)
    expect(d.log.warnings).toEqual([expect.stringMatching(/^Artifact 'big', file 'report.json' was not used: \d+ bytes, over the 1048576-byte limit for one report/)])
  })

  it('caps the warnings and the list of refused reports, summing up the rest in one line', async () => {
    server.addPull(SHA)
    const bad = { ...legReport(0), verdict: 'pwned' }
    for (let i = 0; i < 5; i++) artifact(`bad-${i}`, ...Array.from({ length: 10 }, () => bad))
    const d = deps()
    const result = await runCommentMode(settings, d)
    expect(d.log.warnings).toHaveLength(11)
    expect(d.log.warnings[10]).toBe('40 more artifact file(s) were not used; the step summary lists the first 20.')
    expect(result.summary.split('\n').filter(l => l.startsWith('- '))).toHaveLength(21)
    expect(result.summary).toContain('- …and 30 more not used, not listed here.')
  })

  it('skips an oversized or expired artifact without downloading it', async () => {
    server.addPull(SHA)
    server.addArtifact(RUN, 'huge', makeZip([{ name: 'report.json', data: '{}' }]), { claimedSize: 500 * 1024 * 1024 })
    server.addArtifact(RUN, 'old', makeZip([{ name: 'report.json', data: '{}' }]), { expired: true })
    const d = deps()
    await runCommentMode(settings, d)
    expect(d.log.warnings).toEqual([expect.stringMatching(/'huge'.*over the \d+-byte limit/), expect.stringMatching(/'old'.*expired/)])
    expect(server.requests.filter(r => r.path.includes('/artifacts/') || r.path.startsWith('/_storage/'))).toEqual([])
  })

  it('with comment: auto, posts only for pull request runs; always also for a push whose commit heads a PR', async () => {
    const pr = server.addPull(SHA)
    artifact('a', legReport(0))
    const push = testDeps(githubEnv(server, 'workflow_run', { workflow_run: { id: RUN, head_sha: SHA, event: 'push', pull_requests: [] } }))
    expect((await runCommentMode(settings, push)).summary).toMatch(/started by 'push', not by a pull request/)
    expect(server.requests).toEqual([])
    await runCommentMode({ ...settings, comment: 'always' }, push)
    expect(sticky(pr)).toHaveLength(1)
  })

  it('posts nothing when no open PR has the commit as its head', async () => {
    artifact('a', legReport(0))
    const result = await runCommentMode(settings, deps())
    expect(result.pulls).toEqual([])
    expect(result.summary).toMatch(/No open pull request has commit 999999999999/)
  })

  it('is refused outside a workflow_run event, naming the input', async () => {
    const d = testDeps(githubEnv(server, 'pull_request', {}))
    await expect(runCommentMode(settings, d)).rejects.toThrow(InputError)
    await expect(runCommentMode(settings, d)).rejects.toThrow(/^Input 'mode': 'comment' posts the reports of the run that triggered a workflow_run event, but this run was started by 'pull_request'/)
  })

  it('explains a token that may not comment', async () => {
    server.addPull(SHA)
    artifact('a', legReport(0))
    await expect(runCommentMode({ ...settings, githubToken: TOKENS.readOnly }, deps())).rejects.toThrow(/^No PR comment: the token may not write/)
  })
})
