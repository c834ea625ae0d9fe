import { getOctokit } from '@actions/github'
import type { Log } from '../log.js'

export type GitHubClient = ReturnType<typeof getOctokit>

/** How API calls are retried. The clock and sleep are injectable so tests wait milliseconds, not minutes. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number
  /** First backoff for 5xx; it doubles each retry, with jitter. */
  baseDelayMs: number
  /** Wait for a secondary rate limit that names no time (GitHub asks for at least a minute). */
  rateLimitDelayMs: number
  /** Longest single wait; a retry-after beyond it gives up instead. */
  maxDelayMs: number
  sleep: (ms: number) => Promise<void>
  random: () => number
  now: () => number
}

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 3,
  baseDelayMs: 1000,
  rateLimitDelayMs: 60_000,
  maxDelayMs: 90_000,
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
  random: Math.random,
  now: Date.now
}

/** The parts of an Octokit RequestError we act on, read without trusting its type. */
export interface HttpFailure {
  status: number
  message: string
  headers: Record<string, string>
}

export function httpFailure(e: unknown): HttpFailure | null {
  if (typeof e !== 'object' || e === null || typeof (e as { status?: unknown }).status !== 'number') return null
  const err = e as { status: number; message?: unknown; response?: { headers?: unknown; data?: unknown } }
  const headers: Record<string, string> = {}
  const raw = err.response?.headers
  if (typeof raw === 'object' && raw !== null) for (const [k, v] of Object.entries(raw)) if (v !== undefined) headers[k.toLowerCase()] = String(v)
  const data = err.response?.data
  const apiMessage = typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string' ? (data as { message: string }).message : null
  return { status: err.status, message: apiMessage ?? String(err.message ?? ''), headers }
}

/** 429, or a 403 that GitHub marks as a (secondary) rate limit rather than a permission problem. */
export function isRateLimit(f: HttpFailure): boolean {
  if (f.status === 429) return true
  return f.status === 403 && ('retry-after' in f.headers || f.headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(f.message))
}

/** A 403 that is not a rate limit: the token lacks the permission (read-only, fork PR). */
export function isForbidden(e: unknown): boolean {
  const f = httpFailure(e)
  return !!f && f.status === 403 && !isRateLimit(f)
}

export function statusOf(e: unknown): number | null {
  return httpFailure(e)?.status ?? null
}

/**
 * How long to wait before retrying, or null when retrying cannot help.
 * Rate limits wait as long as GitHub asks (retry-after, else the reset time,
 * else a minute); 5xx and network failures (Octokit reports those as 500)
 * back off exponentially with jitter.
 */
export function retryDelay(e: unknown, attempt: number, p: RetryPolicy): number | null {
  const f = httpFailure(e)
  if (!f) return null
  let wait: number
  if (isRateLimit(f)) {
    const after = Number(f.headers['retry-after'])
    const reset = Number(f.headers['x-ratelimit-reset'])
    if (Number.isFinite(after) && after >= 0) wait = after * 1000
    else if (f.headers['x-ratelimit-remaining'] === '0' && Number.isFinite(reset)) wait = reset * 1000 - p.now() + 1000
    else wait = p.rateLimitDelayMs
  } else if (f.status >= 500) {
    wait = p.baseDelayMs * 2 ** attempt * (0.5 + p.random())
  } else return null
  wait = Math.max(0, wait)
  return wait > p.maxDelayMs ? null : wait
}

/**
 * Octokit for the token, pointed at GITHUB_API_URL, with every request
 * retried under the policy. A request made with `request: { retries: 0 }`
 * is sent once: the sticky comment's writes carry a body computed from a
 * read, and resending it later could erase a section written meanwhile, so
 * that loop re-reads instead (see sticky-comment.ts).
 */
export function createClient(token: string, apiUrl: string, policy: RetryPolicy, log: Log): GitHubClient {
  const client = getOctokit(token, { baseUrl: apiUrl, log: { debug: () => undefined, info: () => undefined, warn: m => log.debug(m), error: m => log.debug(m) } })
  client.hook.wrap('request', async (request, options) => {
    const once = options.request?.retries === 0
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(options)
      } catch (e) {
        const wait = once || attempt >= policy.retries ? null : retryDelay(e, attempt, policy)
        if (wait === null) throw e
        log.debug(`GitHub API ${options.method} ${options.url}: ${httpFailure(e)?.status}; retry ${attempt + 1} of ${policy.retries} in ${Math.round(wait)} ms`)
        await policy.sleep(wait)
      }
    }
  })
  return client
}
