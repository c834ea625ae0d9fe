/**
 * Done-when: six matrix legs finishing at the same moment leave ONE comment
 * with six sections, nothing lost, in every one of 20 repetitions. Each leg
 * runs the real publish() path (real Octokit, real HTTP) against the fake
 * GitHub server, with random latency so the legs' reads and writes
 * interleave differently every time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { ACTIONS_BOT, HUMAN, startFakeGitHub, TOKENS, type FakeGitHub } from '../../__fixtures__/github-server.js'
import { githubEnv, legReport, pullRequestPayload, testDeps } from '../../__fixtures__/publish.js'
import type { PublishSettings } from '../../src/config/settings.js'
import { isSticky, parseSections, renderSection, STICKY_MARKER } from '../../src/publish/comment.js'
import { defaultLeg, legId } from '../../src/publish/leg.js'
import { publish } from '../../src/publish/publish.js'
import { runUrl } from '../../src/publish/github-env.js'

let server: FakeGitHub
beforeAll(async () => {
  server = await startFakeGitHub()
})
afterAll(() => server.close())
afterEach(() => expect(server.violations).toEqual([]))

const settings: PublishSettings = { mode: 'check', comment: 'auto', leg: null, regressionTolerance: 0.15, githubToken: TOKENS.installation }
const SHA = 'c'.repeat(40)
const LEGS = 6
const REPETITIONS = 20

const ours = (pr: number) => server.commentsOn(pr).filter(c => c.user.login === ACTIONS_BOT.login && isSticky(c.body))

describe('six legs publishing at once', () => {
  it(`leave one comment with all six sections, in each of ${REPETITIONS} repetitions`, async () => {
    const reports = Array.from({ length: LEGS }, (_, i) => legReport(i))
    const legs = reports.map(r => defaultLeg(r.runner))
    expect(new Set(legs).size).toBe(LEGS)
    let creates = 0
    let lostThenRepaired = 0

    for (let rep = 0; rep < REPETITIONS; rep++) {
      server.reset()
      server.latencyMs = [0, 8]
      const pr = server.addPull(SHA)
      // Enough other comments to need two pages, and a human quoting our marker, which must be left alone.
      for (let i = 0; i < 130; i++) server.addComment(pr, `review comment ${i}`, HUMAN)
      server.addComment(pr, `${STICKY_MARKER}\nI copied the bot's comment`, HUMAN)
      const env = githubEnv(server, 'pull_request', pullRequestPayload(server, pr, SHA), { sha: SHA })

      const runs = reports.map((report, i) => {
        const deps = testDeps(env)
        return publish({ report, leg: legs[i], settings, comparison: null }, deps).then(outcome => ({ outcome, deps }))
      })
      const results = await Promise.all(runs)

      for (const { outcome, deps } of results) {
        expect(outcome.comment).toBe('written')
        expect(deps.log.warnings).toEqual([])
        expect(deps.log.notices).toEqual([])
      }
      const sticky = ours(pr)
      expect(sticky).toHaveLength(1)
      const sections = parseSections(sticky[0].body)
      expect(sections.map(s => s.id).sort()).toEqual(legs.map(legId).sort())
      // Nothing lost: every leg's section is exactly what that leg rendered.
      for (const [i, report] of reports.entries()) {
        const expected = renderSection({ leg: legs[i], report, comparison: null, runUrl: runUrl(env) })
        expect(sections.find(s => s.id === expected.id)?.text).toBe(expected.text)
      }
      expect(server.commentsOn(pr).filter(c => c.user.login === HUMAN.login)).toHaveLength(131)

      // Race evidence: duplicate creations, and writes that dropped a section another write had put in.
      const writes = server.requests.filter(r => r.method !== 'GET' && r.path.includes('/comments') && r.status < 300)
      creates += writes.filter(r => r.method === 'POST').length
      const seen = new Set<string>()
      for (const w of writes.filter(r => r.method === 'PATCH')) {
        const ids = new Set(parseSections((w.body as { body: string }).body).map(s => s.id))
        for (const id of seen) if (!ids.has(id)) lostThenRepaired++
        for (const id of ids) seen.add(id)
      }
    }
    // The legs really raced: at least once several of them created the comment at the same moment.
    expect(creates).toBeGreaterThan(REPETITIONS)
    console.log(`requests in the last repetition: ${server.requests.length}`)
    console.log(`${REPETITIONS} repetitions: ${creates} comment creations (merged into one each time), ${lostThenRepaired} section(s) dropped by a stale write and restored`)
  })
})
