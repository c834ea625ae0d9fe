/**
 * Every string and array in the report schema is bounded, build.audit is
 * typed, and our own reports are fitted inside the bounds before they are
 * validated, so comment mode never refuses a report we wrote.
 */
import { describe, expect, it } from '@jest/globals'
import schema from '../../schema/report.schema.json' with { type: 'json' }
import { makeReport } from '../../__fixtures__/report.js'
import { fitBounds, MAX_ITEMS, MAX_STRING } from '../../src/report/bounds.js'
import { validateReport, validateUntrustedReport } from '../../src/report/schema.js'

type Node = Record<string, unknown>

/** Every schema node with a type, with its path. */
function typed(n: unknown, at = '#', out: [string, Node][] = []): [string, Node][] {
  if (!n || typeof n !== 'object') return out
  if (Array.isArray(n)) {
    n.forEach((x, i) => typed(x, `${at}/${i}`, out))
    return out
  }
  if ('type' in n) out.push([at, n as Node])
  for (const [k, v] of Object.entries(n)) typed(v, `${at}/${k}`, out)
  return out
}
const types = (n: Node): string[] => [n.type].flat() as string[]

describe('report schema bounds', () => {
  it('bounds every string with maxLength and every array with maxItems', () => {
    const nodes = typed(schema)
    expect(nodes.filter(([, n]) => types(n).includes('string') && typeof n.maxLength !== 'number').map(([p]) => p)).toEqual([])
    expect(nodes.filter(([, n]) => types(n).includes('array') && typeof n.maxItems !== 'number').map(([p]) => p)).toEqual([])
  })

  it('refuses a string or a list past the bounds', () => {
    const long = makeReport()
    long.reasons = ['x'.repeat(MAX_STRING + 1)]
    expect(() => validateReport(long)).toThrow(/\/reasons\/0 must NOT have more than 100000 characters/)
    const many = makeReport()
    many.errors = Array.from({ length: MAX_ITEMS + 1 }, () => 'e')
    expect(() => validateReport(many)).toThrow(/\/errors must NOT have more than 10000 items/)
  })

  it('types build.audit.tus: nested empty arrays are refused', () => {
    const r = makeReport() as unknown as { build: unknown }
    r.build = { command: 'c', seconds: 1, exitCode: 0, log: 'l', compileDatabase: null, audit: { tus: [[[[[]]]]], links: [], flagged: [] }, cache: null, fixApplied: null }
    expect(() => validateReport(r)).toThrow(/\/build\/audit\/tus\/0 must be object/)
  })

  it('fits our own report inside the bounds: a huge case error is clipped, not refused', () => {
    const r = makeReport()
    r.errors = ['Traceback: ' + 'z'.repeat(3 * MAX_STRING)]
    r.sources = Array.from({ length: MAX_ITEMS + 5 }, () => r.sources[0])
    const fitted = validateReport(fitBounds(r))
    expect(fitted.errors[0]).toHaveLength(MAX_STRING)
    expect(fitted.errors[0].endsWith('…')).toBe(true)
    expect(fitted.sources).toHaveLength(MAX_ITEMS)
    expect(fitted.verdict).toBe(r.verdict)
  })

  it('a report from another run keeps nothing the schema does not name', () => {
    const r = { ...makeReport(), junk: Array.from({ length: 1000 }, () => [[]]) }
    ;(r.runner as unknown as Record<string, unknown>).extra = 'x'
    const read = validateUntrustedReport(r, 'artifact/report.json') as unknown as Record<string, unknown>
    expect(read.junk).toBeUndefined()
    expect((read.runner as Record<string, unknown>).extra).toBeUndefined()
    expect(read.verdict).toBe(r.verdict)
  })
})
