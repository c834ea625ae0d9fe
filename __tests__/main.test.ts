/**
 * run() wired to mocked @actions/core and a mocked pipeline: outputs, the
 * step's exit status under fail-on, and one clear message on errors.
 */
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as core from '../__fixtures__/core.js'
import { makeReport } from '../__fixtures__/report.js'
import type { Report } from '../src/report/types.js'

const runCheck = jest.fn<(s: unknown, log: unknown) => Promise<Report>>()
jest.unstable_mockModule('@actions/core', () => core)
const realPipeline = await import('../src/pipeline.js')
jest.unstable_mockModule('../src/pipeline.js', () => ({ ...realPipeline, runCheck }))
const { run } = await import('../src/main.js')

function inputs(values: Record<string, string>): void {
  core.getInput.mockImplementation(name => values[name] ?? '')
}

describe('run', () => {
  beforeEach(() => {
    // Not a workflow run, even when the tests run inside one: publishing stays off.
    for (const k of ['GITHUB_EVENT_NAME', 'GITHUB_EVENT_PATH', 'GITHUB_REPOSITORY']) delete process.env[k]
    process.env.GITHUB_WORKSPACE = os.tmpdir()
    process.env.GITHUB_STEP_SUMMARY = '/dev/null'
    core.summaryText.length = 0
    inputs({})
  })

  it('masks the token before anything runs', async () => {
    inputs({ 'github-token': 'ghs_secret123' })
    runCheck.mockResolvedValue(makeReport('pass'))
    await run()
    expect(core.setSecret).toHaveBeenCalledWith('ghs_secret123')
  })

  it('sets the outputs and passes the step on pass', async () => {
    const report = makeReport('pass')
    runCheck.mockResolvedValue(report)
    await run()
    expect(core.setOutput).toHaveBeenCalledWith('verdict', 'pass')
    // The judged speedup, as the report has it.
    expect(report.speedup).toBeCloseTo(3.6, 1)
    expect(core.setOutput).toHaveBeenCalledWith('speedup', (report.speedup as number).toFixed(3))
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(core.summaryText.join('')).toMatch(/thread-scaling-check: pass/)
  })

  it('fails the step on fail, with the reason, and annotates the lost lines', async () => {
    runCheck.mockResolvedValue(makeReport('fail-static', 2))
    await run()
    expect(core.setOutput).toHaveBeenCalledWith('verdict', 'fail')
    expect(core.setFailed).toHaveBeenCalledWith(expect.stringMatching(/^thread-scaling-check: fail\. parallel_ext\.so: Compiled without OpenMP/))
    expect(core.error).toHaveBeenCalledWith(expect.stringMatching(/compiled without OpenMP/), expect.objectContaining({ startLine: 10 }))
  })

  it.each([
    ['never', false],
    ['fail', true],
    ['inconclusive', true]
  ])('with fail-on %s, a fail fails the step: %s', async (failOn, fails) => {
    inputs({ 'fail-on': failOn })
    runCheck.mockResolvedValue(makeReport('fail-timing'))
    await run()
    expect(core.setFailed).toHaveBeenCalledTimes(fails ? 1 : 0)
    expect(core.setOutput).toHaveBeenCalledWith('verdict', 'fail')
  })

  it('ends a bad input with one message naming the input, and invents no verdict', async () => {
    inputs({ 'fail-on': 'sometimes' })
    await run()
    expect(runCheck).not.toHaveBeenCalled()
    expect(core.setFailed).toHaveBeenCalledTimes(1)
    expect(core.setFailed).toHaveBeenCalledWith(expect.stringMatching(/^Input 'fail-on': 'sometimes' is not one of/))
    expect(core.setOutput).not.toHaveBeenCalledWith('verdict', expect.anything())
  })

  it('puts a build failure on the compiler\'s file and line', async () => {
    runCheck.mockRejectedValue(new realPipeline.CheckError("Input 'build-command': the build failed", { file: 'csrc/k.cpp', line: 7, column: 3, message: 'expected ;' }))
    await run()
    expect(core.error).toHaveBeenCalledWith('expected ;', expect.objectContaining({ title: 'Build failed', startLine: 7, startColumn: 3 }))
    expect(core.setFailed).toHaveBeenCalledWith("Input 'build-command': the build failed")
    expect(core.setOutput).not.toHaveBeenCalledWith('verdict', expect.anything())
  })

  it('folds the annotations GitHub would drop into the summary', async () => {
    runCheck.mockResolvedValue(makeReport('fail-static', 14))
    await run()
    expect(core.error.mock.calls.filter(([, props]) => props?.title === 'Parallel loop compiled without OpenMP')).toHaveLength(10)
    const summary = core.summaryText.join('')
    expect(summary).toMatch(/<details><summary>5 more annotation\(s\): GitHub shows 10 errors and 10 warnings per step<\/summary>/)
    expect(summary).toMatch(/- ❌ `csrc\/[ab]\.cpp:2[0-3]`: parallel\\_ext\.so was compiled without OpenMP/)
    expect(summary).toMatch(/- ❌ Case 'elementwise': Speedup 1\.00x/)
  })

  it('in mode comment, builds and measures nothing, and needs a workflow_run event', async () => {
    inputs({ mode: 'comment', 'github-token': 'ghs_x' })
    await run()
    expect(runCheck).not.toHaveBeenCalled()
    expect(core.setFailed).toHaveBeenCalledWith(expect.stringMatching(/^Input 'mode': 'comment' posts the reports of the run that triggered a workflow_run event/))
    expect(core.summaryText.join('')).toMatch(/^## ❗ thread-scaling-check: no comment posted/)
  })

  describe('the leg file beside the report', () => {
    const setup = (): { dir: string; legFile: string } => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-leg-file-'))
      inputs({ 'report-path': path.join(dir, 'r.json'), leg: 'Linux X64' })
      runCheck.mockResolvedValue(makeReport('pass'))
      return { dir, legFile: path.join(dir, 'r.leg.json') }
    }

    it('is written, and rewritten, when it is ours', async () => {
      const { legFile } = setup()
      await run()
      await run()
      expect(JSON.parse(fs.readFileSync(legFile, 'utf8'))).toEqual({ schema: 'thread-scaling-check/leg', leg: 'Linux X64' })
    })

    it('is not written through a dangling symlink', async () => {
      const { dir, legFile } = setup()
      const outside = path.join(dir, 'elsewhere', 'target.json')
      fs.mkdirSync(path.dirname(outside))
      fs.symlinkSync(outside, legFile)
      await run()
      expect(fs.existsSync(outside)).toBe(false)
      expect(core.warning).toHaveBeenCalledWith(expect.stringContaining(`${legFile} is a symbolic link; it was left untouched`))
    })

    it('does not replace a file that is not ours', async () => {
      const { legFile } = setup()
      fs.writeFileSync(legFile, 'precious')
      await run()
      expect(fs.readFileSync(legFile, 'utf8')).toBe('precious')
      expect(core.warning).toHaveBeenCalledWith(expect.stringContaining(`${legFile} exists and is not a thread-scaling-check leg file`))
    })
  })

  it('reports case errors as no verdict', async () => {
    const r = makeReport('pass')
    r.errors = ["Case 'boom': Run at 1 thread(s) raised ValueError: boom"]
    runCheck.mockResolvedValue(r)
    await run()
    expect(core.setFailed).toHaveBeenCalledWith(expect.stringMatching(/No verdict: 1 case\(s\) could not be measured\. Case 'boom'/))
    expect(core.setOutput).not.toHaveBeenCalledWith('verdict', expect.anything())
  })
})
