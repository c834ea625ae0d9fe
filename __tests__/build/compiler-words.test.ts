/**
 * CC/CXX are split as distutils splits them, a compiler path with spaces is
 * one word, and a missing compiler reaches the caller as a rejection.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import fc from 'fast-check'
import { recordingLog } from '../../__fixtures__/harness-run.js'
import { runBuildStage } from '../../src/build/build-stage.js'
import { splitQuoted } from '../../src/build/split-quoted.js'
import { CompilerNotFoundError, compilerWords, prepareWrappers, realCompilers } from '../../src/build/wrappers.js'

let dir = ''
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-cc-words-'))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** distutils' own answer for each value: its words, or null where it raises. */
function distutilsSplit(values: string[]): (string[] | null)[] {
  const py = `import json, sys
from setuptools._distutils.util import split_quoted
out = []
for v in json.load(sys.stdin):
    try: out.append(split_quoted(v))
    except ValueError: out.append(None)
print(json.dumps(out))`
  return JSON.parse(execFileSync('python3', ['-c', py], { input: JSON.stringify(values), encoding: 'utf8' })) as (string[] | null)[]
}

const split = (v: string): string[] | null => {
  try {
    return splitQuoted(v)
  } catch {
    return null
  }
}

describe('splitQuoted', () => {
  it.each<[string, string[]]>([
    ["gcc -DX='a b'", ['gcc', '-DX=a b']],
    ['ccache  g++\t-m64', ['ccache', 'g++', '-m64']],
    ['"/opt/my tools/gcc" -O2', ['/opt/my tools/gcc', '-O2']],
    ['gcc -DY=a\\ b', ['gcc', '-DY=a b']],
    ['', []]
  ])('%j -> %j', (value, words) => {
    expect(splitQuoted(value)).toEqual(words)
  })

  it('names the unmatched quote', () => {
    expect(() => splitQuoted("gcc -DX='a")).toThrow(/unmatched single quote/)
  })

  it('agrees with distutils.util.split_quoted on generated values', () => {
    const alphabet = fc.constantFrom('a', 'b', '-', '=', '/', ' ', '  ', '\t', '\n', "'", '"', '\\', '\\\\', 'x y')
    const values = fc.sample(fc.array(alphabet, { maxLength: 14 }).map(parts => parts.join('')), { numRuns: 3000, seed: 14 })
    const expected = distutilsSplit(values)
    const mismatches = values.map((v, i) => ({ v, ours: split(v), theirs: expected[i] })).filter(m => JSON.stringify(m.ours) !== JSON.stringify(m.theirs))
    expect(mismatches.slice(0, 5)).toEqual([])
  })
})

describe('compiler words', () => {
  it('a path with spaces that names a file is one word', () => {
    const cc = path.join(dir, 'my tools', 'gcc')
    fs.mkdirSync(path.dirname(cc))
    fs.writeFileSync(cc, '#!/bin/sh\nexec gcc "$@"\n', { mode: 0o755 })
    expect(compilerWords('CC', cc)).toEqual([cc])
    const w = prepareWrappers({ outputDir: dir, env: { ...process.env, CC: cc, CXX: 'g++' }, tempDir: dir })
    expect(w.compilers.cc).toBe(cc)
  })

  it("CC=\"gcc -DX='a b'\" compiles with X defined as 'a b'", () => {
    const w = prepareWrappers({ outputDir: dir, env: { ...process.env, CC: "gcc -DX='a b'", CXX: 'g++' }, tempDir: dir })
    const macros = execFileSync(w.env.CC, ['-E', '-dM', '-x', 'c', '/dev/null'], { encoding: 'utf8' })
    expect(macros).toMatch(/^#define X a b$/m)
  })
})

describe('a missing compiler', () => {
  it('realCompilers rejects instead of throwing, so .catch sees it', async () => {
    let caught: unknown = null
    await realCompilers({ PATH: path.join(dir, 'empty') }, 'linux').catch((e: unknown) => (caught = e))
    expect(caught).toBeInstanceOf(CompilerNotFoundError)
  })

  it('with apply-openmp-fix on, the build still runs and the warning names CXX', async () => {
    const saved = process.env.CXX
    process.env.CXX = '/no/such dir/g++'
    try {
      const { log, messages } = recordingLog()
      const stage = await runBuildStage({ command: 'true', cwd: dir, python: 'python3', logPath: path.join(dir, 'logs', 'build.log'), log, cache: null, applyOpenmpFix: true, sources: [] })
      expect(stage.result.exitCode).toBe(0)
      expect(stage.fixApplied).toMatchObject({ CXXFLAGS: expect.stringContaining('-fopenmp') })
      expect(messages.join('\n')).toMatch(/warning: CXX: no compiler '\/no\/such' on PATH/)
    } finally {
      if (saved === undefined) delete process.env.CXX
      else process.env.CXX = saved
    }
  })
})
