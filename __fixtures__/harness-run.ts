import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { Log } from '../src/log.js'

/** A Log that keeps every line (warnings and errors marked), for tests that assert on progress messages. */
export function recordingLog(): { log: Log; messages: string[] } {
  const messages: string[] = []
  const log: Log = {
    info: m => messages.push(m),
    debug: () => undefined,
    warning: m => messages.push(`warning: ${m}`),
    error: m => messages.push(`error: ${m}`),
    notice: m => messages.push(m),
    group: (_n, fn) => fn()
  }
  return { log, messages }
}

/** A workload.py with `body` in a fresh temporary folder (its working directory). */
export function writeWorkload(body: string, prefix = 'tsc-harness-'): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const file = path.join(dir, 'workload.py')
  fs.writeFileSync(file, body)
  return { dir, file }
}
