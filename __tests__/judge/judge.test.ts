import { describe, expect, it } from '@jest/globals'
import { caseSettled, CONFIRM_ROUNDS, STEAL_LIMIT, WAIT_LIMIT } from '../../src/judge/case-verdict.js'
import { judge, threshold, worst } from '../../src/judge/judge.js'
import type { BinaryEvidence } from '../../src/judge/types.js'
import type { Measurement } from '../../src/measure/types.js'
import { evidence, facts, hit, measured, openmp, referenceInfo } from '../../__fixtures__/evidence.js'

const serialBinary: BinaryEvidence[] = [{ path: '_C.so', images: [{ format: 'elf', arch: 'x86_64', stripped: true, openmp: openmp(false) }] }]

function measurement(cases: Measurement['cases'], control = measured('__control__', { 2: 1.9, 4: 3.6 }), usableCpus = 4): Measurement {
  return { facts: facts({ usableCpus }), threads: [1, 2, 4], cases, control, workloadInfo: {}, rounds: 8, seconds: 10, stoppedBy: 'decided', reference: referenceInfo(0, 'the runner had too little memory') }
}

describe('judge', () => {
  it('fails a binary without OpenMP whose sources call parallel_for, whatever the timings say', () => {
    const m = measurement([measured('k', { 2: 1.95, 4: 3.8 })])
    const j = judge(evidence({ binaries: serialBinary, measurement: m, facts: m.facts }))
    expect(j.verdict).toBe('fail')
    expect(j.binaries[0].cause).toBe('compiled-without-openmp')
    expect(j.binaries[0].lostLines).toHaveLength(1)
    expect(j.reasons[0]).toMatch(/_C\.so: Compiled without OpenMP/)
    expect(j.binaries[0].reasons.join(' ')).toMatch(/#ifdef _OPENMP/)
  })

  it('does not flag parallel_for under torch\'s native thread-pool backend, nor torch::stable', () => {
    const native = judge(evidence({ binaries: serialBinary, facts: facts({ parallelBackend: 'native thread pool' }) }))
    expect(native.binaries[0]).toMatchObject({ verdict: 'pass', cause: 'native-backend' })
    const stable = judge(evidence({ binaries: serialBinary, sources: [hit('stable-parallel')] }))
    expect(stable.binaries[0]).toMatchObject({ verdict: 'pass', cause: 'stable-parallel' })
  })

  it('judges each binary by the sources compiled into it, when the build says which', () => {
    const parallelOnly: BinaryEvidence = { ...serialBinary[0], path: 'b.so', sources: [], sourceFiles: 1, sourcesHow: 'from the build log' }
    const j = judge(evidence({ binaries: [{ ...serialBinary[0], sources: [hit('at-parallel', 5, 'a.cpp')], sourceFiles: 1 }, parallelOnly], sources: [hit('at-parallel', 5, 'a.cpp')] }))
    expect(j.binaries.map(b => [b.path, b.verdict, b.cause])).toEqual([
      ['_C.so', 'fail', 'compiled-without-openmp'],
      ['b.so', 'skipped', 'serial-by-design']
    ])
  })

  it('fails a binary whose OpenMP runtime cannot live next to torch\'s, and warns about two pools', () => {
    const torch = { library: 'libgomp.so.1', family: 'gnu' as const }
    const finding = (severity: 'error' | 'warning') => ({ code: severity === 'error' ? ('duplicate-libomp' as const) : ('two-runtimes' as const), severity, extension: { library: 'libomp.dylib', family: 'llvm' as const }, torch, summary: 'Second runtime.', effect: 'It aborts.', fix: ["Link torch's libomp."] })
    const broken = judge(evidence({ binaries: [{ path: '_C.so', images: [{ format: 'macho', arch: 'arm64', stripped: false, openmp: openmp(true) }], runtimeFindings: [finding('error')] }] }))
    expect(broken.binaries[0]).toMatchObject({ verdict: 'fail', cause: 'openmp-runtime-conflict' })
    expect(broken.binaries[0].reasons[0]).toBe("Second runtime. It aborts. Fix: Link torch's libomp.")
    const warned = judge(evidence({ binaries: [{ path: '_C.so', images: [{ format: 'elf', arch: 'x86_64', stripped: false, openmp: openmp(true) }], runtimeFindings: [finding('warning')] }] }))
    expect(warned.binaries[0]).toMatchObject({ verdict: 'pass', cause: 'openmp-compiled-in' })
    expect(warned.binaries[0].reasons).toHaveLength(2)
  })

  it('fails #pragma omp without OpenMP even under the native backend', () => {
    const j = judge(evidence({ binaries: serialBinary, sources: [hit('omp-pragma')], facts: facts({ parallelBackend: 'native thread pool' }) }))
    expect(j.binaries[0].verdict).toBe('fail')
  })

  it('calls sources with no parallel construct serial by design, not a failure', () => {
    const j = judge(evidence({ binaries: serialBinary, sources: [] }))
    expect(j.verdict).toBe('skipped')
    expect(j.binaries[0].cause).toBe('serial-by-design')
    expect(j.binaries[0].reasons[0]).toMatch(/Serial by design/)
  })

  it('does not hold serial-by-design kernels to min-speedup, and says so', () => {
    const m = measurement([measured('nms', { 2: 1.0, 4: 1.0 }, 8, 1)])
    const j = judge(evidence({ binaries: serialBinary, sources: [], measurement: m, facts: m.facts }))
    expect(j.binaries[0].cause).toBe('serial-by-design')
    expect(j.cases[0].verdict).toBe('skipped')
    expect(j.cases[0].reasons[0]).toMatch(/^Serial by design/)
    expect(j.verdict).toBe('skipped')
  })

  it('does not call a binary serial by design when no sources were scanned', () => {
    const j = judge(evidence({ binaries: serialBinary, sources: [], sourceFiles: 0 }))
    expect(j.binaries[0]).toMatchObject({ verdict: 'inconclusive', cause: 'no-sources' })
  })

  it('passes a case whose interval clears the threshold at 4 threads', () => {
    const m = measurement([measured('k', { 2: 1.9, 4: 3.5 })])
    const j = judge(evidence({ measurement: m, facts: m.facts }))
    expect(j.verdict).toBe('pass')
    expect(j.threshold).toEqual({ minSpeedup: 2, judgedThreads: 4, required: 2 })
    expect(j.cases[0].judged?.estimate).toBeCloseTo(3.5, 1)
  })

  it('fails a flat case when the control scales, and says the kernel ran serially', () => {
    const m = measurement([measured('k', { 2: 1.0, 4: 1.0 }, 8, 1)])
    const j = judge(evidence({ measurement: m, facts: m.facts }))
    expect(j.cases[0].verdict).toBe('fail')
    expect(j.cases[0].reasons[0]).toMatch(/ran serially/)
    expect(j.verdict).toBe('fail')
  })

  it('is inconclusive when a parallel kernel and the control are both flat (a loaded runner)', () => {
    const m = measurement([measured('k', { 2: 1.0, 4: 1.0 }, 8, 2)], measured('__control__', { 2: 1.05, 4: 1.1 }))
    const j = judge(evidence({ measurement: m, facts: m.facts }))
    expect(j.controlScales).toBe(false)
    expect(j.cases[0].rows.find(r => r.threads === 4)?.busyThreads).toBe(2)
    expect(j.cases[0].verdict).toBe('inconclusive')
    expect(j.cases[0].reasons[0]).toMatch(/control op did not scale either.*No throughput reference ran \(the runner had too little memory\).*2 busy thread\(s\)/)
    expect(j.cases[0].cause).toBe('control-flat')
    expect(j.verdict).toBe('inconclusive')
  })

  it('fails a parallel kernel that does not scale only once confirmed over CONFIRM_ROUNDS rounds', () => {
    // Two busy threads, 1.2x, while the control scales: memory-bound, or a slow spell of the runner.
    const early = measurement([measured('k', { 2: 1.2, 4: 1.2 }, CONFIRM_ROUNDS - 1, 2)])
    const j = judge(evidence({ measurement: early, facts: early.facts }))
    expect(j.controlScales).toBe(true)
    expect(j.cases[0].verdict).toBe('inconclusive')
    expect(j.cases[0].reasons[0]).toMatch(new RegExp(`fails only after ${CONFIRM_ROUNDS} rounds.*ran out after ${CONFIRM_ROUNDS - 1}\\. Raise max-time`))
    const late = measurement([measured('k', { 2: 1.2, 4: 1.2 }, CONFIRM_ROUNDS, 2)])
    const k = judge(evidence({ measurement: late, facts: late.facts }))
    expect(k.cases[0].verdict).toBe('fail')
    expect(k.cases[0].reasons[0]).toMatch(/while libtorch's control op scaled on this runner, over 12 rounds.* 2 threads were busy .* yet slower than separate processes/)
    // A serial kernel needs no confirmation.
    const serial = measurement([measured('k', { 2: 1.0, 4: 1.0 }, 4, 1)])
    expect(judge(evidence({ measurement: serial, facts: serial.facts })).cases[0].verdict).toBe('fail')
  })

  it('does not fail a parallel kernel whose threads waited for vCPUs the hypervisor stole', () => {
    const withSteal = (share: number) => {
      const k = measured('k', { 2: 1.2, 4: 1.2 }, CONFIRM_ROUNDS, 2)
      // 30 ticks per sample (2 CPUs, 0.15 s); `share` of them stolen.
      k.samples = k.samples.map(s => ({ ...s, steal: [Math.round(30 * share), 30] as [number, number] }))
      const m = measurement([k])
      return judge(evidence({ measurement: m, facts: m.facts })).cases[0]
    }
    const stolen = withSteal(0.1)
    expect(stolen.verdict).toBe('inconclusive')
    expect(stolen.reasons[0]).toMatch(/the hypervisor took 10\.0% of the CPUs' time while this case ran \(steal\)/)
    expect(withSteal(STEAL_LIMIT / 3).verdict).toBe('fail')
    // A kernel that ran on one thread fails whatever the steal: steal doesn't make threads idle.
    const serial = measured('k', { 2: 1.0, 4: 1.0 }, 4, 1)
    serial.samples = serial.samples.map(s => ({ ...s, steal: [3, 30] as [number, number] }))
    const m = measurement([serial])
    expect(judge(evidence({ measurement: m, facts: m.facts })).cases[0].verdict).toBe('fail')
  })

  it('does not fail a parallel kernel whose threads waited for CPUs another process held', () => {
    const withWait = (share: number) => {
      const k = measured('k', { 2: 1.2, 4: 1.2 }, CONFIRM_ROUNDS, 2)
      k.samples = k.samples.map(s => ({ ...s, wait: s.wall * s.threads * share }))
      const m = measurement([k])
      return judge(evidence({ measurement: m, facts: m.facts })).cases[0]
    }
    const held = withWait(0.2)
    expect(held.verdict).toBe('inconclusive')
    expect(held.reasons[0]).toMatch(/other processes on the runner held the CPUs for 20\.0% of this case's thread time/)
    expect(withWait(WAIT_LIMIT / 5).verdict).toBe('fail')
  })

  it('keeps measuring exactly while more rounds could change a verdict', () => {
    const t = threshold(2, [1, 2, 4], 4)
    const scales = measured('__control__', { 2: 1.9, 4: 3.6 }, 4)
    const flatControl = measured('__control__', { 2: 1.0, 4: 1.0 }, 4, 2)
    const parallelFlat = (rounds: number) => measured('k', { 2: 1.2, 4: 1.2 }, rounds, 2)
    expect(caseSettled(measured('k', { 2: 1.9, 4: 3.5 }, 4), scales, t)).toBe(true) // above
    expect(caseSettled(measured('k', { 2: 1.0, 4: 1.0 }, 4, 1), scales, t)).toBe(true) // serial, below
    expect(caseSettled(parallelFlat(4), scales, t)).toBe(false) // parallel, below, not yet confirmed
    expect(caseSettled(parallelFlat(CONFIRM_ROUNDS), scales, t)).toBe(true)
    expect(caseSettled(parallelFlat(4), flatControl, t)).toBe(true) // loaded runner: inconclusive anyway
    expect(caseSettled(parallelFlat(4), { ...scales, error: 'crashed' }, t)).toBe(true)
    expect(caseSettled(flatControl, flatControl, t)).toBe(true) // the control itself
    // An interval that straddles the threshold is never settled.
    const straddling = measured('k', { 2: 1.9, 4: 2.0 }, 4)
    straddling.samples = straddling.samples.map(s => (s.threads === 4 && s.round % 2 ? { ...s, wall: s.wall * 1.3 } : s))
    expect(caseSettled(straddling, scales, t)).toBe(false)
  })

  it('still fails a kernel that ran on one thread when the control is flat: load does not explain it', () => {
    const m = measurement([measured('k', { 2: 1.0, 4: 1.0 }, 8, 1)], measured('__control__', { 2: 1.05, 4: 1.1 }))
    const j = judge(evidence({ measurement: m, facts: m.facts }))
    expect(j.cases[0].verdict).toBe('fail')
    expect(j.cases[0].reasons[0]).toMatch(/Only one thread did the work/)
  })

  it('stays inconclusive without per-thread CPU times (no /proc)', () => {
    const flat = measured('k', { 2: 1.0, 4: 1.0 }, 8, 1)
    flat.samples = flat.samples.map(x => ({ ...x, threadCpu: null }))
    const m = measurement([flat], measured('__control__', { 2: 1.05, 4: 1.1 }))
    expect(judge(evidence({ measurement: m, facts: m.facts })).cases[0].verdict).toBe('inconclusive')
  })

  it('translates the threshold on a 2-CPU runner and judges at 2 threads', () => {
    const m = measurement([measured('k', { 2: 1.7, 4: 1.7 })], measured('__control__', { 2: 1.9, 4: 1.9 }), 2)
    const j = judge(evidence({ measurement: m, facts: m.facts }))
    expect(j.threshold.judgedThreads).toBe(2)
    expect(j.threshold.required).toBeCloseTo(1.5, 10)
    expect(j.threshold.note).toMatch(/2 usable CPU\(s\), so 4 threads would be oversubscribed/)
    expect(j.cases[0].verdict).toBe('pass')
    expect(j.cases[0].rows.find(r => r.threads === 4)?.oversubscribed).toBe(true)
  })

  it('is inconclusive on a single usable CPU', () => {
    const m = measurement([measured('k', { 2: 1, 4: 1 })], undefined, 1)
    expect(judge(evidence({ measurement: m, facts: m.facts })).cases[0].verdict).toBe('inconclusive')
  })

  it('skips a case that raised, keeping its error, and still judges the others', () => {
    const bad = { ...measured('bad', {}), error: 'Run at 2 thread(s) raised ValueError: boom' }
    const m = measurement([bad, measured('ok', { 2: 1.9, 4: 3.6 })])
    const j = judge(evidence({ measurement: m, facts: m.facts }))
    expect(j.cases.map(c => c.verdict)).toEqual(['skipped', 'pass'])
    expect(j.cases[0].reasons[0]).toMatch(/ValueError: boom/)
  })

  it('orders verdicts fail > inconclusive > pass > skipped', () => {
    expect(worst(['pass', 'skipped'])).toBe('pass')
    expect(worst(['pass', 'inconclusive', 'skipped'])).toBe('inconclusive')
    expect(worst(['inconclusive', 'fail'])).toBe('fail')
    expect(worst([])).toBe('skipped')
  })
})
