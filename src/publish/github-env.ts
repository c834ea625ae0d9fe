import * as fs from 'node:fs'

/**
 * What the runner tells a step about its run: the GITHUB_* variables and the
 * event payload file. Read at call time from an env object (not through
 * @actions/github's module-level context) so tests can point a run at a
 * local server and a payload file of their own.
 */
export interface GitHubEnv {
  eventName: string
  /** The webhook payload of the triggering event; {} when there is none. */
  payload: Record<string, unknown>
  owner: string
  repo: string
  runId: number
  runAttempt: number
  sha: string
  ref: string
  /** REST base URL, GITHUB_API_URL on a runner. */
  apiUrl: string
  serverUrl: string
}

/** Reads a nested field of parsed JSON without trusting its shape. */
export function field(value: unknown, ...keys: string[]): unknown {
  let v = value
  for (const k of keys) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined
    v = (v as Record<string, unknown>)[k]
  }
  return v
}

export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
export const int = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null)

function readPayload(file: string | undefined): Record<string, unknown> {
  if (!file) return {}
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'))
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

export function readGitHubEnv(env: NodeJS.ProcessEnv = process.env): GitHubEnv {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/')
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    payload: readPayload(env.GITHUB_EVENT_PATH),
    owner,
    repo,
    runId: Number(env.GITHUB_RUN_ID) || 0,
    runAttempt: Number(env.GITHUB_RUN_ATTEMPT) || 1,
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  }
}

/** True when the variables name a repository and a run, i.e. this is a workflow run, not a laptop. */
export function inWorkflow(g: GitHubEnv): boolean {
  return !!(g.owner && g.repo && g.eventName)
}

export function runUrl(g: GitHubEnv, runId = g.runId): string {
  return `${g.serverUrl}/${g.owner}/${g.repo}/actions/runs/${runId}`
}

export const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target']
export const NIGHTLY_EVENTS = ['schedule', 'workflow_dispatch']

export interface PullRequestRef {
  number: number
  /** owner/name of the head repository; null when the fork was deleted. */
  headRepo: string | null
  baseRepo: string | null
  headSha: string | null
}

/** The pull request of a pull_request(_target) event, from its payload. */
export function pullRequestOf(g: GitHubEnv): PullRequestRef | null {
  const pr = field(g.payload, 'pull_request')
  const number = int(field(pr, 'number'))
  if (!PULL_REQUEST_EVENTS.includes(g.eventName) || number === null) return null
  return {
    number,
    headRepo: str(field(pr, 'head', 'repo', 'full_name')),
    baseRepo: str(field(pr, 'base', 'repo', 'full_name')),
    headSha: str(field(pr, 'head', 'sha'))
  }
}

/** The repository's default branch, as the payload states it (push, workflow_dispatch, pull_request...). */
export function defaultBranchOf(g: GitHubEnv): string | null {
  return str(field(g.payload, 'repository', 'default_branch'))
}

/**
 * Whether this run is on the default branch, the one whose reports become
 * the baseline. Schedules only ever run on the default branch, and their
 * payload may not name it.
 */
export function onDefaultBranch(g: GitHubEnv): boolean {
  if (!['push', ...NIGHTLY_EVENTS].includes(g.eventName)) return false
  const branch = defaultBranchOf(g)
  return branch ? g.ref === `refs/heads/${branch}` : g.eventName === 'schedule'
}

export interface WorkflowRunRef {
  id: number
  headSha: string
  /** The event that started the triggering run ('pull_request', ...). */
  event: string
  /** PR numbers GitHub attached to the run: empty for PRs from forks. */
  pullRequests: number[]
  /** When the run was created and last updated (ms since epoch), from GitHub's payload; null if absent. */
  createdAt: number | null
  updatedAt: number | null
}

function time(value: unknown): number | null {
  const t = typeof value === 'string' ? Date.parse(value) : NaN
  return Number.isFinite(t) ? t : null
}

export function workflowRunOf(g: GitHubEnv): WorkflowRunRef | null {
  const run = field(g.payload, 'workflow_run')
  const id = int(field(run, 'id'))
  const headSha = str(field(run, 'head_sha'))
  if (g.eventName !== 'workflow_run' || id === null || !headSha) return null
  const prs = field(run, 'pull_requests')
  return {
    id,
    headSha,
    event: str(field(run, 'event')) ?? '',
    pullRequests: Array.isArray(prs) ? prs.map(p => int(field(p, 'number'))).filter((n): n is number => n !== null) : [],
    createdAt: time(field(run, 'created_at')),
    updatedAt: time(field(run, 'updated_at'))
  }
}
