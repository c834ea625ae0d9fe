/**
 * A hung workload, or a build, that started a child leaves no process
 * behind: each runs in a process group of its own and the group is killed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { recordingLog } from '../../__fixtures__/harness-run.js'
import { runBuild } from '../../src/build/run-build.js'
import { Worker, WorkerFailure } from '../../src/measure/worker.js'

let dir = ''
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-orphans-'))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** Alive and not a zombie (in a container nobody may reap an orphan's corpse). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

async function gone(pid: number, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (!alive(pid)) return true
    await new Promise(r => setTimeout(r, 50))
  }
  return !alive(pid)
}

async function pidFrom(file: string): Promise<number> {
  for (let i = 0; i < 200 && !(fs.existsSync(file) && fs.readFileSync(file, 'utf8').endsWith('\n')); i++) await new Promise(r => setTimeout(r, 25))
  return Number(fs.readFileSync(file, 'utf8').trim())
}

describe('no orphans', () => {
  it('a hung workload that started a sleeping child: stopping it stops the child', async () => {
    const pidFile = path.join(dir, 'worker-child.pid')
    // Stands in for python: starts a sleeping helper, then hangs without answering.
    const hang = path.join(dir, 'hang.sh')
    fs.writeFileSync(hang, `#!/bin/sh\nsleep 300 &\necho $! > ${pidFile}\nwhile :; do sleep 1; done\n`, { mode: 0o755 })
    const w = new Worker({ python: hang, harness: 'harness.py', workload: null, workdir: dir, threads: 2 })
    const err = await w.next(1500).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WorkerFailure)
    expect((err as Error).message).toMatch(/gave no answer within 2 s and was stopped/)
    const child = await pidFrom(pidFile)
    expect(child).toBeGreaterThan(1)
    expect(await gone(child)).toBe(true)
  }, 20_000)

  it('a worker killed from outside takes its children with it', async () => {
    const pidFile = path.join(dir, 'killed-child.pid')
    const script = path.join(dir, 'killed.sh')
    fs.writeFileSync(script, `#!/bin/sh\nsleep 300 &\necho $! > ${pidFile}\nkill -9 $$\n`, { mode: 0o755 })
    const w = new Worker({ python: script, harness: 'harness.py', workload: null, workdir: dir, threads: 1 })
    const err = await w.next(10_000).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(/was killed by SIGKILL/)
    expect(await gone(await pidFrom(pidFile))).toBe(true)
  }, 20_000)

  it('a build that leaves a background job behind: the job is stopped when the build ends', async () => {
    const pidFile = path.join(dir, 'build-child.pid')
    const r = await runBuild({ command: `sleep 300 >/dev/null 2>&1 & echo $! > ${pidFile}; echo built`, cwd: dir, python: 'python3', logPath: path.join(dir, 'build.log'), log: recordingLog().log })
    expect(r.exitCode).toBe(0)
    expect(r.log).toContain('built')
    expect(await gone(await pidFrom(pidFile))).toBe(true)
  }, 20_000)
})
