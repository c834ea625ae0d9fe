/**
 * The throughput reference under real torch: each case also runs as n
 * independent single-thread processes at the same moment, and the judge
 * holds the threaded kernel against them.
 */
import { describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { caseSettled, decideCase } from '../../src/judge/case-verdict.js'
import { threshold } from '../../src/judge/threshold.js'
import { measure } from '../../src/measure/measure.js'
import { referenceBlocker } from '../../src/measure/reference.js'
import { referenceRatios } from '../../src/measure/rounds.js'
import { bindingEnv } from '../../src/measure/worker.js'
import { harnessPath } from '../../src/paths.js'
import { facts } from '../../__fixtures__/evidence.js'
import { recordingLog, writeWorkload } from '../../__fixtures__/harness-run.js'
import { torchPython } from '../../__fixtures__/python.js'

const { log, messages } = recordingLog()
const workload = (body: string): { dir: string; file: string } => writeWorkload(body, 'tsc-reference-')

const MiB = 2 ** 20

describe('throughput reference', () => {
  it('runs each case as n single-thread copies at once and reports every process\'s peak memory', async () => {
    const { dir, file } = workload(`
import torch
x = torch.rand(1 << 18) * 4 + 0.5
def cases():
    return {"digamma": lambda: torch.digamma(x)}
`)
    const m = await measure({ python: torchPython(), harness: harnessPath(), workload: file, workdir: dir, threads: [1, 2], maxTime: 60, sampleSeconds: 0.05, minRounds: 2, maxRounds: 2, log }, { isDecided: () => true })
    expect(m.reference).toMatchObject({ copies: 2, skipped: null })
    expect(m.reference.peakRss.map(p => p.process).sort()).toEqual(['1 thread', '2 threads', 'copy 2'])
    // Every process holds torch and its own inputs.
    for (const p of m.reference.peakRss) expect(p.bytes).toBeGreaterThan(50 * MiB)
    const ref = m.cases[0].reference ?? []
    expect(ref.map(r => r.round)).toEqual([1, 2])
    for (const r of ref) {
      expect(r.perCopy).toHaveLength(2)
      expect(r.cpuPerCopy).toHaveLength(2)
      expect(Math.min(...r.perCopy)).toBeGreaterThan(0)
    }
    expect(referenceRatios(m.cases[0], 2)).toHaveLength(2)
    // The control is runner information: it gets no reference of its own.
    expect(m.control.reference).toBeUndefined()
    expect(messages.some(x => /each case also runs as 2 independent copies at once/.test(x))).toBe(true)
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('calls a scaling kernel inconclusive, not failed, when every measuring process is pinned to one CPU', async () => {
    // Every call pins every thread of its process to CPU 0, after the harness
    // read the runner's two CPUs and after OpenMP placed its team: a runner
    // that promises more cores than it gives, as vCPUs on one physical core do.
    const { dir, file } = workload(`
import os, torch
x = torch.rand(1 << 19) * 4 + 0.5
def pinned():
    for tid in os.listdir("/proc/self/task"):
        os.sched_setaffinity(int(tid), {0})
    return torch.digamma(x)
def cases():
    return {"digamma": pinned}
`)
    const t = threshold(2, [1, 2], 2)
    const m = await measure({
      python: torchPython(),
      harness: harnessPath(),
      workload: file,
      workdir: dir,
      threads: [1, 2],
      maxTime: 60,
      sampleSeconds: 0.08,
      log
    }, { isDecided: (c, _f, control) => caseSettled(c, control, t) })
    expect(m.facts.usableCpus).toBe(2)
    const d = decideCase(m.cases[0], m.control, t)
    // Copies sharing one CPU gain nothing: they really ran at the same moment.
    expect(d.reference?.throughput.estimate).toBeLessThan(1.3)
    expect(d.speedup?.estimate).toBeLessThan(1.3)
    // Either the team kept up with its copies, or its threads were seen
    // waiting for the one CPU: never a failure.
    expect(d.verdict).toBe('inconclusive')
    expect(['runner-limit', 'cpu-withheld']).toContain(d.cause)
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('spreads a team over distinct CPUs and leaves single-thread processes free to take an idle one', async () => {
    const { dir, file } = workload(`
import json, os, torch
x = torch.rand(1 << 18) * 4 + 0.5
def record():
    torch.digamma(x)  # the team exists after its first region
    cpus = sorted(sorted(os.sched_getaffinity(int(t))) for t in os.listdir("/proc/self/task"))
    with open("affinity-%s.json" % os.environ["OMP_NUM_THREADS"], "w") as f:
        json.dump(cpus, f)
def cases():
    return {"record": record}
`)
    await measure({ python: torchPython(), harness: harnessPath(), workload: file, workdir: dir, threads: [1, 2], maxTime: 60, sampleSeconds: 0.02, minRounds: 1, maxRounds: 1, log }, { isDecided: () => true })
    const all = [...Array(os.cpus().length).keys()]
    const one = JSON.parse(fs.readFileSync(path.join(dir, 'affinity-1.json'), 'utf8')) as number[][]
    const two = JSON.parse(fs.readFileSync(path.join(dir, 'affinity-2.json'), 'utf8')) as number[][]
    expect(one.every(c => c.length === all.length)).toBe(true)
    // The two OpenMP threads (the main thread is the team's first) each hold one CPU of their own.
    const bound = two.filter(c => c.length === 1).map(c => c[0])
    expect(new Set(bound).size).toBeGreaterThanOrEqual(2)
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('leaves a user\'s own OpenMP placement alone, and macOS (no thread affinity) unbound', () => {
    expect(bindingEnv(2, 'linux', {})).toEqual({ OMP_PROC_BIND: 'spread', OMP_PLACES: 'threads' })
    expect(bindingEnv(1, 'linux', {})).toEqual({})
    expect(bindingEnv(4, 'linux', { OMP_PROC_BIND: 'close' })).toEqual({})
    expect(bindingEnv(4, 'linux', { OMP_PLACES: 'cores' })).toEqual({})
    expect(bindingEnv(4, 'darwin', {})).toEqual({})
  })

  it('does not start copies the runner has no memory for, and says why', () => {
    const runner = facts({ memAvailable: 4096 * MiB })
    expect(referenceBlocker(2, runner, 1000 * MiB)).toBeNull()
    expect(referenceBlocker(4, runner, 1000 * MiB)).toBe('3 more single-thread process(es) would need about 4500 MiB (1000 MiB peak each, with headroom), and the runner has 4096 MiB available')
    expect(referenceBlocker(1, runner, 10 * MiB)).toMatch(/one usable CPU/)
    // Unknown memory (no /proc/meminfo) doesn't block: the copies are no larger than the workers already running.
    expect(referenceBlocker(4, facts({ memAvailable: null }), 1000 * MiB)).toBeNull()
  })
})
