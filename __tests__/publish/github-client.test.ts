/** Retries against the fake server: secondary rate limits and 5xx wait and retry; permission errors do not. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { startFakeGitHub, TOKENS, type FakeGitHub } from '../../__fixtures__/github-server.js'
import { RecordingLog } from '../../__fixtures__/publish.js'
import { createClient, isForbidden, retryDelay, statusOf, type GitHubClient, type RetryPolicy } from '../../src/publish/github-client.js'

let server: FakeGitHub
let waits: number[]
let client: GitHubClient
const NOW = 1_800_000_000_000

function policy(over: Partial<RetryPolicy> = {}): RetryPolicy {
  return { retries: 3, baseDelayMs: 100, rateLimitDelayMs: 60_000, maxDelayMs: 90_000, random: () => 0.5, now: () => NOW, sleep: async ms => void waits.push(ms), ...over }
}

beforeAll(async () => {
  server = await startFakeGitHub()
})
afterAll(() => server.close())
beforeEach(() => {
  server.reset()
  waits = []
  client = createClient(TOKENS.user, server.url, policy(), new RecordingLog())
})
afterEach(() => expect(server.violations).toEqual([]))

const getUser = () => client.rest.users.getAuthenticated()
const userCalls = () => server.requests.filter(r => r.path === '/user').length

describe('createClient retries', () => {
  it('retries 5xx with exponential backoff', async () => {
    server.inject({ path: /^\/user$/, status: 502, times: 2 })
    expect((await getUser()).data.login).toBe('mona')
    expect(waits).toEqual([100, 200])
    expect(userCalls()).toBe(3)
  })

  it('waits as long as a secondary rate limit asks (retry-after)', async () => {
    server.inject({ path: /^\/user$/, status: 403, message: 'You have exceeded a secondary rate limit.', headers: { 'retry-after': '3' } })
    await getUser()
    expect(waits).toEqual([3000])
  })

  it('waits for the reset time when the remaining quota is 0, and for 429', async () => {
    server.inject({ path: /^\/user$/, status: 403, message: 'API rate limit exceeded', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 20) } })
    server.inject({ path: /^\/user$/, status: 429, message: 'Too many requests', headers: { 'retry-after': '1' } })
    await getUser()
    expect(waits).toEqual([21_000, 1000])
  })

  it('gives up after the retries, with the last error', async () => {
    server.inject({ path: /^\/user$/, status: 503, times: 10 })
    await expect(getUser()).rejects.toMatchObject({ status: 503 })
    expect(userCalls()).toBe(4)
  })

  it('does not retry a permission 403, nor a wait beyond the limit, nor a send-once request', async () => {
    const readOnly = createClient(TOKENS.readOnly, server.url, policy(), new RecordingLog())
    const pr = server.addPull('a'.repeat(40))
    const e = await readOnly.rest.issues.createComment({ owner: server.owner, repo: server.repo, issue_number: pr, body: 'x' }).catch((x: unknown) => x)
    expect(isForbidden(e)).toBe(true)
    server.inject({ path: /^\/user$/, status: 403, message: 'secondary rate limit', headers: { 'retry-after': '3600' } })
    await expect(getUser()).rejects.toMatchObject({ status: 403 })
    server.inject({ path: /^\/user$/, status: 500 })
    const once = await client.rest.users.getAuthenticated({ request: { retries: 0 } }).catch((x: unknown) => x)
    expect(statusOf(once)).toBe(500)
    expect(waits).toEqual([])
  })
})

describe('retryDelay', () => {
  it('reads errors without trusting their shape', () => {
    expect(retryDelay(new Error('boom'), 0, policy())).toBeNull()
    expect(retryDelay({ status: 'x' }, 0, policy())).toBeNull()
    expect(retryDelay({ status: 404 }, 0, policy())).toBeNull()
    expect(retryDelay({ status: 403, message: 'You have exceeded a secondary rate limit' }, 0, policy())).toBe(60_000)
  })
})
