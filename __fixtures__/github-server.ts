/**
 * A real HTTP server on 127.0.0.1 that plays the GitHub REST API for the
 * calls thread-scaling-check makes: issue comments, issues, labels, PRs by
 * commit, workflow run artifacts (with the zip download's redirect) and
 * GET /user. Every request is checked against GitHub's published OpenAPI
 * description (method, path, path and query parameters, JSON body); a
 * mismatch answers 400 and is recorded in `violations`, which the tests
 * assert empty. Responses are built in the documented shapes and validated
 * too. Faults (403 read-only, 5xx, secondary rate limits) are injected on
 * demand; a random latency makes concurrent clients interleave.
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { openApi, type Json, type Operation } from './openapi.js'

export interface Account {
  login: string
  id: number
  type: 'User' | 'Bot'
}

export interface TokenSpec {
  account: Account
  /** False: every write answers 403 "Resource not accessible by integration" (a fork PR's token). */
  write: boolean
  /** False: GET /user answers 403, as it does for installation tokens such as GITHUB_TOKEN. */
  userEndpoint: boolean
  /** False: GraphQL's viewer answers an error (an old GHES); true or absent: it names the account. */
  viewer?: boolean
}

export const ACTIONS_BOT: Account = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' }
export const HUMAN: Account = { login: 'mona', id: 583231, type: 'User' }
/** A GitHub App's installation token writes as the app's own bot. */
export const APP_BOT: Account = { login: 'tsc-app[bot]', id: 90001, type: 'Bot' }
export const TOKENS = { installation: 'ghs_installation', readOnly: 'ghs_readonly', user: 'ghp_user', app: 'ghs_app', appNoViewer: 'ghs_app_noviewer' } as const

export interface Fault {
  method?: string
  path?: RegExp
  status: number
  headers?: Record<string, string>
  message?: string
  /** How many matching requests get the fault (default 1). */
  times?: number
}

interface CommentRec {
  id: number
  issue: number
  body: string
  user: Account
  created: number
  updated: number
}

interface IssueRec {
  number: number
  title: string
  body: string
  state: 'open' | 'closed'
  stateReason: string | null
  labels: string[]
  user: Account
  pull: { headSha: string; headRepo: string; baseRepo: string } | null
  created: number
  closed: number | null
}

interface ArtifactRec {
  id: number
  runId: number
  name: string
  zip: Buffer
  expired: boolean
  /** Size the listing claims, when it should differ from the zip's. */
  claimedSize?: number
}

export interface Recorded {
  method: string
  path: string
  status: number
  token: string
  body: unknown
}

const DOCS = 'https://docs.github.com/rest'
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, Json> = {},
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
  }
}

export class FakeGitHub {
  readonly owner = 'octo-org'
  readonly repo = 'octo-repo'
  /** Base URL: what GITHUB_API_URL is set to. */
  url = ''
  /** Each request waits a random time in this range before it is handled. */
  latencyMs: [number, number] = [0, 0]
  violations: string[] = []
  requests: Recorded[] = []
  /** Called after each request is handled (and before the answer is sent): lets a test act between two requests. */
  onRequest: ((r: Recorded) => void) | null = null
  tokens = new Map<string, TokenSpec>([
    [TOKENS.installation, { account: ACTIONS_BOT, write: true, userEndpoint: false }],
    [TOKENS.readOnly, { account: ACTIONS_BOT, write: false, userEndpoint: false }],
    [TOKENS.user, { account: HUMAN, write: true, userEndpoint: true }],
    [TOKENS.app, { account: APP_BOT, write: true, userEndpoint: false }],
    [TOKENS.appNoViewer, { account: APP_BOT, write: true, userEndpoint: false, viewer: false }]
  ])
  comments: CommentRec[] = []
  issues: IssueRec[] = []
  labels: { id: number; name: string; color: string; description: string | null }[] = []
  artifacts: ArtifactRec[] = []
  private faults: Fault[] = []
  private nextId = 9000
  private clock = Date.parse('2026-11-21T08:00:00Z')
  private readonly server = http.createServer((req, res) => void this.handle(req, res))
  private readonly api = openApi()

  async start(): Promise<this> {
    await new Promise<void>(resolve => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
  }

  /** Forgets all state, faults and records; keeps the port. */
  reset(): void {
    this.comments = []
    this.issues = []
    this.labels = []
    this.artifacts = []
    this.faults = []
    this.requests = []
    this.violations = []
    this.latencyMs = [0, 0]
    this.onRequest = null
  }

  inject(fault: Fault): void {
    this.faults.push({ times: 1, ...fault })
  }

  private id(): number {
    return ++this.nextId
  }

  private now(): number {
    return (this.clock += 1000)
  }

  /** A pull request; `fork` makes its head live in another repository. */
  addPull(headSha: string, fork = false): number {
    const number = this.issues.length + 1
    this.issues.push({ number, title: `PR ${number}`, body: '', state: 'open', stateReason: null, labels: [], user: HUMAN, pull: { headSha, headRepo: fork ? `forker/${this.repo}` : `${this.owner}/${this.repo}`, baseRepo: `${this.owner}/${this.repo}` }, created: this.now(), closed: null })
    return number
  }

  addComment(issue: number, body: string, user: Account): CommentRec {
    const c = { id: this.id(), issue, body, user, created: this.now(), updated: this.clock }
    this.comments.push(c)
    return c
  }

  addArtifact(runId: number, name: string, zip: Buffer, opts: { expired?: boolean; claimedSize?: number } = {}): void {
    this.artifacts.push({ id: this.id(), runId, name, zip, expired: opts.expired ?? false, claimedSize: opts.claimedSize })
  }

  commentsOn(issue: number): CommentRec[] {
    return this.comments.filter(c => c.issue === issue)
  }

  // ---- shapes -------------------------------------------------------------

  private user(a: Account): Json {
    return { login: a.login, id: a.id, node_id: `U_${a.id}`, type: a.type, site_admin: false, html_url: `https://github.com/${a.login}`, url: `${this.url}/users/${a.login}` }
  }

  private comment(c: CommentRec): Json {
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${this.url}/repos/${this.owner}/${this.repo}/issues/comments/${c.id}`,
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${this.url}/repos/${this.owner}/${this.repo}/issues/${c.issue}`,
      body: c.body,
      user: this.user(c.user),
      created_at: iso(c.created),
      updated_at: iso(c.updated),
      author_association: c.user.type === 'Bot' ? 'NONE' : 'MEMBER'
    }
  }

  private label(name: string): Json {
    const l = this.labels.find(x => x.name === name)
    return { id: l?.id ?? 0, node_id: `LA_${l?.id ?? 0}`, url: `${this.url}/repos/${this.owner}/${this.repo}/labels/${encodeURIComponent(name)}`, name, description: l?.description ?? null, color: l?.color ?? 'ededed', default: false }
  }

  private issue(i: IssueRec): Json {
    const base = `${this.url}/repos/${this.owner}/${this.repo}/issues/${i.number}`
    return {
      id: 100000 + i.number,
      node_id: `I_${i.number}`,
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      state_reason: i.stateReason,
      labels: i.labels.map(l => this.label(l)),
      user: this.user(i.user),
      assignee: null,
      milestone: null,
      locked: false,
      comments: this.commentsOn(i.number).length,
      url: base,
      html_url: `https://github.com/${this.owner}/${this.repo}/${i.pull ? 'pull' : 'issues'}/${i.number}`,
      repository_url: `${this.url}/repos/${this.owner}/${this.repo}`,
      labels_url: `${base}/labels{/name}`,
      comments_url: `${base}/comments`,
      events_url: `${base}/events`,
      created_at: iso(i.created),
      updated_at: iso(i.closed ?? i.created),
      closed_at: i.closed === null ? null : iso(i.closed),
      author_association: 'MEMBER',
      ...(i.pull ? { pull_request: { url: `${this.url}/repos/${this.owner}/${this.repo}/pulls/${i.number}`, html_url: null, diff_url: null, patch_url: null } } : {})
    }
  }

  private pull(i: IssueRec): Json {
    const p = i.pull!
    const repo = (full: string): Json => ({ id: full.length, name: full.split('/')[1], full_name: full, private: false, fork: full !== p.baseRepo, owner: this.user({ login: full.split('/')[0], id: 7, type: 'User' }) })
    return {
      id: 200000 + i.number,
      number: i.number,
      state: i.state,
      title: i.title,
      body: null,
      user: this.user(i.user),
      labels: [],
      head: { sha: p.headSha, ref: 'feature', label: `${p.headRepo.split('/')[0]}:feature`, repo: repo(p.headRepo), user: this.user(HUMAN) },
      base: { sha: '0'.repeat(40), ref: 'main', label: `${this.owner}:main`, repo: repo(p.baseRepo), user: this.user(HUMAN) },
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${i.number}`,
      url: `${this.url}/repos/${this.owner}/${this.repo}/pulls/${i.number}`,
      created_at: iso(i.created),
      updated_at: iso(i.created),
      author_association: 'CONTRIBUTOR'
    }
  }

  private artifact(a: ArtifactRec): Json {
    const url = `${this.url}/repos/${this.owner}/${this.repo}/actions/artifacts/${a.id}`
    return { id: a.id, node_id: `A_${a.id}`, name: a.name, size_in_bytes: a.claimedSize ?? a.zip.length, url, archive_download_url: `${url}/zip`, expired: a.expired, created_at: iso(this.clock), expires_at: iso(this.clock + 86400000), updated_at: iso(this.clock), workflow_run: { id: a.runId } }
  }

  // ---- requests -----------------------------------------------------------

  private paginate<T>(items: T[], query: URLSearchParams, pathname: string): { page: T[]; link: string | null } {
    const perPage = Math.min(100, Number(query.get('per_page') ?? 30))
    const page = Number(query.get('page') ?? 1)
    const last = Math.max(1, Math.ceil(items.length / perPage))
    const at = (n: number): string => {
      const q = new URLSearchParams(query)
      q.set('page', String(n))
      return `<${this.url}${pathname}?${q}>`
    }
    const rels = [...(page < last ? [`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`] : []), ...(page > 1 ? [`${at(1)}; rel="first"`, `${at(page - 1)}; rel="prev"`] : [])]
    return { page: items.slice((page - 1) * perPage, page * perPage), link: rels.length ? rels.join(', ') : null }
  }

  private findIssue(n: string): IssueRec {
    const i = this.issues.find(x => x.number === Number(n))
    if (!i) throw new HttpError(404, 'Not Found')
    return i
  }

  private findComment(id: string): CommentRec {
    const c = this.comments.find(x => x.id === Number(id))
    if (!c) throw new HttpError(404, 'Not Found')
    return c
  }

  /** Runs the operation; returns [status, body, headers]. */
  private route(op: Operation, token: TokenSpec, query: URLSearchParams, body: Record<string, unknown>, pathname: string): [number, Json | Buffer | null, Record<string, string>] {
    const p = op.params
    if (p.owner !== undefined && (p.owner !== this.owner || p.repo !== this.repo)) throw new HttpError(404, 'Not Found')
    switch (op.operationId) {
      case 'users/get-authenticated':
        if (!token.userEndpoint) throw new HttpError(403, 'Resource not accessible by integration')
        return [200, { ...(this.user(token.account) as Record<string, Json>), name: null, email: null, public_repos: 0, followers: 0, following: 0, created_at: iso(this.clock), updated_at: iso(this.clock), user_view_type: 'private' }, {}]
      case 'issues/list-comments': {
        this.findIssue(p.issue_number)
        const { page, link } = this.paginate(this.commentsOn(Number(p.issue_number)).sort((a, b) => a.id - b.id), query, pathname)
        return [200, page.map(c => this.comment(c)), link ? { link } : {}]
      }
      case 'issues/create-comment': {
        this.findIssue(p.issue_number)
        return [201, this.comment(this.addComment(Number(p.issue_number), String(body.body), token.account)), {}]
      }
      case 'issues/get-comment':
        return [200, this.comment(this.findComment(p.comment_id)), {}]
      case 'issues/update-comment': {
        const c = this.findComment(p.comment_id)
        c.body = String(body.body)
        c.updated = this.now()
        return [200, this.comment(c), {}]
      }
      case 'issues/delete-comment': {
        const c = this.findComment(p.comment_id)
        this.comments = this.comments.filter(x => x !== c)
        return [204, null, {}]
      }
      case 'issues/list-for-repo': {
        const state = query.get('state') ?? 'open'
        const wanted = (query.get('labels') ?? '').split(',').filter(Boolean)
        const list = this.issues.filter(i => (state === 'all' || i.state === state) && wanted.every(l => i.labels.includes(l))).sort((a, b) => b.created - a.created)
        const { page, link } = this.paginate(list, query, pathname)
        return [200, page.map(i => this.issue(i)), link ? { link } : {}]
      }
      case 'issues/create': {
        const labels = ((body.labels ?? []) as (string | { name?: string })[]).map(l => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean)
        for (const l of labels) if (!this.labels.some(x => x.name === l)) this.labels.push({ id: this.id(), name: l, color: 'ededed', description: null })
        const i: IssueRec = { number: this.issues.length + 1, title: String(body.title), body: String(body.body ?? ''), state: 'open', stateReason: null, labels, user: token.account, pull: null, created: this.now(), closed: null }
        this.issues.push(i)
        return [201, this.issue(i), {}]
      }
      case 'issues/update': {
        const i = this.findIssue(p.issue_number)
        if (typeof body.title === 'string') i.title = body.title
        if (typeof body.body === 'string') i.body = body.body
        if (body.state === 'closed' && i.state === 'open') {
          i.state = 'closed'
          i.closed = this.now()
          i.stateReason = typeof body.state_reason === 'string' ? body.state_reason : 'completed'
        } else if (body.state === 'open') {
          i.state = 'open'
          i.closed = null
          i.stateReason = 'reopened'
        }
        return [200, this.issue(i), {}]
      }
      case 'issues/create-label': {
        const name = String(body.name)
        if (this.labels.some(l => l.name.toLowerCase() === name.toLowerCase())) throw new HttpError(422, 'Validation Failed', { errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }] })
        this.labels.push({ id: this.id(), name, color: String(body.color ?? 'ededed'), description: typeof body.description === 'string' ? body.description : null })
        return [201, this.label(name), { location: `${this.url}/repos/${this.owner}/${this.repo}/labels/${encodeURIComponent(name)}` }]
      }
      case 'repos/list-pull-requests-associated-with-commit': {
        const list = this.issues.filter(i => i.pull?.headSha === p.commit_sha)
        const { page, link } = this.paginate(list, query, pathname)
        return [200, page.map(i => this.pull(i)), link ? { link } : {}]
      }
      case 'actions/list-workflow-run-artifacts': {
        const list = this.artifacts.filter(a => a.runId === Number(p.run_id))
        const { page, link } = this.paginate(list, query, pathname)
        return [200, { total_count: list.length, artifacts: page.map(a => this.artifact(a)) }, link ? { link } : {}]
      }
      case 'actions/download-artifact': {
        const a = this.artifacts.find(x => x.id === Number(p.artifact_id))
        if (!a || p.archive_format !== 'zip') throw new HttpError(404, 'Not Found')
        if (a.expired) throw new HttpError(410, 'Artifact has expired')
        // GitHub answers with a redirect to a short-lived storage URL; this one is on the same server.
        return [302, null, { location: `${this.url}/_storage/artifacts/${a.id}.zip?sig=fake` }]
      }
      default:
        this.violations.push(`${op.method.toUpperCase()} ${pathname}: ${op.operationId} is described by GitHub but not played by this fake`)
        throw new HttpError(501, `${op.operationId} is not implemented by the fake server`)
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    const [lo, hi] = this.latencyMs
    if (hi > 0) await new Promise(r => setTimeout(r, lo + Math.random() * (hi - lo)))
    const url = new URL(req.url ?? '/', this.url)
    const method = req.method ?? 'GET'
    const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? ''
    const record = (status: number, body: unknown): void => {
      const r = { method, path: url.pathname, status, token: auth, body }
      this.requests.push(r)
      this.onRequest?.(r)
    }
    const send = (status: number, body: Json | Buffer | null, headers: Record<string, string> = {}): void => {
      const isZip = Buffer.isBuffer(body)
      res.writeHead(status, { ...(body === null ? {} : { 'content-type': isZip ? 'application/zip' : 'application/json; charset=utf-8' }), 'x-github-api-version-selected': '2022-11-28', ...headers })
      res.end(body === null ? undefined : isZip ? body : JSON.stringify(body))
    }

    // The storage URL the artifact redirect points at: not part of the REST API.
    const blob = /^\/_storage\/artifacts\/(\d+)\.zip$/.exec(url.pathname)
    if (blob && method === 'GET') {
      const a = this.artifacts.find(x => x.id === Number(blob[1]))
      record(a ? 200 : 404, null)
      return a ? send(200, a.zip) : send(404, { message: 'BlobNotFound' })
    }

    // GraphQL: only `query { viewer { login } }` is played, as installation tokens may ask it.
    if (url.pathname === '/graphql' && method === 'POST') {
      const token = this.tokens.get(auth)
      const query = String((JSON.parse(raw || '{}') as { query?: unknown }).query ?? '')
      record(token ? 200 : 401, raw)
      if (!token) return send(401, { message: 'Bad credentials', documentation_url: DOCS })
      if (!/^\s*query\s*\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$/.test(query)) {
        this.violations.push(`POST /graphql: query not played by this fake: ${query}`)
        return send(200, { errors: [{ message: 'not played' }] })
      }
      if (token.viewer === false) return send(200, { data: null, errors: [{ type: 'FORBIDDEN', path: ['viewer'], message: 'Resource not accessible by integration' }] })
      return send(200, { data: { viewer: { login: token.account.login } } })
    }

    const op = this.api.match(method, url.pathname)
    let body: unknown
    try {
      body = raw ? JSON.parse(raw) : undefined
    } catch {
      body = raw
    }
    if (typeof op === 'string') {
      this.violations.push(`${method} ${url.pathname}: ${op}`)
      record(404, body)
      return send(404, { message: 'Not Found', documentation_url: DOCS })
    }
    const problems = this.api.checkRequest(op, url.searchParams, body, raw.length > 0)
    if (problems.length) {
      this.violations.push(...problems.map(p => `${method} ${url.pathname}: ${p}`))
      record(400, body)
      return send(400, { message: `Request does not match GitHub's description: ${problems.join('; ')}`, documentation_url: DOCS })
    }
    try {
      const token = this.tokens.get(auth)
      if (!token) throw new HttpError(401, 'Bad credentials')
      const fault = this.faults.find(f => (f.times ?? 1) > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(url.pathname)))
      if (fault) {
        fault.times = (fault.times ?? 1) - 1
        throw new HttpError(fault.status, fault.message ?? (fault.status >= 500 ? 'Server Error' : 'Forbidden'), {}, fault.headers)
      }
      if (method !== 'GET' && !token.write) throw new HttpError(403, 'Resource not accessible by integration')
      const [status, out, headers] = this.route(op, token, url.searchParams, (body ?? {}) as Record<string, unknown>, url.pathname)
      const checked = out === null || Buffer.isBuffer(out) ? out : this.api.response(op, status, out)
      record(status, body)
      send(status, checked, headers)
    } catch (e) {
      if (e instanceof HttpError) {
        record(e.status, body)
        return send(e.status, { message: e.message, documentation_url: DOCS, status: String(e.status), ...e.extra }, e.headers)
      }
      this.violations.push(`${method} ${url.pathname}: ${(e as Error).message}`)
      record(500, body)
      send(500, { message: (e as Error).message })
    }
  }
}

/** Starts a fake on a random port. */
export async function startFakeGitHub(): Promise<FakeGitHub> {
  return new FakeGitHub().start()
}
