/**
 * The sticky comment against the fake server: found by marker and author
 * across pages, updated in place, only this leg's section changing, a
 * stale write repaired, duplicates merged, and failing writes re-read.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { ACTIONS_BOT, APP_BOT, HUMAN, startFakeGitHub, TOKENS, type FakeGitHub } from '../../__fixtures__/github-server.js'
import { githubEnv, legReport, testDeps, type TestDeps } from '../../__fixtures__/publish.js'
import { isSticky, parseSections, renderComment, renderSection, STICKY_MARKER, type Section } from '../../src/publish/comment.js'
import { resolveIdentity, upsertSections, type Target } from '../../src/publish/sticky-comment.js'
import { clientFor } from '../../src/publish/publish.js'
import { defaultLeg } from '../../src/publish/leg.js'

let server: FakeGitHub
let deps: TestDeps
let target: Target
beforeAll(async () => {
  server = await startFakeGitHub()
})
afterAll(() => server.close())
beforeEach(() => {
  server.reset()
  deps = testDeps(githubEnv(server, 'pull_request', {}))
  target = { owner: server.owner, repo: server.repo, issueNumber: server.addPull('d'.repeat(40)) }
})
afterEach(() => expect(server.violations).toEqual([]))

const section = (i: number, kind?: 'pass' | 'fail-timing'): Section => {
  const report = legReport(i, kind)
  return renderSection({ leg: defaultLeg(report.runner), report, comparison: null, runUrl: null })
}
const BOT_LOGIN = ACTIONS_BOT.login
const write = (sections: Section[], token: string = TOKENS.installation, identity: string | null = BOT_LOGIN) => upsertSections(clientFor(token, deps), target, sections, identity, { ...deps.sticky, log: deps.log, retry: deps.retry })
const sticky = () => server.commentsOn(target.issueNumber).filter(c => isSticky(c.body) && c.user.login === ACTIONS_BOT.login)

describe('upsertSections', () => {
  it('creates the comment once, then updates it in place; only the writing leg\'s section changes', async () => {
    const first = await write([section(0), section(1)])
    const before = parseSections(sticky()[0].body)
    const changed = section(1, 'fail-timing')
    changed.at += 1000
    const second = await write([changed])
    expect(second.commentId).toBe(first.commentId)
    expect(sticky()).toHaveLength(1)
    const after = parseSections(sticky()[0].body)
    expect(after.find(s => s.id === section(0).id)).toEqual(before.find(s => s.id === section(0).id))
    expect(after.find(s => s.id === changed.id)?.text).toBe(changed.text)
    expect(server.requests.filter(r => r.method === 'POST')).toHaveLength(1)
  })

  it('ignores marker comments by anyone else, on any page', async () => {
    for (let i = 0; i < 120; i++) server.addComment(target.issueNumber, `chatter ${i}`, HUMAN)
    const forged = server.addComment(target.issueNumber, renderComment([section(3)]), HUMAN)
    await write([section(0)])
    expect(sticky()).toHaveLength(1)
    expect(server.comments.find(c => c.id === forged.id)?.body).toBe(renderComment([section(3)]))
    expect(parseSections(sticky()[0].body).map(s => s.id)).toEqual([section(0).id])
  })

  it('writes as the identity GET /user names for a user token, and as GraphQL\'s viewer names for an installation token', async () => {
    expect(await resolveIdentity(clientFor(TOKENS.user, deps), deps.log)).toBe(HUMAN.login)
    expect(await resolveIdentity(clientFor(TOKENS.installation, deps), deps.log)).toBe(BOT_LOGIN)
    expect(await resolveIdentity(clientFor(TOKENS.app, deps), deps.log)).toBe(APP_BOT.login)
    await write([section(0)], TOKENS.user, HUMAN.login)
    await write([section(1)], TOKENS.user, HUMAN.login)
    const mine = server.commentsOn(target.issueNumber).filter(c => isSticky(c.body))
    expect(mine).toHaveLength(1)
    expect(mine[0].user.login).toBe(HUMAN.login)
  })

  it('a GitHub App token never adopts the comment GITHUB_TOKEN wrote, forged sections and all', async () => {
    const forged = section(3)
    forged.text = forged.text.replace(/: (pass|fail)$/m, ': pass — forged')
    const other = server.addComment(target.issueNumber, renderComment([forged]), ACTIONS_BOT)
    const identity = await resolveIdentity(clientFor(TOKENS.app, deps), deps.log)
    await write([section(0)], TOKENS.app, identity)
    expect(server.comments.find(c => c.id === other.id)?.body).toBe(renderComment([forged]))
    const mine = server.commentsOn(target.issueNumber).filter(c => c.user.login === APP_BOT.login)
    expect(mine).toHaveLength(1)
    expect(parseSections(mine[0].body).map(x => x.id)).toEqual([section(0).id])
  })

  it('with no identity to be had, adopts no existing comment, only the one it creates', async () => {
    const other = server.addComment(target.issueNumber, renderComment([section(3)]), APP_BOT)
    const identity = await resolveIdentity(clientFor(TOKENS.appNoViewer, deps), deps.log)
    expect(identity).toBeNull()
    const first = await write([section(0)], TOKENS.appNoViewer, identity)
    expect(first.commentId).not.toBe(other.id)
    expect(server.comments.find(c => c.id === other.id)?.body).toBe(renderComment([section(3)]))
    expect(parseSections(server.comments.find(c => c.id === first.commentId)!.body).map(x => x.id)).toEqual([section(0).id])
  })

  it('puts back a section that a stale write from another leg erased', async () => {
    const other = section(1)
    let tampered = false
    server.onRequest = r => {
      // Right after our first write lands, another leg's write, based on an older read, replaces the body.
      if (!tampered && r.method === 'POST' && r.status === 201) {
        tampered = true
        const c = sticky()[0]
        c.body = renderComment([other])
      }
    }
    await write([section(0)])
    const ids = parseSections(sticky()[0].body).map(s => s.id)
    expect(ids.sort()).toEqual([section(0).id, other.id].sort())
    expect(server.requests.filter(r => r.method === 'PATCH' && r.status === 200).length).toBeGreaterThanOrEqual(1)
  })

  it('merges duplicate comments into the oldest and deletes the others', async () => {
    const a = server.addComment(target.issueNumber, renderComment([section(0)]), ACTIONS_BOT)
    server.addComment(target.issueNumber, renderComment([section(1)]), ACTIONS_BOT)
    await write([section(2)])
    expect(sticky().map(c => c.id)).toEqual([a.id])
    expect(parseSections(sticky()[0].body)).toHaveLength(3)
    expect(server.requests.filter(r => r.method === 'DELETE' && r.status === 204)).toHaveLength(1)
  })

  it('re-reads after a failed write instead of resending it, and waits out a rate limit', async () => {
    server.inject({ method: 'POST', path: /\/comments$/, status: 502 })
    server.inject({ method: 'POST', path: /\/comments$/, status: 403, message: 'You have exceeded a secondary rate limit', headers: { 'retry-after': '2' } })
    await write([section(0)])
    expect(sticky()).toHaveLength(1)
    expect(deps.waits).toContain(2000)
    const sequence = server.requests.map(r => `${r.method} ${r.status}`)
    expect(sequence.slice(0, 5)).toEqual(['GET 200', 'POST 502', 'GET 200', 'POST 403', 'GET 200'])
  })

  it('throws a 403 at once, without writing', async () => {
    await expect(write([section(0)], TOKENS.readOnly)).rejects.toMatchObject({ status: 403 })
    expect(server.commentsOn(target.issueNumber)).toEqual([])
  })

  it('starts the body with the marker and a header counting the legs', async () => {
    await write([section(0), section(2)])
    expect(sticky()[0].body).toMatch(new RegExp(`^${STICKY_MARKER}\\n## ❌ Thread scaling: 2 leg\\(s\\), 1 pass, 1 fail\\n`))
  })
})
