import { describe, expect, it } from '@jest/globals'
import { caseSettled, CONFIRM_ROUNDS, LIMIT_MARGIN, REFERENCE_ROUNDS, RELATIVE_FAIL, SHORT_CALL_S, STEAL_LIMIT, STRADDLE_ROUNDS, WAIT_LIMIT } from '../../src/judge/case-verdict.js'
import { judge, worst } from '../../src/judge/judge.js'
import { threshold } from '../../src/judge/threshold.js'
import type { BinaryEvidence } from '../../src/inspect/types.js'
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

  it('calls a binary that imports torch_parallel_for parallel through libtorch, from the binary alone', () => {
    const stableBinary: BinaryEvidence[] = [{ path: '_C.abi3.so', images: [{ format: 'elf', arch: 'x86_64', stripped: true, openmp: openmp(false, ['torch_parallel_for']) }] }]
    for (const ev of [evidence({ binaries: stableBinary, sources: [], sourceFiles: 0 }), evidence({ binaries: stableBinary, sources: [hit('stable-parallel')] })]) {
      const j = judge(ev)
      expect(j.binaries[0]).toMatchObject({ verdict: 'pass', cause: 'stable-parallel', lostLines: [] })
      expect(j.binaries[0].reasons[0]).toMatch(/^Parallel through libtorch \(stable ABI\): it imports torch_parallel_for/)
    }
    // at::parallel_for lines compiled into it without OpenMP are still lost, stable calls or not.
    expect(judge(evidence({ binaries: stableBinary, sources: [hit('at-parallel')] })).binaries[0]).toMatchObject({ verdict: 'fail', cause: 'compiled-without-openmp' })
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

  it('on one usable CPU, says the control can\'t show a speedup rather than printing a missing number', () => {
    const m = measurement([measured('k', { 2: 1.0, 4: 1.0 })], measured('__control__', { 2: 1.0, 4: 1.0 }), 1)
    const j = judge(evidence({ measurement: m, facts: m.facts }))
    expect(j.cases[0]).toMatchObject({ verdict: 'inconclusive', cause: 'one-cpu' })
    expect(j.control?.reasons[0]).toBe("libtorch's own parallel op can't show a speedup on 1 thread: the runner has one usable CPU.")
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
    // What is true of the binary, in words that need no sources.
    expect(j.binaries[0].reasons[0]).toMatch(/^Serial as compiled: the binary imports no OpenMP fork entry .* and no parallel entry of libtorch \(torch_parallel_for\)/)
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
    // CPU/wall 2 at 4 threads: half the team sat idle.
    expect(k.cases[0].cause).toBe('partly-serial')
    expect(k.cases[0].reasons[0]).toMatch(/while libtorch's control op scaled on this runner, over 12 rounds.* Its threads sat idle for part of each call \(CPU time per wall time 2\.00, 2 busy thread\(s\)\): a serial part of the call/)
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
    expect(held.reasons[0]).toMatch(/this case's threads waited 20\.0% of their time for a CPU \(run delay: other processes held the CPUs/)
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

  it('fails a binary that imports GOMP when one of its TUs lost OpenMP, naming the file and line, and the nvcc flag for a .cu', () => {
    const pragma = { ...hit('omp-pragma', 41, 'csrc/oscillate.cu'), text: '#pragma omp parallel for schedule(static)' }
    const parallel: BinaryEvidence = { path: 'cuda_ext.so', images: [{ format: 'elf', arch: 'x86_64', stripped: false, openmp: openmp(true) }], lostTus: [{ file: 'csrc/oscillate.cu', family: 'nvcc', hits: [pragma] }] }
    const m = measurement([measured('k', { 2: 1.95, 4: 3.8 })])
    const j = judge(evidence({ binaries: [parallel], sources: [hit('at-parallel', 30, 'csrc/ops.cpp'), pragma], measurement: m, facts: m.facts }))
    expect(j.verdict).toBe('fail')
    expect(j.binaries[0]).toMatchObject({ verdict: 'fail', cause: 'tu-without-openmp', lostLines: [pragma] })
    expect(j.reasons[0]).toBe("cuda_ext.so: 1 translation unit(s) were compiled without OpenMP, though the binary imports GOMP_parallel from the others: csrc/oscillate.cu:41 ('#pragma omp parallel for schedule(static)').")
    expect(j.binaries[0].reasons[1]).toMatch(/^nvcc compiled csrc\/oscillate\.cu without passing -fopenmp to its host compiler.*"-Xcompiler", "-fopenmp"/)
    // Without the audit's finding the same binary passes: its imports are all the binary shows.
    const { lostTus: _, ...noAudit } = parallel
    expect(judge(evidence({ binaries: [noAudit] })).binaries[0].cause).toBe('openmp-compiled-in')
  })

  it('adds the nvcc flag to the reasons of a binary compiled without any OpenMP that has a .cu TU', () => {
    const j = judge(evidence({ binaries: [{ ...serialBinary[0], lostTus: [{ file: 'k.cu', family: 'nvcc', hits: [hit('omp-pragma', 3, 'k.cu')] }] }], sources: [hit('omp-pragma', 3, 'k.cu')] }))
    expect(j.binaries[0].cause).toBe('compiled-without-openmp')
    expect(j.binaries[0].reasons.join(' ')).toMatch(/nvcc compiled k\.cu .*-Xcompiler/)
  })

  it('skips a case that needs CUDA on a runner without it, with the reason, and reports a GPU case for information only', () => {
    const noGpu = { name: 'gpu', iters: 0, samples: [], skipped: 'needs CUDA (needs_cuda = True), and torch.cuda.is_available() is False on this runner' }
    const gpu = { ...measured('gpu-timed', { 2: 1.0, 4: 1.0 }), gpu: true }
    const m = measurement([measured('cpu', { 2: 1.9, 4: 3.6 }), noGpu, gpu])
    const j = judge(evidence({ measurement: m, facts: m.facts }))
    expect(j.cases.map(c => [c.name, c.verdict, c.cause])).toEqual([
      ['cpu', 'pass', 'scales'],
      ['gpu', 'skipped', 'needs-cuda'],
      ['gpu-timed', 'skipped', 'gpu-case']
    ])
    expect(j.cases[1].reasons[0]).toBe('Skipped: needs CUDA (needs_cuda = True), and torch.cuda.is_available() is False on this runner.')
    expect(j.cases[1].error).toBeUndefined()
    expect(j.cases[2].reasons[0]).toMatch(/^Runs on the GPU \(needs_cuda\): [\d.]+ ms per call at 1 thread, timed for information/)
    expect(j.verdict).toBe('pass')
  })

  it('orders verdicts fail > inconclusive > pass > skipped', () => {
    expect(worst(['pass', 'skipped'])).toBe('pass')
    expect(worst(['pass', 'inconclusive', 'skipped'])).toBe('inconclusive')
    expect(worst(['inconclusive', 'fail'])).toBe('fail')
    expect(worst([])).toBe('skipped')
  })
})

describe('judge against the throughput reference (n single-thread copies at once)', () => {
  // A 2-CPU runner: judged at 2 threads, 1.5x required.
  const onTwo = (c: Measurement['cases'][number], control = measured('__control__', { 2: 1.9, 4: 1.9 })): Measurement => ({ ...measurement([c], control, 2), reference: referenceInfo(2) })
  const judgeOne = (c: Measurement['cases'][number], control?: Measurement['cases'][number]) => {
    const m = onTwo(c, control)
    return judge(evidence({ measurement: m, facts: m.facts })).cases[0]
  }
  const withWait = (c: Measurement['cases'][number], share: number) => ({ ...c, samples: c.samples.map(s => ({ ...s, wait: s.wall * s.threads * share })) })

  it('passes a kernel that meets the requirement and says what its copies reached', () => {
    const k = judgeOne(measured('k', { 2: 1.9 }, 6, 1.95, { 2: 1.95 }))
    expect(k).toMatchObject({ verdict: 'pass', cause: 'scales' })
    expect(k.reference?.throughput.estimate).toBeCloseTo(1.95, 1)
    expect(k.reasons[0]).toMatch(/2 independent single-thread copies of the same call reached 1\.95x at the same time, and the kernel 9\d%/)
  })

  it('fails a kernel whose busy threads are clearly slower than its copies (false sharing), with a contention reason', () => {
    const k = judgeOne(measured('false_sharing', { 2: 0.6 }, REFERENCE_ROUNDS, 2, { 2: 1.9 }))
    expect(k).toMatchObject({ verdict: 'fail', cause: 'contention' })
    expect(k.reference?.relative.high).toBeLessThan(RELATIVE_FAIL)
    expect(k.reasons[0]).toMatch(/clearly below what 2 independent single-thread copies of the same call reached at the same time, 1\.90x: the kernel got 32% .* 2 threads were busy .*false sharing/)
  })

  it('fails regardless of a flat control op: the copies, not digamma, say what the runner gives this work', () => {
    const k = judgeOne(measured('k', { 2: 0.6 }, REFERENCE_ROUNDS, 2, { 2: 1.9 }), measured('__control__', { 2: 1.0, 4: 1.0 }, 8, 2))
    expect(k.verdict).toBe('fail')
  })

  it('is inconclusive, not failed, when the copies themselves fall short and the kernel reaches about what they did', () => {
    // The slow spell: gather held at 1.30x while digamma scaled.
    const k = judgeOne(measured('gather', { 2: 1.3 }, 8, 1.9, { 2: 1.31 }))
    expect(k).toMatchObject({ verdict: 'inconclusive', cause: 'runner-limit' })
    expect(k.reasons[0]).toMatch(/this runner gives at most 1\.31x for this kernel's kind of work \(2 independent single-thread copies of the same call at once\), and the kernel reached 99% .*as parallel as this runner allows/)
  })

  it('says the threads sat idle when a kernel falls short of its copies with CPU time to spare (a serial part, Amdahl)', () => {
    // 40% of each call outside parallel_for: 1.43x at 2 threads, CPU/wall 1.4.
    const partly = measured('partly', { 2: 1.43 }, REFERENCE_ROUNDS, 1.4, { 2: 1.95 })
    // The calling thread works all call long; the other only in the parallel part.
    partly.samples = partly.samples.map(s => (s.threads === 2 ? { ...s, threadCpu: [s.wall, s.wall * 0.4] } : s))
    const k = judgeOne(partly)
    expect(k).toMatchObject({ verdict: 'fail', cause: 'partly-serial' })
    expect(k.reasons[0]).toMatch(/Its threads sat idle for part of each call .*a serial part of the call \(work outside parallel_for, Amdahl's law\)/)
  })

  it('says too little work per call when a short call falls short of its copies', () => {
    const k = measured('tiny', { 2: 0.9 }, REFERENCE_ROUNDS, 2, { 2: 1.9 })
    // 10 iterations per sample: a sample of SHORT_CALL_S * 5 makes one call half the bar.
    k.samples = k.samples.map(s => ({ ...s, wall: (s.wall / 0.2) * SHORT_CALL_S * 5, cpu: (s.cpu / 0.2) * SHORT_CALL_S * 5 }))
    k.reference = k.reference?.map(r => ({ ...r, perCopy: r.perCopy.map(x => (x / 0.02) * SHORT_CALL_S * 0.5), cpuPerCopy: r.perCopy.map(x => (x / 0.02) * SHORT_CALL_S * 0.5) }))
    const j = judgeOne(k)
    expect(j).toMatchObject({ verdict: 'fail', cause: 'too-little-work' })
    expect(j.reasons[0]).toMatch(/One call takes 10\d µs on one thread: too little work/)
  })

  it('keeps measuring a kernel clearly below its copies until REFERENCE_ROUNDS rounds confirm it', () => {
    const t = threshold(2, [1, 2, 4], 2)
    const control = measured('__control__', { 2: 1.9 })
    expect(caseSettled(measured('k', { 2: 0.6 }, REFERENCE_ROUNDS - 1, 2, { 2: 1.9 }), control, t)).toBe(false)
    expect(caseSettled(measured('k', { 2: 0.6 }, REFERENCE_ROUNDS, 2, { 2: 1.9 }), control, t)).toBe(true)
    // At the runner's limit there is nothing to confirm.
    expect(caseSettled(measured('k', { 2: 1.3 }, 4, 1.9, { 2: 1.31 }), control, t)).toBe(true)
    // Rounds on both sides of the bar: keep going.
    const close = measured('k', { 2: 1.3 }, 8, 1.9, { 2: 1.3 / RELATIVE_FAIL })
    close.reference = close.reference?.map(r => ({ ...r, perCopy: r.perCopy.map(x => x * (r.round % 2 ? 1.1 : 0.9)) }))
    expect(caseSettled(close, control, t)).toBe(false)
  })

  it('never fails a kernel below its copies while other processes take CPUs: a sound team and a contended one look alike', () => {
    // A sound kernel behind a CPU hog: the team waits for its slowest thread at
    // every barrier, so it falls to about half of what the copies reach.
    const behindHog = measured('gather', { 2: 0.95 }, REFERENCE_ROUNDS, 0.95 * 1.05, { 2: 1.9 })
    // Both threads worked, each about half the time.
    behindHog.samples = behindHog.samples.map(s => (s.threads === 2 ? { ...s, threadCpu: [s.cpu / 2, s.cpu / 2] } : s))
    const sound = judgeOne(withWait(behindHog, 0.3))
    expect(sound.reference?.relative.high).toBeLessThan(RELATIVE_FAIL)
    expect(sound).toMatchObject({ verdict: 'inconclusive', cause: 'cpu-withheld' })
    expect(sound.reasons[0]).toMatch(/this case's threads waited 30\.0% of their time for a CPU .*a team waits for its slowest thread at every barrier and copies don't/)
    // False sharing behind the same hog is inconclusive too; on an idle runner it fails (above).
    const sharing = judgeOne(withWait(measured('false_sharing', { 2: 0.6 }, REFERENCE_ROUNDS, 2, { 2: 1.9 }), 0.3))
    expect(sharing).toMatchObject({ verdict: 'inconclusive', cause: 'cpu-withheld' })
    // Below the run-delay limit the runner counts as idle, and the same kernel fails.
    expect(judgeOne(withWait(measured('false_sharing', { 2: 0.6 }, REFERENCE_ROUNDS, 2, { 2: 1.9 }), WAIT_LIMIT / 5))).toMatchObject({ verdict: 'fail', cause: 'contention' })
    // Settled once confirmed, so a loaded runner doesn't hold the check to max-time.
    const t = threshold(2, [1, 2, 4], 2)
    expect(caseSettled(withWait(behindHog, 0.3), measured('__control__', { 2: 1.9 }), t)).toBe(true)
  })

  it('never fails a sound kernel on vCPUs of different speeds: an even split waits for the slow one, copies don\'t', () => {
    // The runner of 2026-12-03: one vCPU at 0.062 s a call, the other at 0.095,
    // and the single-thread process on the fast one. A sound team of two
    // finishes in 0.095 / 2: 1.31x, 0.77 of the copies' sum, yet all of what
    // two equal chunks can reach there.
    const uneven = (t2: number): Measurement['cases'][number] => {
      const k = measured('k', { 2: 1.3 }, REFERENCE_ROUNDS + 2, 2, { 2: 1.9 })
      const jitter = (s: { round: number }) => 1 + (s.round % 3) / 300
      k.samples = k.samples.map(x => ({ ...x, wall: (x.threads === 1 ? 0.62 : t2 * 10) * jitter(x), cpu: (x.threads === 1 ? 0.62 : t2 * 20) * jitter(x) }))
      k.reference = k.reference?.map(r => ({ ...r, perCopy: [0.062, 0.095], cpuPerCopy: [0.062, 0.095] }))
      return k
    }
    const sound = judgeOne(uneven(0.095 / 2))
    expect(sound.judged?.high).toBeLessThan(1.5)
    expect(sound.reference?.relative.low).toBeGreaterThan(RELATIVE_FAIL)
    expect(sound).toMatchObject({ verdict: 'inconclusive', cause: 'runner-limit' })
    // Threads that fight over a cache line still fail there: 0.2 s a call on two busy threads.
    expect(judgeOne(uneven(0.2))).toMatchObject({ verdict: 'fail', cause: 'contention' })
  })

  it('still fails a kernel that ran on one thread, whatever its copies reached', () => {
    const k = judgeOne(measured('k', { 2: 1.0 }, 4, 1, { 2: 1.1 }))
    expect(k).toMatchObject({ verdict: 'fail', cause: 'serial' })
  })

  it('gives the speedup at the judged thread count, not the largest one measured', () => {
    const m = onTwo(measured('k', { 2: 1.9, 4: 1.6 }, 6, 1.95, { 2: 1.95 }))
    expect(judge(evidence({ measurement: m, facts: m.facts })).cases[0].judged?.estimate).toBeCloseTo(1.9, 1)
  })
})

describe('a speedup that straddles the requirement', () => {
  const t = threshold(2, [1, 2, 4], 2)
  const control = measured('__control__', { 2: 1.9 })
  const straddling = (rounds: number, copies: number) => {
    const k = measured('k', { 2: 1.5 }, rounds, 1.95, { 2: copies })
    // Every other round a little faster, every other a little slower: the interval holds 1.5.
    k.samples = k.samples.map(s => (s.threads === 2 ? { ...s, wall: s.wall * (s.round % 2 ? 1.05 : 0.95) } : s))
    return k
  }

  it('is left inconclusive at the runner\'s limit after STRADDLE_ROUNDS, when the kernel keeps up with its copies', () => {
    expect(caseSettled(straddling(STRADDLE_ROUNDS - 1, 1.5), control, t)).toBe(false)
    expect(caseSettled(straddling(STRADDLE_ROUNDS, 1.5), control, t)).toBe(true)
    const m = { ...measurementOf([straddling(STRADDLE_ROUNDS, 1.5)]), reference: referenceInfo(2) }
    const k = judge(evidence({ measurement: m, facts: m.facts })).cases[0]
    expect(k).toMatchObject({ verdict: 'inconclusive', cause: 'runner-limit' })
    expect(k.reasons[0]).toMatch(/straddles the required 1\.50x after 12 rounds, while 2 independent single-thread copies .* reached 1\.50x .*this runner's limit sits at the requirement/)
  })

  it('keeps measuring while the kernel\'s own median clears the runner\'s limit margin: the straddle is a few slow rounds', () => {
    // Copies at 1.5x (an even split on vCPUs of different speeds), the kernel at 1.75x but for a few slow rounds.
    const k = measured('k', { 2: 1.75 }, STRADDLE_ROUNDS * 2, 1.95, { 2: 1.5 })
    k.samples = k.samples.map(s => (s.threads === 2 && s.round % 3 === 0 ? { ...s, wall: s.wall * 1.4 } : s))
    const d = judge(evidence({ measurement: { ...measurementOf([k]), reference: referenceInfo(2) }, facts: facts({ usableCpus: 2 }) })).cases[0]
    expect(d.judged?.estimate).toBeGreaterThan(1.5 * LIMIT_MARGIN)
    expect(d.judged?.low).toBeLessThan(1.5)
    expect(caseSettled(k, control, t)).toBe(false)
  })

  it('keeps measuring while the kernel falls short of its copies: it may still fail', () => {
    expect(caseSettled(straddling(STRADDLE_ROUNDS * 2, 2.0), control, t)).toBe(false)
  })

  it('keeps measuring while the copies clear the requirement with room to spare: the kernel may still pass', () => {
    // Copies at 1.7x, over 1.1 x 1.5: the runner allows the requirement, so the straddle is noise to outlast.
    expect(1.5 * LIMIT_MARGIN).toBeLessThan(1.7)
    expect(caseSettled(straddling(STRADDLE_ROUNDS * 2, 1.7), control, t)).toBe(false)
    expect(caseSettled(straddling(STRADDLE_ROUNDS * 2, 1.6), control, t)).toBe(true)
  })
})

function measurementOf(cases: Measurement['cases']): Measurement {
  return { facts: facts({ usableCpus: 2 }), threads: [1, 2, 4], cases, control: measured('__control__', { 2: 1.9 }), workloadInfo: {}, rounds: 8, seconds: 10, stoppedBy: 'decided', reference: referenceInfo(0) }
}
