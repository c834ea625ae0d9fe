import type { ChildProcess } from 'node:child_process'

/**
 * User code (the build, the measuring workers) runs in a process group of
 * its own, so stopping it stops what it started too: a workload's helper
 * process or a build's stray background job would otherwise live on as an
 * orphan and load the CPUs while later rounds are timed. Windows has no
 * process groups; there a child is killed alone.
 */
export const OWN_GROUP = process.platform !== 'win32'

/** Groups started and not yet killed, so none outlives us on a normal exit. */
const live = new Set<number>()
let hooked = false

/** Call right after spawn(…, { detached: OWN_GROUP }). */
export function trackGroup(child: ChildProcess): void {
  if (!OWN_GROUP || child.pid === undefined) return
  live.add(child.pid)
  if (!hooked) {
    hooked = true
    process.on('exit', killAll)
    // A group of its own also means Ctrl-C or a cancelled job no longer
    // reaches the child: pass the stop on, then die of the signal as before.
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const onSignal = (): void => {
        killAll()
        process.removeListener(sig, onSignal)
        process.kill(process.pid, sig)
      }
      process.on(sig, onSignal)
    }
  }
}

function killAll(): void {
  for (const pid of live) signalGroup(pid, 'SIGKILL')
  live.clear()
}

/** Kills the child's whole group (the child and everything it started that stayed in it). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined) return
  if (!OWN_GROUP) {
    child.kill(signal)
    return
  }
  signalGroup(child.pid, signal)
  live.delete(child.pid)
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // ESRCH: the group is already empty.
  }
}
