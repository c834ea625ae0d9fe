/**
 * runCheck writes the report at report-path: never through a symbolic link
 * (a dangling one would put it outside the workspace), never over a file
 * that is not one of our reports, and a write that fails names the path.
 * The check here is static only (build-command none, no workload).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { recordingLog } from '../../__fixtures__/harness-run.js'
import { torchPython } from '../../__fixtures__/python.js'
import { parseSettings } from '../../src/config/parse.js'
import { CheckError, runCheck } from '../../src/pipeline.js'

let dir = ''
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-report-path-'))
  fs.writeFileSync(path.join(dir, 'k.c'), 'int k(int x) { return x + 1; }\n')
  execFileSync('gcc', ['-shared', '-fPIC', path.join(dir, 'k.c'), '-o', path.join(dir, 'k.so')])
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function settings(reportPath: string): ReturnType<typeof parseSettings> {
  const inputs: Record<string, string> = { 'build-command': 'none', extensions: 'k.so', python: torchPython(), 'report-path': reportPath }
  return parseSettings({
    getInput: name => inputs[name] ?? '',
    baseDirectory: dir,
    isDirectory: p => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false,
    isFile: p => fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false
  })
}

describe('report-path', () => {
  it('a dangling symlink is not followed: no report outside, one message naming the input and the path', async () => {
    const outside = path.join(dir, 'outside', 'stolen.json')
    fs.mkdirSync(path.dirname(outside))
    const link = path.join(dir, 'linked-report.json')
    fs.symlinkSync(outside, link)
    const err = await runCheck(settings(link), recordingLog().log).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CheckError)
    expect((err as Error).message).toBe(`Input 'report-path': ${link} is a symbolic link; it was left untouched. Give a path that is not a link.`)
    expect(fs.existsSync(outside)).toBe(false)
  }, 180_000)

  it('a plain path gets the report, and a second run replaces it', async () => {
    const file = path.join(dir, 'out', 'report.json')
    await runCheck(settings(file), recordingLog().log)
    const first = fs.readFileSync(file, 'utf8')
    await runCheck(settings(file), recordingLog().log)
    expect(JSON.parse(first).schema).toBe('thread-scaling-check/report')
    expect(fs.readdirSync(path.dirname(file))).toEqual(['report.json'])
  }, 180_000)
})
