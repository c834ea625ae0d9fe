import type { PullRequestRef } from './github-env.js'

/** The payload says a PR comes from a fork: its head repository differs from the base, or is gone. */
export function fromFork(pr: PullRequestRef): boolean {
  return pr.headRepo === null || pr.baseRepo === null || pr.headRepo.toLowerCase() !== pr.baseRepo.toLowerCase()
}

/**
 * A pull_request run from a fork has a read-only GITHUB_TOKEN, so a comment
 * can only fail; skip it up front. (pull_request_target runs in the base
 * repository with a writable token, fork or not.)
 */
export function readOnlyFork(eventName: string, pr: PullRequestRef): boolean {
  return eventName === 'pull_request' && fromFork(pr)
}

const HOW_TO = `The verdict, the step summary and the exit status are unaffected. To get the comment on such pull requests, upload the JSON report with actions/upload-artifact and add the workflow_run workflow that runs this action with 'mode: comment' (README: "Pull requests from forks").`

/** The one notice for a PR from a fork: why there is no comment, and how to get one. */
export function forkNotice(pr: PullRequestRef): string {
  return `No PR comment: pull request #${pr.number} comes from a fork (${pr.headRepo ?? 'a deleted repository'}), and GitHub gives such runs a read-only token. ${HOW_TO}`
}

/** The one notice for a token that may not write (403): why, and how to get one. */
export function readOnlyNotice(target: string, message: string): string {
  return `No ${target}: the token may not write to this repository (GitHub answered 403: ${message}). Give the job 'permissions: pull-requests: write' (and 'issues: write' for the nightly issue). For pull requests from forks the token is always read-only: ${HOW_TO}`
}
