/**
 * The real harness under real torch: thread control, and a workload that
 * raises, crashes or hangs gets a clear message while the other cases report.
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { measure, MeasureSetupError } from '../../src/measure/measure.js'
import { busyThreads, cpuPerWall } from '../../src/measure/rounds.js'
import { harnessPath } from '../../src/paths.js'
import { recordingLog, writeWorkload } from '../../__fixtures__/harness-run.js'
import { torchPython } from '../../__fixtures__/python.js'

const { log, messages } = recordingLog()
const workload = (body: string): { dir: string; file: string } => writeWorkload(body, 'tsc-harness-')

const decided = { isDecided: () => true }
const base = { harness: harnessPath(), threads: [1, 2], maxTime: 60, sampleSeconds: 0.05, minRounds: 2, maxRounds: 2, log }

describe('harness', () => {
  it('measures every case at every thread count; a serial Python loop uses one thread', async () => {
    const { dir, file } = workload(`
import torch, helper_mod
x = torch.rand(1 << 18)
def cases():
    return {"py-loop": lambda: sum(range(20000)), "digamma": lambda: torch.digamma(x), "helper": helper_mod.f}
`)
    // The working directory is on sys.path, as the workload contract says.
    fs.writeFileSync(path.join(dir, 'helper_mod.py'), 'def f():\n    return sum(range(1000))\n')
    const m = await measure({ ...base, python: torchPython(), workload: file, workdir: dir }, decided)
    expect(m.cases.map(c => c.name)).toEqual(['py-loop', 'digamma', 'helper'])
    expect(m.facts.torchVersion).toMatch(/^\d+\.\d+/)
    expect(m.facts.parallelBackend).toBe('OpenMP')
    expect(m.facts.usableCpus).toBeGreaterThanOrEqual(1)
    for (const c of [...m.cases, m.control]) {
      expect(c.error).toBeUndefined()
      expect(c.samples.map(s => [s.round, s.threads]).sort()).toEqual([[1, 1], [1, 2], [2, 1], [2, 2]])
    }
    for (const s of m.cases.flatMap(c => c.samples)) {
      expect(s.perCall).toHaveLength(Math.min(s.iters, 8))
      // /proc/stat ticks of the whole machine: steal never exceeds the total.
      const [steal, total] = s.steal as [number, number]
      expect(steal).toBeGreaterThanOrEqual(0)
      expect(total).toBeGreaterThanOrEqual(steal)
      expect(s.wait).toBeGreaterThanOrEqual(0)
    }
    expect(m.cases.flatMap(c => c.samples).reduce((a, s) => a + (s.steal as [number, number])[1], 0)).toBeGreaterThan(0)
    const loop = m.cases[0]
    expect(cpuPerWall(loop, 2)).toBeLessThan(1.3)
    expect(busyThreads(loop, 2)).toBe(1)
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("leaves the previous op's spin-wait tail out of the busy-thread count", () => {
    // A helper thread burns CPU (GIL released inside zlib) only during the
    // first half of the sample, as an OpenMP pool spins after a parallel op,
    // then stays alive but idle. Only the calling thread may count as busy.
    const script = `
import importlib.util, json, sys, threading, time, zlib
spec = importlib.util.spec_from_file_location("harness", sys.argv[1])
h = importlib.util.module_from_spec(spec); spec.loader.exec_module(h)
ITERS = 20
calls = [0]
burning = threading.Event(); burning.set()
stop = threading.Event()
idle = threading.Event()
data = bytes(range(256)) * 4096
burned = [0.0]
def burner():
    while burning.is_set():
        zlib.compress(data, 9)
    burned[0] = time.thread_time()
    idle.set()
    stop.wait()
t = threading.Thread(target=burner); t.start()
def fn():
    calls[0] += 1
    if calls[0] <= ITERS // 2:
        time.sleep(0.005)  # leaves the burner a CPU of its own
        if calls[0] == ITERS // 2:
            burning.clear()
            idle.wait()
    else:
        sum(range(200000))
s = h.run_sample(fn, ITERS)
stop.set(); t.join()
s["burned"] = burned[0]
print(json.dumps(s))
`
    const out = execFileSync(torchPython(), ['-c', script, harnessPath()], { encoding: 'utf8' })
    const sample = JSON.parse(out) as { iters: number; thread_cpu: number[]; burned: number }
    expect(sample.iters).toBe(20)
    const top = sample.thread_cpu[0]
    expect(top).toBeGreaterThan(0)
    // The burner did enough work to count as busy had it been in the window ...
    expect(sample.burned).toBeGreaterThan(top * 0.25)
    // ... but the window starts at the midpoint, after it went idle.
    expect(sample.thread_cpu.filter(x => x >= top * 0.25)).toHaveLength(1)
  })

  it('records the time its threads waited for a CPU that another process held', () => {
    // A busy loop and the sample share CPU 0, so the sample's thread waits about half the time.
    const hog = spawn('taskset', ['-c', '0', torchPython(), '-c', 'while True: pass'], { stdio: 'ignore' })
    try {
      const script = `
import importlib.util, json, sys, time
spec = importlib.util.spec_from_file_location("harness", sys.argv[1])
h = importlib.util.module_from_spec(spec); spec.loader.exec_module(h)
time.sleep(0.3)  # let the hog start
print(json.dumps(h.run_sample(lambda: sum(range(100000)), 100)))
`
      const alone = JSON.parse(execFileSync('taskset', ['-c', '1', torchPython(), '-c', script, harnessPath()], { encoding: 'utf8' })) as { wall: number; wait: number }
      const shared = JSON.parse(execFileSync('taskset', ['-c', '0', torchPython(), '-c', script, harnessPath()], { encoding: 'utf8' })) as { wall: number; wait: number }
      expect(shared.wait / shared.wall).toBeGreaterThan(0.2)
      expect(alone.wait / alone.wall).toBeLessThan(shared.wait / shared.wall)
    } finally {
      hog.kill('SIGKILL')
    }
  })

  it('measures only two rounds, for the report, when the binary alone fixes the verdict', async () => {
    const { dir, file } = workload('def cases():\n    return {"loop": lambda: sum(range(1000))}\n')
    const seen: string[] = []
    const m = await measure({
      ...base,
      minRounds: undefined,
      maxRounds: undefined,
      python: torchPython(),
      workload: file,
      workdir: dir
    }, {
      isDecided: () => false,
      staticVerdict: f => (seen.push(f.parallelBackend), 'The verdict is already FAIL from the binary alone.')
    })
    expect(seen).toEqual(['OpenMP'])
    expect(m.stoppedBy).toBe('static-verdict')
    expect(m.rounds).toBe(2)
    expect([...new Set(m.cases[0].samples.map(s => s.round))]).toEqual([1, 2])
    expect(messages.some(x => /already FAIL from the binary alone\. No timing can change that verdict, so only 2 round\(s\) are measured/.test(x))).toBe(true)
  })

  it('keeps measuring the other cases when one raises, one crashes and one hangs', async () => {
    const { dir, file } = workload(`
import os, time, torch
def boom():
    raise ValueError("bad shape 3x4")
def crash():
    os.abort()
def hang():
    time.sleep(3600)
def cases():
    return {"raises": boom, "crashes": crash, "hangs": hang, "fine": lambda: torch.ones(10).sum()}
`)
    // A roomy budget: restarting workers after a crash and two hangs is slow on a loaded machine.
    const m = await measure({ ...base, maxTime: 240, python: torchPython(), workload: file, workdir: dir, sampleTimeout: 5 }, decided)
    const byName = Object.fromEntries(m.cases.map(c => [c.name, c]))
    expect(byName.raises.error).toMatch(/raised ValueError: bad shape 3x4/)
    expect(byName.raises.error).toMatch(/Traceback/)
    expect(byName.crashes.error).toMatch(/was killed by SIGABRT/)
    expect(byName.hangs.error).toMatch(/gave no answer within 5 s and was stopped/)
    expect(byName.fine.error).toBeUndefined()
    expect(byName.fine.samples.length).toBe(4)
    expect(messages.some(x => /Case 'crashes'/.test(x))).toBe(true)
  })

  it('skips a case marked needs_cuda, and an unmarked one that raises for want of CUDA, with the reason; other errors stay errors', async () => {
    const { dir, file } = workload(`
import torch
def cases():
    def marked():
        torch.zeros(1, device="cuda")
    marked.needs_cuda = True
    def broken():
        raise RuntimeError("CUDA is fine, this is a bug in the case")
    return {"cpu": lambda: sum(range(1000)), "unmarked": lambda: torch.zeros(1, device="cuda"), "marked": marked, "bug": broken}
`)
    // Debian's torch is a CPU build: torch.cuda.is_available() is False.
    const m = await measure({ ...base, python: torchPython(), workload: file, workdir: dir }, decided)
    const byName = Object.fromEntries(m.cases.map(c => [c.name, c]))
    expect(m.cases.map(c => c.name).sort()).toEqual(['bug', 'cpu', 'marked', 'unmarked'])
    expect(byName.marked).toMatchObject({ samples: [], skipped: expect.stringMatching(/^needs CUDA \(needs_cuda = True\), and torch\.cuda\.is_available\(\) is False: this torch \(.*\) is a CPU build$/) })
    expect(byName.unmarked.skipped).toMatch(/^needs CUDA \(it raised AssertionError: Torch not compiled with CUDA enabled\), and torch\.cuda\.is_available\(\) is False/)
    for (const name of ['marked', 'unmarked']) expect(byName[name].error).toBeUndefined()
    expect(byName.bug.skipped).toBeUndefined()
    expect(byName.bug.error).toMatch(/RuntimeError: CUDA is fine, this is a bug in the case/)
    expect(byName.cpu.samples.length).toBeGreaterThan(0)
    expect(messages.some(l => /Case 'marked' skipped: needs CUDA/.test(l))).toBe(true)
  })

  it('says clearly when the workload does not import, with the traceback', async () => {
    const { dir, file } = workload('import no_such_extension_module\n')
    const err = await measure({ ...base, python: torchPython(), workload: file, workdir: dir }, decided).catch(e => e)
    expect(err).toBeInstanceOf(MeasureSetupError)
    expect(err.message).toMatch(/^Input 'workload': importing .*workload\.py failed \(ModuleNotFoundError: No module named 'no_such_extension_module'\)/)
    expect(err.details).toMatch(/Traceback/)
  })

  it('says clearly when cases() is missing or returns the wrong thing', async () => {
    for (const [body, msg] of [
      ['x = 1\n', /defines no cases\(\) function/],
      ['def cases():\n    return [1]\n', /returned list/],
      ['def cases():\n    return {"a": 3}\n', /case 'a' .* is int, not a zero-argument callable/]
    ] as const) {
      const { dir, file } = workload(body)
      await expect(measure({ ...base, python: torchPython(), workload: file, workdir: dir }, decided)).rejects.toThrow(msg)
    }
  })

  it('says clearly when the interpreter has no torch or does not exist', async () => {
    const { dir, file } = workload('def cases():\n    return {}\n')
    await expect(measure({ ...base, python: '/nonexistent/python3', workload: file, workdir: dir }, decided)).rejects.toThrow(/could not start with python '\/nonexistent\/python3'/)
    const fake = path.join(dir, 'notorch.sh')
    fs.writeFileSync(fake, `#!/bin/sh\nexec ${torchPython()} -S "$@"\n`, { mode: 0o755 })
    await expect(measure({ ...base, python: fake, workload: file, workdir: dir }, decided)).rejects.toThrow(/Input 'python': .* cannot import torch/)
  })
})
