/**
 * The action's inputs (the token among them) never reach user code: not the
 * build command, not a measuring worker, not a compiler probe. ACTIONS_*
 * stays, for caching tools inside a build.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { recordingLog } from '../../__fixtures__/harness-run.js'
import { runBuild } from '../../src/build/run-build.js'
import { identifyCompiler } from '../../src/build/compiler-id.js'
import { Worker, WorkerFailure } from '../../src/measure/worker.js'
import { userEnv } from '../../src/process/user-env.js'

const TOKEN = 'ghs_never_in_user_code'
let dir = ''

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-user-env-'))
  process.env['INPUT_GITHUB-TOKEN'] = TOKEN
  process.env.INPUT_THREADS = '1,2,4'
  process.env.ACTIONS_RUNTIME_TOKEN = 'runtime-kept'
})

afterAll(() => {
  delete process.env['INPUT_GITHUB-TOKEN']
  delete process.env.INPUT_THREADS
  delete process.env.ACTIONS_RUNTIME_TOKEN
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A script that prints the INPUT_ and ACTIONS_ variables it was given, whatever its arguments. */
function envPrinter(name: string): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, `#!/bin/sh\nenv | grep -E '^(INPUT_|ACTIONS_)' | sed 's/^/seen /' >&2\nexit 0\n`, { mode: 0o755 })
  return file
}

describe('userEnv', () => {
  it('drops INPUT_* in any case and keeps the rest, ACTIONS_* included', () => {
    const env = userEnv({ 'INPUT_GITHUB-TOKEN': 'x', input_mode: 'y', ACTIONS_CACHE_URL: 'u', PATH: '/bin', MY_INPUT_X: 'z' })
    expect(env).toEqual({ ACTIONS_CACHE_URL: 'u', PATH: '/bin', MY_INPUT_X: 'z' })
  })
})

describe('user code does not see the inputs', () => {
  it('the build command', async () => {
    const { log } = recordingLog()
    const r = await runBuild({ command: "env | grep -E '^(INPUT_|ACTIONS_)' || true", cwd: dir, python: 'python3', logPath: path.join(dir, 'build.log'), log })
    expect(r.exitCode).toBe(0)
    expect(r.log).not.toContain(TOKEN)
    expect(r.log).not.toMatch(/^INPUT_/m)
    expect(r.log).toContain('ACTIONS_RUNTIME_TOKEN=runtime-kept')
  })

  it('a measuring worker', async () => {
    const w = new Worker({ python: envPrinter('python-env'), harness: 'harness.py', workload: null, workdir: dir, threads: 2 })
    const err = await w.next(10_000).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WorkerFailure)
    const seen = (err as WorkerFailure).stderr
    expect(seen).toContain('seen ACTIONS_RUNTIME_TOKEN=runtime-kept')
    expect(seen).not.toContain(TOKEN)
    expect(seen).not.toMatch(/seen INPUT_/)
  })

  it('the compiler probe', async () => {
    const cc = path.join(dir, 'gcc')
    fs.writeFileSync(cc, `#!/bin/sh\necho "inputs seen: $(env | grep -c '^INPUT_'); runtime: $ACTIONS_RUNTIME_TOKEN"\n`, { mode: 0o755 })
    // The probe keeps the first line the compiler prints as its version.
    expect((await identifyCompiler(cc)).version).toBe('inputs seen: 0; runtime: runtime-kept')
  })
})
