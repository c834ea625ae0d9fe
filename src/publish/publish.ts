import type { PublishSettings } from '../config/settings.js'
import type { Log } from '../log.js'
import { validateReport } from '../report/schema.js'
import type { Report } from '../report/types.js'
import { baselineKey, baselinePrefix, compareToBaseline, type BaselineStore, type Comparison } from './baseline.js'
import { renderSection } from './comment.js'
import { DEFAULT_STICKY, resolveIdentity, upsertSections, type StickyOptions } from './sticky-comment.js'
import { forkNotice, readOnlyFork, readOnlyNotice } from './fork.js'
import { createClient, DEFAULT_RETRY, httpFailure, isForbidden, type GitHubClient, type RetryPolicy } from './github-client.js'
import { inWorkflow, NIGHTLY_EVENTS, onDefaultBranch, pullRequestOf, runUrl, type GitHubEnv } from './github-env.js'
import { nightlyIssue, type NightlyOutcome } from './nightly.js'
import { pullRequestsForCommit } from './pulls.js'

/**
 * Everything the check writes to GitHub after its verdict: the baseline,
 * the sticky PR comment and the nightly issue. None of it may change the
 * verdict, the summary or the exit status, so publish() never throws: each
 * failure becomes one warning (or, for a token that may not write, one
 * notice that says how to get the comment).
 */

/** The outside world publishing needs, injected so tests run it against a local server and folder. */
export interface PublishDeps {
  log: Log
  env: GitHubEnv
  store: BaselineStore
  retry: RetryPolicy
  sticky: Pick<StickyOptions, 'settleMs' | 'confirmations' | 'maxRounds'>
}

export function publishDeps(log: Log, env: GitHubEnv, store: BaselineStore): PublishDeps {
  return { log, env, store, retry: DEFAULT_RETRY, sticky: DEFAULT_STICKY }
}

export function clientFor(token: string, d: PublishDeps): GitHubClient {
  return createClient(token, d.env.apiUrl, d.retry, d.log)
}

const reasonOf = (e: unknown): string => {
  const f = httpFailure(e)
  return f ? `GitHub answered ${f.status}: ${f.message}` : (e as Error).message
}

/**
 * The base branch's latest report for this leg, compared with this one.
 * Null when there is none (first run, cache unavailable); a broken baseline
 * is one warning, never a failure.
 */
export async function loadComparison(report: Report, leg: string, tolerance: number, d: PublishDeps): Promise<Comparison | null> {
  try {
    const raw = await d.store.restoreLatest(baselinePrefix(leg))
    if (raw === null || raw === undefined) {
      d.log.info(`No baseline report for '${leg}' from the base branch yet; it is saved by runs on the default branch.`)
      return null
    }
    return compareToBaseline(report, validateReport(raw, 'the baseline report'), tolerance)
  } catch (e) {
    d.log.warning(`Not compared with the base branch: ${(e as Error).message}`)
    return null
  }
}

export type CommentOutcome = 'written' | 'skipped' | 'fork' | 'read-only' | 'failed'

export interface PublishRequest {
  report: Report
  leg: string
  settings: PublishSettings
  comparison: Comparison | null
}

export interface PublishOutcome {
  baseline: 'saved' | 'skipped' | 'failed'
  comment: CommentOutcome
  issue: NightlyOutcome | 'skipped' | 'failed'
}

async function saveBaseline(r: PublishRequest, d: PublishDeps): Promise<PublishOutcome['baseline']> {
  if (!onDefaultBranch(d.env) || r.report.errors.length) return 'skipped'
  try {
    const saved = await d.store.save(baselineKey(r.leg, d.env.runId, d.env.runAttempt), r.report)
    if (saved) d.log.info(`Saved this report as the baseline for '${r.leg}'.`)
    return saved ? 'saved' : 'skipped'
  } catch (e) {
    d.log.warning(`The baseline report was not saved: ${(e as Error).message}`)
    return 'failed'
  }
}

async function comment(r: PublishRequest, d: PublishDeps, client: () => GitHubClient): Promise<CommentOutcome> {
  const { env, log } = d
  const pr = pullRequestOf(env)
  if (r.settings.comment === 'never' || !inWorkflow(env) || (r.settings.comment === 'auto' && !pr)) return 'skipped'
  if (pr && readOnlyFork(env.eventName, pr)) {
    log.notice(forkNotice(pr))
    return 'fork'
  }
  if (!r.settings.githubToken) {
    log.warning(`No PR comment: the github-token input is empty. The verdict, summary and exit status are unaffected.`)
    return 'failed'
  }
  try {
    const c = client()
    const numbers = pr ? [pr.number] : await pullRequestsForCommit(c, env.owner, env.repo, env.sha)
    if (numbers.length === 0) {
      log.info(`No open pull request has ${env.sha.slice(0, 12)} as its head; no PR comment.`)
      return 'skipped'
    }
    const section = renderSection({ leg: r.leg, report: r.report, comparison: r.comparison, runUrl: runUrl(env) })
    const identity = await resolveIdentity(c, log)
    for (const n of numbers) {
      const res = await upsertSections(c, { owner: env.owner, repo: env.repo, issueNumber: n }, [section], identity, { ...d.sticky, log, retry: d.retry })
      log.info(`PR #${n}: '${r.leg}' section written to ${res.url}`)
    }
    return 'written'
  } catch (e) {
    if (isForbidden(e)) {
      log.notice(readOnlyNotice('PR comment', httpFailure(e)?.message ?? ''))
      return 'read-only'
    }
    log.warning(`No PR comment: ${reasonOf(e)}. The verdict, summary and exit status are unaffected.`)
    return 'failed'
  }
}

async function nightly(r: PublishRequest, d: PublishDeps, client: () => GitHubClient): Promise<PublishOutcome['issue']> {
  const { env, log } = d
  if (!NIGHTLY_EVENTS.includes(env.eventName) || r.settings.comment === 'never' || !inWorkflow(env) || r.report.errors.length) return 'skipped'
  if (!r.settings.githubToken) {
    log.warning(`No nightly issue: the github-token input is empty.`)
    return 'failed'
  }
  try {
    const section = renderSection({ leg: r.leg, report: r.report, comparison: null, runUrl: runUrl(env) })
    const c = client()
    return (await nightlyIssue(c, { owner: env.owner, repo: env.repo, leg: r.leg, report: r.report, section, runUrl: runUrl(env) }, log, await resolveIdentity(c, log))).outcome
  } catch (e) {
    if (isForbidden(e)) log.warning(readOnlyNotice('nightly issue', httpFailure(e)?.message ?? ''))
    else log.warning(`The nightly issue was not updated: ${reasonOf(e)}. The verdict, summary and exit status are unaffected.`)
    return 'failed'
  }
}

/** Baseline, comment, nightly issue; never throws. */
export async function publish(r: PublishRequest, d: PublishDeps): Promise<PublishOutcome> {
  let made: GitHubClient | null = null
  const client = (): GitHubClient => (made ??= clientFor(r.settings.githubToken, d))
  const outcome: PublishOutcome = { baseline: 'skipped', comment: 'skipped', issue: 'skipped' }
  try {
    outcome.baseline = await saveBaseline(r, d)
    outcome.comment = await comment(r, d, client)
    outcome.issue = await nightly(r, d, client)
  } catch (e) {
    // Only a bug gets here; it must still not cost the verdict.
    d.log.warning(`Publishing failed: ${(e as Error).message}`)
  }
  return outcome
}
