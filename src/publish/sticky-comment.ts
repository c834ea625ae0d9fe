import type { Log } from '../log.js'
import { isSticky, mergeSections, parseSections, renderComment, sectionTitle, type Section } from './comment.js'
import { isForbidden, retryDelay, statusOf, type GitHubClient, type RetryPolicy } from './github-client.js'

/**
 * The sticky comment against the API: find it, write this leg's sections
 * into it, and make sure they stay.
 *
 * GitHub has no compare-and-swap for comments, so two legs that read the
 * same body and each write their own section back would erase each other.
 * The scheme, and why it holds:
 *
 * 1. Read all of our marker comments (paginated; only those written by the
 *    token's identity). Every section seen is remembered; a section's copy
 *    with the newer report wins. So each leg guards every section it has
 *    seen, not just its own.
 * 2. The body to have is rendered from everything remembered. Rendering is
 *    deterministic, so legs that know the same sections want the same body.
 * 3. If the oldest marker comment (the canonical one) differs, write it, wait
 *    a jittered settle time and start over. A write is sent once, never
 *    retried blindly: a resent body could erase what landed meanwhile.
 * 4. Legs that found no comment at the same moment each create one. Every
 *    leg takes the oldest as canonical, merges the others' sections into
 *    it, and deletes the extras once the canonical holds all of them.
 * 5. Stop after `confirmations` consecutive reads, a settle time apart, that
 *    show exactly the wanted body in a single comment.
 *
 * A leg that wrote a stale body (it read before another leg's write landed)
 * is caught at its next read: it sees its own write, which lacks the other
 * section, so nothing is stable yet; and the other leg, reading after a
 * settle time that exceeds a read-to-write window, sees its section missing
 * and writes it back together with everything else. The concurrency test
 * (__tests__/publish/concurrency.test.ts) runs six legs at once, twenty
 * times, against the local API server with random latency.
 */

export interface StickyOptions {
  log: Log
  retry: RetryPolicy
  /** Wait after a write before reading it back; each wait is jittered to 1-2x. */
  settleMs: number
  /** Consecutive clean reads that end the loop. */
  confirmations: number
  /** Most rounds (read, then maybe write) before giving up. */
  maxRounds: number
}

export const DEFAULT_STICKY = { settleMs: 1500, confirmations: 2, maxRounds: 20 }

export interface Target {
  owner: string
  repo: string
  /** The pull request's (or issue's) number. */
  issueNumber: number
}

interface Sticky {
  id: number
  body: string
  url: string
}

/**
 * The login our comments carry, or null when it can't be established. A user
 * token can ask GET /user; an installation token (GITHUB_TOKEN, a GitHub
 * App's) gets 403 there but may ask GraphQL's viewer. Never a guess: a
 * guessed login would adopt, and rewrite, a comment someone else wrote.
 */
export async function resolveIdentity(client: GitHubClient, log: Log): Promise<string | null> {
  try {
    const { data } = await client.rest.users.getAuthenticated()
    return data.login
  } catch (e) {
    log.debug(`GET /user answered ${statusOf(e) ?? (e as Error).message}; asking GraphQL's viewer`)
  }
  try {
    const data = await client.graphql<{ viewer?: { login?: unknown } | null }>('query { viewer { login } }')
    if (typeof data.viewer?.login === 'string' && data.viewer.login) return data.viewer.login
  } catch (e) {
    log.debug(`GraphQL viewer answered ${statusOf(e) ?? (e as Error).message}`)
  }
  log.info('The token\'s own login could not be established, so only comments this run writes are used: an existing comment may be left beside the new one.')
  return null
}

/** Our sticky comments: by our login, or with no login known, only those this run created. */
async function listSticky(client: GitHubClient, t: Target, identity: string | null, created: ReadonlySet<number>): Promise<Sticky[]> {
  const all = await client.paginate(client.rest.issues.listComments, { owner: t.owner, repo: t.repo, issue_number: t.issueNumber, per_page: 100 })
  return all
    .filter(c => (identity === null ? created.has(c.id) : c.user?.login === identity) && isSticky(c.body))
    .map(c => ({ id: c.id, body: c.body ?? '', url: c.html_url }))
    .sort((a, b) => a.id - b.id)
}

export interface StickyResult {
  commentId: number
  url: string
  writes: number
}

/**
 * Puts `mine` into the sticky comment on the target and returns once the
 * comment has held them for `confirmations` reads. Throws a 403 at once
 * (the caller explains it), and other failures after retries.
 */
export async function upsertSections(client: GitHubClient, t: Target, mine: Section[], identity: string | null, o: StickyOptions): Promise<StickyResult> {
  const known = mergeSections(new Map(), mine)
  const settle = (): Promise<void> => o.retry.sleep(o.settleMs * (1 + o.retry.random()))
  const once = { request: { retries: 0 } }
  const created = new Set<number>()
  let stable = 0
  let writes = 0
  let failures = 0

  for (let round = 1; round <= o.maxRounds; round++) {
    const comments = await listSticky(client, t, identity, created)
    for (const c of comments) mergeSections(known, parseSections(c.body))
    const wanted = renderComment(known.values())
    const canonical = comments[0]
    try {
      if (!canonical) {
        const { data } = await client.rest.issues.createComment({ owner: t.owner, repo: t.repo, issue_number: t.issueNumber, body: wanted, ...once })
        created.add(data.id)
        writes++
      } else if (canonical.body !== wanted) {
        await client.rest.issues.updateComment({ owner: t.owner, repo: t.repo, comment_id: canonical.id, body: wanted, ...once })
        writes++
      } else if (comments.length > 1) {
        // The canonical comment holds every section of the extras (they are all in `known`).
        for (const extra of comments.slice(1)) {
          await client.rest.issues.deleteComment({ owner: t.owner, repo: t.repo, comment_id: extra.id, ...once }).catch((e: unknown) => {
            if (statusOf(e) !== 404) throw e
          })
        }
      } else if (++stable >= o.confirmations) {
        o.log.debug(`Sticky comment ${canonical.id} holds ${[...known.values()].map(sectionTitle).join('; ')} after ${round} round(s)`)
        return { commentId: canonical.id, url: canonical.url, writes }
      } else {
        await settle()
        continue
      }
    } catch (e) {
      if (isForbidden(e)) throw e
      // Gone meanwhile (another leg deleted an extra): read again.
      if (statusOf(e) !== 404) {
        const wait = retryDelay(e, failures, o.retry)
        if (wait === null || failures >= o.retry.retries) throw e
        failures++
        o.log.debug(`Sticky comment write failed (${statusOf(e)}); reading again in ${Math.round(wait)} ms`)
        await o.retry.sleep(wait)
      }
    }
    stable = 0
    await settle()
  }
  throw new Error(`the comment did not settle after ${o.maxRounds} rounds of reading and writing (other jobs kept changing it)`)
}
