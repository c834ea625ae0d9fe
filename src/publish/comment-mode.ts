import { InputError } from '../config/parse.js'
import type { PublishSettings } from '../config/settings.js'
import { Inputs } from '../constants.js'
import { ICON } from '../report/format.js'
import { collectReports, DEFAULT_ARTIFACT_LIMITS, type ArtifactLimits, type FoundReport, type Rejected } from './artifacts.js'
import { renderSection, type Section } from './comment.js'
import { resolveIdentity, upsertSections } from './sticky-comment.js'
import { clip, inline } from './escape.js'
import { readOnlyNotice } from './fork.js'
import { httpFailure, isForbidden } from './github-client.js'
import { runUrl, workflowRunOf, type WorkflowRunRef } from './github-env.js'
import { defaultLeg } from './leg.js'
import { clientFor, loadComparison, type PublishDeps } from './publish.js'
import { pullRequestsForCommit } from './pulls.js'

/**
 * `mode: comment`, the second half of the fork-safe pair. It runs in a
 * workflow_run workflow, which has a writable token even when the checked
 * run came from a fork, and it only reads: the triggering run's artifacts
 * (untrusted; see artifacts.ts), never its code. It finds the PR by the
 * run's head commit and writes one section per report into the sticky
 * comment, the same comment a same-repository run would write.
 */

export interface CommentModeResult {
  /** PR numbers commented on. */
  pulls: number[]
  sections: Section[]
  /** Markdown for the step summary. */
  summary: string
}

/**
 * Each report's section name: the one check mode wrote beside it, else one
 * derived from its runner facts. Two reports that would still share a
 * section are told apart by their artifact's name.
 */
function legsFor(found: FoundReport[]): string[] {
  const base = found.map(f => f.leg ?? defaultLeg(f.report.runner))
  return base.map((leg, i) => (base.indexOf(leg) !== base.lastIndexOf(leg) ? `${leg} (${found[i].artifact})` : leg))
}

/** A report made this long before its run started, or after it ended, is refused: clocks differ, runs don't. */
const RUN_SLACK_MS = 10 * 60_000
/** Refused files listed one by one, in the step summary and as warnings; the rest get one line. */
const MAX_LISTED = 20
const MAX_WARNINGS = 10

/**
 * Each report's section time, from GitHub, never from the report: the
 * artifact's time when it lies within the run, else the run's. A report
 * whose own createdAt lies outside the run is refused (a fork can write
 * any date; one far in the future would win every later merge).
 */
function timed(found: FoundReport[], run: WorkflowRunRef, rejected: Rejected[]): { f: FoundReport; at: number }[] {
  const from = run.createdAt
  const to = run.updatedAt ?? Date.now()
  const within = (t: number | null): t is number => t !== null && (from === null || t >= from - RUN_SLACK_MS) && t <= to + RUN_SLACK_MS
  const out: { f: FoundReport; at: number }[] = []
  for (const f of found) {
    const made = Date.parse(f.report.createdAt)
    if (from !== null && !within(Number.isFinite(made) ? made : null)) {
      rejected.push({ artifact: f.artifact, file: f.file, reason: `its createdAt ${clip(f.report.createdAt, 40)} lies outside run ${run.id} (${new Date(from).toISOString()} to ${new Date(to).toISOString()})` })
      continue
    }
    out.push({ f, at: within(f.artifactAt) ? f.artifactAt : to })
  }
  return out
}

export async function runCommentMode(s: PublishSettings, d: PublishDeps, limits: ArtifactLimits = DEFAULT_ARTIFACT_LIMITS): Promise<CommentModeResult> {
  const { env, log } = d
  const run = workflowRunOf(env)
  if (!run) {
    throw new InputError(Inputs.Mode, `'comment' posts the reports of the run that triggered a workflow_run event, but this run was started by '${env.eventName || 'no event'}'. Use it in a workflow with 'on: workflow_run' (README: "Pull requests from forks"), and 'check' everywhere else.`)
  }
  if (!s.githubToken) throw new InputError(Inputs.GithubToken, `is empty; 'mode: comment' needs a token that may read the run's artifacts and write PR comments (permissions: actions: read, pull-requests: write).`)
  const empty = (summary: string): CommentModeResult => ({ pulls: [], sections: [], summary })
  if (s.comment === 'never') return empty(`comment: never; nothing posted for run ${run.id}.\n`)
  // Like check mode: auto comments for pull request runs; always also for a push whose commit heads an open PR.
  if (s.comment === 'auto' && !run.event.startsWith('pull_request')) return empty(`Run ${run.id} was started by '${run.event}', not by a pull request; nothing posted (comment: auto).\n`)

  const client = clientFor(s.githubToken, d)
  const collected = await collectReports(client, env.owner, env.repo, run.id, limits, log)
  const rejected = collected.rejected
  const dated = timed(collected.reports, run, rejected)
  const reports = dated.map(d => d.f)
  for (const r of rejected.slice(0, MAX_WARNINGS)) log.warning(`Artifact '${r.artifact}'${r.file ? `, file '${r.file}'` : ''} was not used: ${r.reason}`)
  if (rejected.length > MAX_WARNINGS) log.warning(`${rejected.length - MAX_WARNINGS} more artifact file(s) were not used; the step summary lists the first ${MAX_LISTED}.`)
  const rejectedList = rejected.slice(0, MAX_LISTED).map(r => `- ${inline(r.artifact, 100)}${r.file ? ` / ${inline(r.file, 100)}` : ''}: ${inline(r.reason, 300)}`)
  if (rejected.length > MAX_LISTED) rejectedList.push(`- …and ${rejected.length - MAX_LISTED} more not used, not listed here.`)
  if (reports.length === 0) {
    log.info(`Run ${run.id} uploaded no thread-scaling-check report; nothing to post.`)
    return empty([`No thread-scaling-check report among the artifacts of [run ${run.id}](${runUrl(env, run.id)}).`, '', ...rejectedList, ''].join('\n'))
  }
  const pulls = await pullRequestsForCommit(client, env.owner, env.repo, run.headSha, run.pullRequests)
  if (pulls.length === 0) {
    log.info(`No open pull request has ${run.headSha.slice(0, 12)} as its head; nothing to post.`)
    return empty(`No open pull request has commit ${run.headSha.slice(0, 12)} as its head; ${reports.length} report(s) not posted.\n`)
  }

  const legs = legsFor(reports)
  const sections: Section[] = []
  for (const [i, f] of reports.entries()) {
    const comparison = run.event.startsWith('pull_request') ? await loadComparison(f.report, legs[i], s.regressionTolerance, d) : null
    sections.push(renderSection({ leg: legs[i], report: f.report, comparison, runUrl: runUrl(env, run.id), at: dated[i].at }))
  }
  try {
    const identity = await resolveIdentity(client, log)
    for (const n of pulls) {
      const res = await upsertSections(client, { owner: env.owner, repo: env.repo, issueNumber: n }, sections, identity, { ...d.sticky, log, retry: d.retry })
      log.info(`PR #${n}: ${sections.length} section(s) written to ${res.url}`)
    }
  } catch (e) {
    if (isForbidden(e)) throw new Error(readOnlyNotice('PR comment', httpFailure(e)?.message ?? ''))
    throw e
  }
  const summary = [
    `## thread-scaling-check: ${sections.length} report(s) from [run ${run.id}](${runUrl(env, run.id)}) posted to ${pulls.map(n => `#${n}`).join(', ')}`,
    '',
    ...reports.map((f, i) => `- ${ICON[f.report.verdict]} ${inline(legs[i], 100)}: ${f.report.verdict}`),
    ...(rejectedList.length ? ['', '### Not used', '', ...rejectedList] : []),
    ''
  ].join('\n')
  return { pulls, sections, summary }
}
