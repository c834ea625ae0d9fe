/**
 * The fake GitHub server itself: it must refuse what GitHub's description
 * refuses (or the other tests prove nothing), answer in GitHub's shapes,
 * paginate with Link headers, and inject the faults the tests rely on.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { ACTIONS_BOT, HUMAN, startFakeGitHub, TOKENS, type FakeGitHub } from '../../__fixtures__/github-server.js'
import { RecordingLog } from '../../__fixtures__/publish.js'
import { createClient, DEFAULT_RETRY, type GitHubClient } from '../../src/publish/github-client.js'

let server: FakeGitHub
let client: GitHubClient

beforeAll(async () => {
  server = await startFakeGitHub()
})
afterAll(() => server.close())
beforeEach(() => {
  server.reset()
  client = createClient(TOKENS.installation, server.url, { ...DEFAULT_RETRY, retries: 0 }, new RecordingLog())
})

async function raw(method: string, path: string, body?: unknown, token: string = TOKENS.installation): Promise<{ status: number; json: unknown }> {
  const res = await fetch(server.url + path, { method, headers: { authorization: `token ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: res.status, json: await res.json().catch(() => null) }
}

describe('the fake GitHub server', () => {
  it('answers a described request in the described shape', async () => {
    const pr = server.addPull('b'.repeat(40))
    const { data } = await client.rest.issues.createComment({ owner: server.owner, repo: server.repo, issue_number: pr, body: 'hello' })
    expect(data.user?.login).toBe(ACTIONS_BOT.login)
    expect(data.body).toBe('hello')
    expect(data.html_url).toMatch(/#issuecomment-\d+$/)
    expect(server.violations).toEqual([])
  })

  it('refuses a body that does not match the operation (missing required property)', async () => {
    const pr = server.addPull('b'.repeat(40))
    const r = await raw('POST', `/repos/${server.owner}/${server.repo}/issues/${pr}/comments`, { text: 'no body field' })
    expect(r.status).toBe(400)
    expect(server.violations.join('\n')).toMatch(/must have required property 'body'/)
  })

  it('refuses a wrong type in a body and a wrong enum in a query', async () => {
    server.addPull('b'.repeat(40))
    expect((await raw('PATCH', `/repos/${server.owner}/${server.repo}/issues/1`, { state: 'shut' })).status).toBe(400)
    expect((await raw('GET', `/repos/${server.owner}/${server.repo}/issues?state=sideways`)).status).toBe(400)
    expect((await raw('GET', `/repos/${server.owner}/${server.repo}/issues?colour=red`)).status).toBe(400)
    expect(server.violations).toHaveLength(3)
  })

  it('refuses paths and methods GitHub does not have', async () => {
    expect((await raw('GET', `/repos/${server.owner}/${server.repo}/comments-of-issues`)).status).toBe(404)
    expect((await raw('PUT', `/repos/${server.owner}/${server.repo}/issues/comments/1`, { body: 'x' })).status).toBe(404)
    expect(server.violations).toHaveLength(2)
  })

  it('paginates with Link headers, which octokit follows', async () => {
    const pr = server.addPull('b'.repeat(40))
    for (let i = 0; i < 250; i++) server.addComment(pr, `comment ${i}`, HUMAN)
    const all = await client.paginate(client.rest.issues.listComments, { owner: server.owner, repo: server.repo, issue_number: pr, per_page: 100 })
    expect(all).toHaveLength(250)
    expect(server.requests.filter(r => r.path.endsWith('/comments'))).toHaveLength(3)
    expect(server.violations).toEqual([])
  })

  it('answers writes with a read-only token with 403 Resource not accessible by integration', async () => {
    const pr = server.addPull('b'.repeat(40))
    const r = await raw('POST', `/repos/${server.owner}/${server.repo}/issues/${pr}/comments`, { body: 'x' }, TOKENS.readOnly)
    expect(r).toEqual({ status: 403, json: expect.objectContaining({ message: 'Resource not accessible by integration' }) })
    expect((await raw('GET', '/user')).status).toBe(403)
    expect((await raw('GET', '/user', undefined, TOKENS.user)).json).toEqual(expect.objectContaining({ login: HUMAN.login }))
  })

  it('injects faults: 5xx and a secondary rate limit with retry-after, each for the given count', async () => {
    server.inject({ method: 'GET', path: /\/user$/, status: 502, times: 1 })
    server.inject({ method: 'GET', path: /\/user$/, status: 403, message: 'You have exceeded a secondary rate limit.', headers: { 'retry-after': '7' } })
    expect((await raw('GET', '/user', undefined, TOKENS.user)).status).toBe(502)
    const res = await fetch(server.url + '/user', { headers: { authorization: `token ${TOKENS.user}` } })
    expect(res.status).toBe(403)
    expect(res.headers.get('retry-after')).toBe('7')
    expect((await raw('GET', '/user', undefined, TOKENS.user)).status).toBe(200)
  })
})
