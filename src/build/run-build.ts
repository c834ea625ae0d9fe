import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Log } from '../log.js'
import { killGroup, OWN_GROUP, trackGroup } from '../process/group.js'
import { userEnv } from '../process/user-env.js'

export interface BuildResult {
  command: string
  exitCode: number
  seconds: number
  /** Absolute path of the kept log. */
  logPath: string
  log: string
  /** When the build started (ms since epoch): binaries written after it are the build's. */
  startedAt: number
}

export interface BuildOptions {
  command: string
  cwd: string
  python: string
  logPath: string
  log: Log
  /** Variables added to the build's environment (compiler wrappers, ccache, a run-only OpenMP fix); they win over the inherited ones. */
  env?: Record<string, string>
}

/**
 * Runs the build command through the shell, streaming every line to the log
 * as it comes (so a long build shows progress) and keeping the whole output.
 */
export async function runBuild(opts: BuildOptions): Promise<BuildResult> {
  fs.mkdirSync(path.dirname(opts.logPath), { recursive: true })
  const file = fs.createWriteStream(opts.logPath)
  const startedAt = Date.now()
  const chunks: string[] = []
  const shell = process.platform === 'win32' ? 'cmd.exe' : 'bash'
  const args = process.platform === 'win32' ? ['/d', '/s', '/c', opts.command] : ['-eo', 'pipefail', '-c', opts.command]

  const exitCode = await opts.log.group(`Build: ${opts.command}`, async () => {
    const child = spawn(shell, args, {
      cwd: opts.cwd,
      // The build and a custom command find the chosen interpreter as $PYTHON.
      env: { ...userEnv(), PYTHON: opts.python, PYTHONDONTWRITEBYTECODE: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: OWN_GROUP
    })
    trackGroup(child)
    let pending = ''
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8')
      chunks.push(text)
      file.write(text)
      pending += text
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) opts.log.info(line)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    return new Promise<number>(resolve => {
      child.on('error', err => {
        const msg = `could not start ${shell}: ${err.message}\n`
        chunks.push(msg)
        resolve(127)
      })
      // A background job the build left behind would hold our pipes open and
      // load the CPUs while we measure: when the build's shell exits, its group goes.
      child.on('exit', () => killGroup(child))
      child.on('close', (code, signal) => {
        if (pending) opts.log.info(pending)
        resolve(code ?? (signal ? 128 : 1))
      })
    })
  })
  await new Promise<void>(resolve => file.end(resolve))
  return { command: opts.command, exitCode, seconds: (Date.now() - startedAt) / 1000, logPath: opts.logPath, log: chunks.join(''), startedAt }
}
