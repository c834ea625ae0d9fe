import type { Log } from '../log.js'
import type { Report } from '../report/types.js'
import type { Section } from './comment.js'
import { clip } from './escape.js'
import { statusOf, type GitHubClient } from './github-client.js'
import { legId } from './leg.js'

/**
 * The nightly issue: on schedule and workflow_dispatch runs, a failing check
 * opens one issue per leg, later failures add a comment with the new
 * numbers, and the first pass closes it. The issue is found again by its
 * label (the issues list filtered by label, paginated) and a hidden marker
 * with the leg's id, so legs of a nightly matrix keep separate issues and
 * never race each other for one.
 */

export const NIGHTLY_LABEL = 'thread-scaling-check'
const LABEL_COLOR = 'd93f0b'

export const nightlyMarker = (leg: string): string => `<!-- thread-scaling-check:nightly id=${legId(leg)} -->`

export type NightlyOutcome = 'opened' | 'updated' | 'closed' | 'unchanged'

export interface NightlyInput {
  owner: string
  repo: string
  leg: string
  report: Report
  /** This leg's rendered section: the numbers the issue shows. */
  section: Section
  runUrl: string
}

interface OpenIssue {
  number: number
}

/**
 * This leg's open issues: by label and marker, and written by us. Anyone
 * may open an issue with the label and the marker in its body; with no
 * login of ours known (null), no existing issue is taken as ours.
 */
async function findOpen(client: GitHubClient, i: NightlyInput, identity: string | null): Promise<OpenIssue[]> {
  if (identity === null) return []
  const marker = nightlyMarker(i.leg)
  const issues = await client.paginate(client.rest.issues.listForRepo, { owner: i.owner, repo: i.repo, state: 'open', labels: NIGHTLY_LABEL, per_page: 100 })
  return issues
    .filter(x => !x.pull_request && x.user?.login === identity && (x.body ?? '').includes(marker))
    .map(x => ({ number: x.number }))
    .sort((a, b) => a.number - b.number)
}

/** Creates the label unless it exists; two legs creating it at once is fine (422 already_exists). */
async function ensureLabel(client: GitHubClient, i: NightlyInput): Promise<void> {
  try {
    await client.rest.issues.createLabel({ owner: i.owner, repo: i.repo, name: NIGHTLY_LABEL, color: LABEL_COLOR, description: 'Opened by thread-scaling-check when the nightly check fails' })
  } catch (e) {
    const errors = (e as { response?: { data?: { errors?: { code?: string }[] } } }).response?.data?.errors
    if (statusOf(e) === 422 && errors?.some(x => x.code === 'already_exists')) return
    throw e
  }
}

const numbers = (i: NightlyInput): string => `${i.section.text}\n`

/** Opens, updates or closes this leg's issue for the verdict; returns what it did. */
export async function nightlyIssue(client: GitHubClient, i: NightlyInput, log: Log, identity: string | null): Promise<{ outcome: NightlyOutcome; issue: number | null }> {
  const open = await findOpen(client, i, identity)
  const { owner, repo } = i
  const verdict = i.report.verdict
  if (verdict === 'fail') {
    if (open.length) {
      const [issue, ...extra] = open
      await client.rest.issues.createComment({ owner, repo, issue_number: issue.number, body: `Still failing in [this run](${i.runUrl}):\n\n${numbers(i)}` })
      for (const x of extra) await client.rest.issues.update({ owner, repo, issue_number: x.number, state: 'closed', state_reason: 'duplicate' })
      log.info(`Nightly issue #${issue.number} updated with this run's numbers.`)
      return { outcome: 'updated', issue: issue.number }
    }
    await ensureLabel(client, i)
    const body = `${nightlyMarker(i.leg)}\nThe nightly thread-scaling check fails in [this run](${i.runUrl}). thread-scaling-check comments here on each later failure and closes the issue when the check passes again.\n\n${numbers(i)}`
    const { data } = await client.rest.issues.create({ owner, repo, title: `Thread scaling fails: ${clip(i.leg, 120)}`, body, labels: [NIGHTLY_LABEL] })
    log.info(`Nightly issue #${data.number} opened: ${data.html_url}`)
    return { outcome: 'opened', issue: data.number }
  }
  if ((verdict === 'pass' || verdict === 'skipped') && open.length) {
    for (const x of open) {
      await client.rest.issues.createComment({ owner, repo, issue_number: x.number, body: `Passes again in [this run](${i.runUrl}); closing.\n\n${numbers(i)}` })
      await client.rest.issues.update({ owner, repo, issue_number: x.number, state: 'closed', state_reason: 'completed' })
    }
    log.info(`Nightly issue #${open[0].number} closed: the check passes again.`)
    return { outcome: 'closed', issue: open[0].number }
  }
  return { outcome: 'unchanged', issue: open[0]?.number ?? null }
}
