/** The publishing inputs: defaults for a bare run, and one InputError naming the input for each bad value. */
import { describe, expect, it } from '@jest/globals'
import { InputError, parsePublishSettings, parseTolerance } from '../../src/config/parse.js'
import type { InputName } from '../../src/constants.js'

const parse = (inputs: Partial<Record<InputName, string>>) => parsePublishSettings(name => inputs[name] ?? '')

describe('parsePublishSettings', () => {
  it('defaults to check mode, auto comments, a derived leg and a 15% tolerance', () => {
    expect(parse({})).toEqual({ mode: 'check', comment: 'auto', leg: null, regressionTolerance: 0.15, githubToken: '' })
  })

  it('reads each input, case-insensitively where it is a keyword', () => {
    expect(parse({ mode: 'Comment', comment: 'ALWAYS', leg: ' gcc-13 / py3.12 ', 'regression-tolerance': '20%', 'github-token': 'ghs_x' })).toEqual({ mode: 'comment', comment: 'always', leg: 'gcc-13 / py3.12', regressionTolerance: 0.2, githubToken: 'ghs_x' })
    expect(parseTolerance('0')).toBe(0)
    expect(parseTolerance('0.05')).toBe(0.05)
  })

  it.each<[Partial<Record<InputName, string>>, InputName, RegExp]>([
    [{ mode: 'publish' }, 'mode', /'publish' is not one of 'check', 'comment'\. Use 'comment' only in a workflow_run workflow/],
    [{ comment: 'sometimes' }, 'comment', /'sometimes' is not one of 'auto', 'always', 'never'/],
    [{ leg: 'x'.repeat(81) }, 'leg', /give one line of at most 80 characters/],
    [{ leg: 'two\tlines' }, 'leg', /is not a leg name/],
    [{ 'regression-tolerance': '1' }, 'regression-tolerance', /'1' is not a tolerance.*fraction from 0 to below 1 \(0\.15\) or a percentage \(15%\)/],
    [{ 'regression-tolerance': '-0.1' }, 'regression-tolerance', /is not a tolerance/],
    [{ 'regression-tolerance': 'lots' }, 'regression-tolerance', /is not a tolerance/],
    [{ 'regression-tolerance': '150%' }, 'regression-tolerance', /is not a tolerance/]
  ])('rejects %j naming the input', (inputs, input, message) => {
    let error: unknown
    try {
      parse(inputs)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).input).toBe(input)
    expect((error as InputError).message).toMatch(new RegExp(`^Input '${input}': `))
    expect((error as InputError).message).toMatch(message)
  })
})
