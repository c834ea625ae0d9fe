/**
 * Faults while measuring, under the real harness and torch: a worker
 * SIGKILLed mid-sample, a workload that floods stdout with 100 MB, and one
 * that writes bytes that are not UTF-8. Each ends in one clear message for
 * its own case; the other cases are still measured, and no verdict is
 * invented for the broken one. (A full disk when the report is written is
 * in __tests__/report/own-file.test.ts.)
 */
import { describe, expect, it } from '@jest/globals'
import { measure } from '../../src/measure/measure.js'
import { harnessPath } from '../../src/paths.js'
import { recordingLog, writeWorkload } from '../../__fixtures__/harness-run.js'
import { torchPython } from '../../__fixtures__/python.js'

const { log } = recordingLog()
const decided = { isDecided: () => true }
const base = { harness: harnessPath(), threads: [1, 2], maxTime: 60, sampleSeconds: 0.05, minRounds: 2, maxRounds: 2, log, sampleTimeout: 20 }

async function run(body: string) {
  const { dir, file } = writeWorkload(body, 'tsc-faults-')
  const m = await measure({ ...base, python: torchPython(), workload: file, workdir: dir }, decided)
  return { m, byName: Object.fromEntries(m.cases.map(c => [c.name, c])) }
}

describe('faults while measuring', () => {
  it('a worker SIGKILLed mid-sample: that case says so, the others are measured', async () => {
    const { byName } = await run(`
import os, signal, torch
calls = 0
def dies():
    global calls
    calls += 1
    if calls == 5:
        os.kill(os.getpid(), signal.SIGKILL)
def cases():
    return {"dies": dies, "fine": lambda: torch.ones(10).sum()}
`)
    expect(byName.dies.error).toMatch(/^.*was killed by SIGKILL/)
    expect(byName.fine.error).toBeUndefined()
    expect(byName.fine.samples.length).toBeGreaterThan(0)
  }, 120_000)

  it('a workload that writes 100 MB to stdout is still measured, and the flood is not kept', async () => {
    const { byName, m } = await run(`
import sys, torch
done = False
def floods():
    global done
    if not done:
        done = True
        chunk = "x" * (1 << 20)
        for _ in range(100):
            sys.stdout.write(chunk)
        sys.stdout.flush()
    return torch.ones(10).sum()
def cases():
    return {"floods": floods, "fine": lambda: torch.ones(10).sum()}
`)
    expect(byName.floods.error).toBeUndefined()
    expect(byName.floods.samples.length).toBeGreaterThan(0)
    expect(byName.fine.error).toBeUndefined()
    expect(JSON.stringify(m).length).toBeLessThan(1 << 20)
  }, 120_000)

  it('bytes that are not UTF-8, on stdout and stderr and in the error: one readable message', async () => {
    const { byName, m } = await run(`
import os, torch
def garbles():
    os.write(1, b"\\xff\\xfe\\x80 stdout")
    os.write(2, b"\\xc3\\x28 stderr \\xed\\xa0\\x80")
    raise ValueError(b"bad \\xff bytes".decode("latin-1"))
def cases():
    return {"garbles": garbles, "fine": lambda: torch.ones(10).sum()}
`)
    expect(byName.garbles.error).toMatch(/raised ValueError: bad ÿ bytes/)
    expect(byName.fine.error).toBeUndefined()
    // What comes back is valid text, and the broken case has no samples a verdict could be made from.
    expect(() => JSON.parse(JSON.stringify(m))).not.toThrow()
    expect(byName.garbles.samples).toEqual([])
  }, 120_000)
})
