import { judge } from '../src/judge/judge.js'
import type { Report } from '../src/report/types.js'
import { evidence, hit, measured, openmp } from './evidence.js'

/** A complete, schema-valid report built from judge output, as the pipeline makes one. */
export function makeReport(kind: 'pass' | 'fail-static' | 'fail-timing' = 'pass', lostLines = 1): Report {
  const serial = kind === 'fail-static'
  const sources = Array.from({ length: lostLines }, (_, i) => hit('at-parallel', 10 + i, i % 2 ? 'csrc/b.cpp' : 'csrc/a.cpp'))
  // Each case also ran as 4 single-thread copies at once (the throughput reference).
  const cases = [measured('elementwise', kind === 'pass' ? { 2: 1.9, 4: 3.6 } : { 2: 1, 4: 1 }, 8, kind === 'pass' ? undefined : 1, { 4: 3.8 })]
  const control = measured('__control__', { 2: 1.9, 4: 3.7 })
  const ev = evidence({
    binaries: [{ path: 'parallel_ext.so', images: [{ format: 'elf', arch: 'x86_64', stripped: false, openmp: openmp(!serial) }] }],
    sources,
    measurement: { facts: evidence().facts, threads: [1, 2, 4], cases, control, workloadInfo: {}, rounds: 8, seconds: 12, stoppedBy: 'decided', reference: { copies: 4, skipped: null, peakRss: [{ process: '1 thread', bytes: 300 * 2 ** 20 }, { process: 'copy 2', bytes: 310 * 2 ** 20 }] } }
  })
  const j = judge(ev)
  return {
    schema: 'thread-scaling-check/report',
    version: '1.0',
    tool: { name: 'thread-scaling-check', version: '0.0.0-test' },
    createdAt: '2026-11-21T00:00:00.000Z',
    verdict: j.verdict,
    reasons: j.reasons,
    speedup: j.cases[0].judged?.estimate ?? null,
    settings: { workingDirectory: '/w', buildCommand: 'python3 setup.py build_ext --inplace', workload: '/w/workload.py', threads: [1, 2, 4], minSpeedup: 2, failOn: 'fail', maxTime: 90 },
    runner: { ...ev.facts, os: 'Linux', arch: 'X64' },
    threshold: j.threshold,
    build: null,
    remediation: null,
    binaries: j.binaries.map((b, i) => ({ ...b, images: ev.binaries[i].images })),
    sources,
    cases: j.cases,
    control: j.control,
    controlScales: j.controlScales,
    measurement: {
      rounds: 8,
      seconds: 12,
      stoppedBy: 'decided',
      workloadInfo: {},
      reference: ev.measurement?.reference,
      samples: [...cases, control].map(c => ({ name: c.name, iters: c.iters, samples: c.samples, ...(c.reference ? { reference: c.reference } : {}) }))
    },
    errors: []
  }
}
