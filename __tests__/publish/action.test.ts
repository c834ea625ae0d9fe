/**
 * dist/index.js for real, as a runner starts it, with GITHUB_API_URL
 * pointing at the fake GitHub server and an event payload file. The check
 * mode runs inspect + judge on a prebuilt binary (build-command: none, no
 * workload: the static verdict), so only torch's import is slow.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { ACTIONS_BOT, startFakeGitHub, TOKENS, type FakeGitHub } from '../../__fixtures__/github-server.js'
import { legReport, pullRequestPayload } from '../../__fixtures__/publish.js'
import { torchPython } from '../../__fixtures__/python.js'
import { runAction, type ActionRun } from '../../__fixtures__/run-action.js'
import { makeZip } from '../../__fixtures__/zip.js'
import { isSticky, parseSections } from '../../src/publish/comment.js'
import { inline } from '../../src/publish/escape.js'

let server: FakeGitHub
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-publish-e2e-'))
const SHA = '7'.repeat(40)

beforeAll(async () => {
  server = await startFakeGitHub()
  // A binary built without OpenMP whose source calls at::parallel_for: a static fail.
  fs.mkdirSync(path.join(workspace, 'ext', 'csrc'), { recursive: true })
  fs.copyFileSync(path.resolve('__fixtures__/binaries/elf/gcc-noomp.so'), path.join(workspace, 'ext', '_C.so'))
  fs.writeFileSync(path.join(workspace, 'ext', 'csrc', 'k.cpp'), '#include <ATen/Parallel.h>\nvoid k(int64_t n) {\n  at::parallel_for(0, n, 1, [](int64_t b, int64_t e) {});\n}\n')
})
afterAll(() => server.close())
beforeEach(() => server.reset())
afterEach(() => expect(server.violations).toEqual([]))

function runner(event: string, payload: unknown): Record<string, string> {
  const file = path.join(workspace, `event-${event}-${Math.random().toString(36).slice(2)}.json`)
  fs.writeFileSync(file, JSON.stringify(payload))
  return { GITHUB_API_URL: server.url, GITHUB_EVENT_NAME: event, GITHUB_EVENT_PATH: file, GITHUB_REPOSITORY: `${server.owner}/${server.repo}`, GITHUB_RUN_ID: '8080', GITHUB_RUN_ATTEMPT: '1', GITHUB_SHA: SHA, GITHUB_REF: 'refs/pull/1/merge', GITHUB_SERVER_URL: 'https://github.com' }
}

const check = (inputs: Record<string, string>, env: Record<string, string>): Promise<ActionRun> =>
  runAction(workspace, { python: torchPython(), 'working-directory': 'ext', 'build-command': 'none', ...inputs }, env)

const commands = (run: ActionRun, kind: string): string[] => run.stdout.split('\n').filter(l => l.startsWith(`::${kind}`))

describe('check mode on a pull request, through dist/index.js', () => {
  let reference: ActionRun
  beforeAll(async () => {
    // The same check with no API use at all: what the verdict, summary and status must stay.
    reference = await check({ comment: 'never', 'github-token': TOKENS.readOnly }, runner('pull_request', {}))
  })

  it('the reference run fails the static check', () => {
    expect(reference.outputs.verdict).toBe('fail')
    expect(reference.status).toBe(1)
  })

  it('read-only token: same exit status, outputs and summary; no comment; exactly one notice saying why and how', async () => {
    const pr = server.addPull(SHA)
    const run = await check({ 'github-token': TOKENS.readOnly }, runner('pull_request', pullRequestPayload(server, pr, SHA)))
    expect(run.status).toBe(reference.status)
    expect(run.outputs).toEqual(reference.outputs)
    expect(run.summary).toBe(reference.summary)
    expect(server.commentsOn(pr)).toEqual([])
    expect(commands(run, 'notice')).toEqual([expect.stringMatching(/^::notice::No PR comment: the token may not write to this repository \(GitHub answered 403: Resource not accessible by integration\)\. .*pull-requests: write.*mode: comment/)])
    expect(commands(run, 'warning')).toEqual(commands(reference, 'warning'))
    expect(commands(run, 'error')).toEqual(commands(reference, 'error'))
  })

  it('PR from a fork: skipped before any API call, with the one notice', async () => {
    const pr = server.addPull(SHA, true)
    const run = await check({ 'github-token': TOKENS.readOnly }, runner('pull_request', pullRequestPayload(server, pr, SHA, true)))
    expect(run.status).toBe(reference.status)
    expect(run.summary).toBe(reference.summary)
    expect(commands(run, 'notice')).toEqual([expect.stringMatching(/^::notice::No PR comment: pull request #1 comes from a fork \(forker\/octo-repo\)/)])
    expect(server.requests).toEqual([])
  })

  it('writable token: the sticky comment, and the verdict and status unchanged', async () => {
    const pr = server.addPull(SHA)
    const run = await check({ 'github-token': TOKENS.installation }, runner('pull_request', pullRequestPayload(server, pr, SHA)))
    expect(run.status).toBe(reference.status)
    expect(run.outputs.verdict).toBe('fail')
    const sticky = server.commentsOn(pr).filter(c => isSticky(c.body))
    expect(sticky).toHaveLength(1)
    expect(sticky[0].user.login).toBe(ACTIONS_BOT.login)
    const [section] = parseSections(sticky[0].body)
    expect(section.text).toMatch(/^### ❌ Linux X64 · Python \d+\.\d+ · torch .*: fail\n/)
    expect(section.text).toContain('\\_C.so\\: Compiled without OpenMP')
    expect(commands(run, 'notice')).toEqual([])
    // The leg name is written beside the report, for `mode: comment` to read from the artifact.
    const legFile = JSON.parse(fs.readFileSync(path.join(workspace, 'ext', '.thread-scaling-check', 'report.leg.json'), 'utf8')) as { leg: string }
    expect(section.text.split('\n')[0]).toBe(`### ❌ ${inline(legFile.leg)}: fail`)
  })

  it('an API that keeps failing costs one warning, not the verdict', async () => {
    const pr = server.addPull(SHA)
    server.inject({ path: /\/comments$/, status: 503, times: 1000 })
    const run = await check({ 'github-token': TOKENS.installation }, runner('pull_request', pullRequestPayload(server, pr, SHA)))
    expect(run.status).toBe(reference.status)
    expect(run.summary).toBe(reference.summary)
    expect(commands(run, 'warning').filter(w => !commands(reference, 'warning').includes(w))).toEqual([expect.stringMatching(/^::warning::No PR comment: GitHub answered 503/)])
  }, 120_000)
})

describe('comment mode, through dist/index.js', () => {
  it('posts the combined comment from the triggering run\'s artifacts', async () => {
    const pr = server.addPull(SHA, true)
    for (const i of [0, 1, 2]) server.addArtifact(99, `thread-scaling-report-${i}`, makeZip([{ name: 'report.json', data: JSON.stringify(legReport(i)) }]))
    const env = runner('workflow_run', { action: 'completed', workflow_run: { id: 99, head_sha: SHA, event: 'pull_request', pull_requests: [] } })
    const run = await runAction(workspace, { mode: 'comment', 'github-token': TOKENS.installation }, env)
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const sticky = server.commentsOn(pr).filter(c => isSticky(c.body))
    expect(sticky).toHaveLength(1)
    expect(parseSections(sticky[0].body)).toHaveLength(3)
    expect(run.summary).toMatch(/3 report\(s\) from \[run 99\]/)
  })

  it('fails with one message naming the input when it is not a workflow_run', async () => {
    const run = await runAction(workspace, { mode: 'comment', 'github-token': TOKENS.installation }, runner('push', {}))
    expect(run.status).toBe(1)
    expect(commands(run, 'error')).toEqual([expect.stringMatching(/^::error::Input 'mode': 'comment' posts the reports of the run that triggered a workflow_run event/)])
    expect(server.requests).toEqual([])
  })
})
