import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { killGroup, OWN_GROUP, trackGroup } from '../process/group.js'
import { userEnv } from '../process/user-env.js'
import { parseReply, type Reply } from './protocol.js'

/**
 * Where a team's OpenMP threads run. A team is spread over distinct CPUs, one
 * thread to a CPU, as on a runner where its threads run at once: on a CPU
 * shared with another process the scheduler would otherwise stack the team on
 * the free CPU, where threads that fight over cache lines never meet, and
 * contention would pass for a busy runner. Single-thread processes stay free
 * to take whichever CPU is idle, so t(1) is never slowed by a neighbour's CPU.
 * Linux only: macOS's libomp has no thread affinity. A user's own OMP_PROC_BIND
 * or OMP_PLACES wins.
 */
export function bindingEnv(threads: number, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (threads < 2 || platform !== 'linux' || env.OMP_PROC_BIND !== undefined || env.OMP_PLACES !== undefined) return {}
  return { OMP_PROC_BIND: 'spread', OMP_PLACES: 'threads' }
}

/** Thread-count variables of every runtime a torch process may hold. */
export function threadEnv(threads: number): Record<string, string> {
  const n = String(threads)
  return {
    ...bindingEnv(threads),
    OMP_NUM_THREADS: n,
    MKL_NUM_THREADS: n,
    OPENBLAS_NUM_THREADS: n,
    VECLIB_MAXIMUM_THREADS: n,
    // Keep our own byte-code out of the user's tree.
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '1'
  }
}

/** A worker that died, hung or broke the protocol. */
export class WorkerFailure extends Error {
  constructor(
    message: string,
    readonly stderr: string
  ) {
    super(message)
    this.name = 'WorkerFailure'
  }
}

const TAIL_BYTES = 6000

export interface WorkerOptions {
  python: string
  harness: string
  workload: string | null
  workdir: string
  threads: number
  /** Extra environment for the worker on top of process.env. */
  env?: Record<string, string>
}

/**
 * One harness.py process for one thread count. Requests go one at a time; a
 * crash, a hang (timeout) or bad output rejects the pending request with the
 * tail of the worker's stderr, which is what a maintainer needs to see.
 */
export class Worker {
  private child: ChildProcess
  private tail = ''
  private pending: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null
  private exited: string | null = null
  private queue: Reply[] = []

  constructor(readonly opts: WorkerOptions) {
    const args = [opts.harness, '--threads', String(opts.threads), '--workdir', opts.workdir]
    if (opts.workload) args.push('--workload', opts.workload)
    this.child = spawn(opts.python, args, {
      cwd: opts.workdir,
      env: { ...userEnv(), ...opts.env, ...threadEnv(opts.threads) },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      // A group of its own: killing it kills what the workload started as well.
      detached: OWN_GROUP
    })
    trackGroup(this.child)
    const keep = (chunk: Buffer): void => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-TAIL_BYTES)
    }
    this.child.stdout?.on('data', keep)
    this.child.stderr?.on('data', keep)
    const replies = this.child.stdio[3] as Readable
    createInterface({ input: replies }).on('line', line => this.onLine(line))
    this.child.on('error', err => this.onExit(`could not start '${opts.python}': ${err.message}`))
    this.child.on('exit', (code, signal) => this.onExit(signal ? `was killed by ${signal}` : `exited with status ${code}`))
    // A worker that exits early closes stdin; writes must not crash us.
    this.child.stdin?.on('error', () => undefined)
  }

  /** Output the worker wrote to stdout/stderr lately (for error messages). */
  get output(): string {
    return this.tail.trim()
  }

  private onLine(line: string): void {
    let reply: Reply
    try {
      reply = parseReply(line)
    } catch (e) {
      this.settle(null, e as Error)
      return
    }
    if (this.pending) this.settle(reply, null)
    else this.queue.push(reply)
  }

  private onExit(how: string): void {
    if (this.exited) return
    this.exited = how
    // Whatever the worker started dies with it, however it ended.
    killGroup(this.child)
    // Let the last reply line and stderr drain before failing the request.
    setTimeout(() => this.settle(null, new WorkerFailure(`the measuring process for ${this.opts.threads} thread(s) ${how}`, this.output)), 50)
  }

  private settle(reply: Reply | null, err: Error | null): void {
    const p = this.pending
    if (!p) return
    this.pending = null
    if (reply) p.resolve(reply)
    else p.reject(err instanceof WorkerFailure ? err : new WorkerFailure(err?.message ?? 'unknown failure', this.output))
  }

  /** Waits for the next reply (the first is the ready message). */
  next(timeoutMs: number): Promise<Reply> {
    const queued = this.queue.shift()
    if (queued) return Promise.resolve(queued)
    if (this.exited) return Promise.reject(new WorkerFailure(`the measuring process for ${this.opts.threads} thread(s) ${this.exited}`, this.output))
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill()
        this.settle(null, new WorkerFailure(`the measuring process for ${this.opts.threads} thread(s) gave no answer within ${Math.round(timeoutMs / 1000)} s and was stopped`, this.output))
      }, timeoutMs)
      this.pending = {
        resolve: r => {
          clearTimeout(timer)
          resolve(r)
        },
        reject: e => {
          clearTimeout(timer)
          reject(e)
        }
      }
    })
  }

  request(cmd: object, timeoutMs: number): Promise<Reply> {
    if (!this.exited) (this.child.stdin as Writable).write(JSON.stringify(cmd) + '\n')
    return this.next(timeoutMs)
  }

  kill(): void {
    if (this.exited === null) killGroup(this.child)
  }

  /** Asks the worker to exit and waits for it (kills it if it lingers). */
  async close(): Promise<void> {
    if (this.exited !== null) return
    const done = new Promise<void>(resolve => this.child.once('exit', () => resolve()))
    ;(this.child.stdin as Writable).end(JSON.stringify({ op: 'exit' }) + '\n')
    const timer = setTimeout(() => this.kill(), 5000)
    await done
    clearTimeout(timer)
  }
}
