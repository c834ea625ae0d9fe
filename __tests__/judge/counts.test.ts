/**
 * The region counter's evidence in the judge: counted, not inferred. An
 * extension with OpenMP compiled in that opened no region fails whatever
 * libtorch's threads did; without counts every verdict stays as it was.
 */
import { describe, expect, it } from '@jest/globals'
import { caseSettled } from '../../src/judge/case-verdict.js'
import { rowRegions } from '../../src/judge/counts.js'
import { amdahl } from '../../src/judge/amdahl.js'
import { judge } from '../../src/judge/judge.js'
import { threshold } from '../../src/judge/threshold.js'
import type { CaseMeasurement, CountingInfo, Measurement, ObjectRegions } from '../../src/measure/types.js'
import { evidence, facts, measured, referenceInfo } from '../../__fixtures__/evidence.js'

const EXT = '/work/ext/_C.so'
const LIBTORCH = '/usr/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13'
const counted: CountingInfo = { available: true, reason: null, extensions: [EXT], mapped: [EXT] }

/** Adds the counter's per-object counts to every sample: per call, `ext` regions of team `extTeam`, and one libtorch region of a full team. */
function withRegions(c: CaseMeasurement, ext: number, extTeam: (n: number) => number, extNsPerCall?: (wallPerCall: number) => number): CaseMeasurement {
  return {
    ...c,
    samples: c.samples.map(s => {
      const regions: ObjectRegions[] = [{ path: LIBTORCH, regions: s.iters, maxTeam: s.threads, team1: s.threads === 1 ? s.iters : 0, ns: 1e6 }]
      if (ext > 0) regions.push({ path: EXT, regions: ext * s.iters, maxTeam: extTeam(s.threads), team1: extTeam(s.threads) === 1 ? ext * s.iters : 0, ns: extNsPerCall ? extNsPerCall(s.wall / s.iters) * s.iters : 2e6 })
      return { ...s, regions }
    })
  }
}

function measurement(c: CaseMeasurement, counting?: CountingInfo): Measurement {
  const control = measured('__control__', { 2: 1.9, 4: 3.6 })
  return { facts: facts(), threads: [1, 2, 4], cases: [c], control, workloadInfo: {}, rounds: 8, seconds: 10, stoppedBy: 'decided', reference: referenceInfo(0, 'none'), ...(counting ? { counting } : {}) }
}

describe('region counts in the judge', () => {
  // A case whose speedup passes on libtorch's GEMM alone (3.5x at 4 threads, 4 busy threads).
  const scaling = measured('gather+mm', { 2: 1.9, 4: 3.5 })

  it('fails a case whose OpenMP extension opened no region, although the timings pass, and names the causes', () => {
    const m = measurement(withRegions(scaling, 0, () => 0), counted)
    const j = judge(evidence({ measurement: m, facts: m.facts }))
    const k = j.cases[0]
    expect(k).toMatchObject({ verdict: 'fail', cause: 'no-region' })
    expect(k.reasons[0]).toMatch(/^The extension opened no parallel region in this case at 4 threads \(counted over 80 call\(s\)\)/)
    expect(k.reasons[0]).toMatch(/Meanwhile libtorch opened 80 region\(s\) with teams of up to 4 thread\(s\): whatever speedup \(3\.\d\dx at 4 threads/)
    expect(k.reasons[0]).toMatch(/grain size is at least its range.*nested inside another parallel region.*thread limit/)
    const row = k.rows.find(r => r.threads === 4)
    expect(row?.regions).toMatchObject({ calls: 80, extension: { regions: 0, largestTeam: 0 }, libtorch: { regions: 80, largestTeam: 4 } })
    expect(j.verdict).toBe('fail')
    // Settled at once: more rounds can't open a region.
    expect(caseSettled(m.cases[0], m.control, threshold(2, [1, 2, 4], 4), { counting: counted, openmpExtension: true })).toBe('counted')
  })

  it('gives a team of one its own reason', () => {
    const m = measurement(withRegions(scaling, 1, () => 1), counted)
    const k = judge(evidence({ measurement: m, facts: m.facts })).cases[0]
    expect(k).toMatchObject({ verdict: 'fail', cause: 'team-of-one' })
    expect(k.reasons[0]).toMatch(/opened 80 parallel region\(s\) .* but every team had one thread/)
    expect(k.rows.find(r => r.threads === 4)?.regions?.extension).toEqual({ regions: 80, largestTeam: 1, teamOfOne: 80, seconds: 0.016 })
  })

  it('keeps the timing verdict when the extension ran full teams', () => {
    const m = measurement(withRegions(scaling, 2, n => n), counted)
    const k = judge(evidence({ measurement: m, facts: m.facts })).cases[0]
    expect(k).toMatchObject({ verdict: 'pass', cause: 'scales' })
    expect(k.rows.find(r => r.threads === 2)?.regions?.extension).toMatchObject({ regions: 160, largestTeam: 2 })
  })

  it('leaves every verdict as it was when regions were not counted', () => {
    for (const c of [scaling, measured('flat', { 2: 1.0, 4: 1.0 }, 14, 1), measured('mid', { 2: 1.4, 4: 1.6 }, 14, 2.5)]) {
      const today = judge(evidence({ measurement: measurement(c), facts: facts() }))
      const off = measurement(withRegions(c, 0, () => 0), { available: false, reason: "the C compiler 'nope' that builds the counter did not run", extensions: [EXT], mapped: [EXT] })
      const notCounted = judge(evidence({ measurement: off, facts: off.facts }))
      expect(notCounted.verdict).toBe(today.verdict)
      expect(notCounted.cases.map(x => [x.verdict, x.cause, x.reasons])).toEqual(today.cases.map(x => [x.verdict, x.cause, x.reasons]))
      expect(notCounted.cases[0].rows.every(r => r.regions === null)).toBe(true)
    }
  })

  it('does not ask an extension without OpenMP regions (stable ABI, native backend) to open any', () => {
    const m = measurement(withRegions(scaling, 0, () => 0), counted)
    const j = judge(evidence({ measurement: m, facts: facts({ parallelBackend: 'native thread pool' }), binaries: [{ path: '_C.so', images: [{ format: 'elf', arch: 'x86_64', stripped: false, openmp: { ...evidence().binaries[0].images[0].openmp, parallel: false, forkImports: [], imports: [], runtimes: [], resolution: null } }] }] }))
    expect(j.cases[0]).toMatchObject({ verdict: 'pass', cause: 'scales' })
  })

  it('fails nothing when Python loaded another copy of the extension than the one inspected', () => {
    const m = measurement(withRegions(scaling, 0, () => 0), { ...counted, mapped: [] })
    expect(judge(evidence({ measurement: m, facts: m.facts })).cases[0]).toMatchObject({ verdict: 'pass', cause: 'scales' })
  })

  it('does not judge by counts when one of several extensions has no OpenMP: a case may call only that one', () => {
    const m = measurement(withRegions(scaling, 0, () => 0), counted)
    const ev = evidence({ measurement: m, facts: m.facts })
    const serial = { path: 'b.so', images: [{ ...ev.binaries[0].images[0], openmp: { ...ev.binaries[0].images[0].openmp, parallel: false, forkImports: [], imports: [], runtimes: [], resolution: null } }] }
    const j = judge({ ...ev, binaries: [...ev.binaries, serial], sources: [] })
    expect(j.cases[0].cause).not.toMatch(/no-region|team-of-one/)
  })

  it("shows p and Amdahl's bound per row, and says when the bound is under the requirement, with p", () => {
    // 20 ms per call at one thread; at 4 threads 15.4 ms, of which the extension's regions take 2 ms (a full team): the rest, 13.4 ms, is outside them.
    const small = withRegions(measured('gather+mm', { 2: 1.2, 4: 1.3 }), 1, n => n, () => 2e6)
    const k = judge(evidence({ measurement: measurement(small, counted), facts: facts() })).cases[0]
    const at4 = k.rows.find(r => r.threads === 4)?.regions
    const tn = (0.2 / 1.3) / 10
    const p = 1 - (tn - 0.002) / 0.02
    expect(at4?.share).toBeCloseTo(p, 2)
    expect(at4?.bound).toBeCloseTo(amdahl(p, 4), 2)
    expect(at4?.bound).toBeLessThan(2)
    expect(k.rows.find(r => r.threads === 1)?.regions).toMatchObject({ share: null, bound: null })
    expect(k.reasons).toContainEqual(expect.stringMatching(new RegExp(`^Amdahl's law caps this case at 1\\.\\d\\dx at 4 threads, below the required 2\\.00x, .*p = ${Math.round(p * 100)}% of the case's single-thread time`)))
    expect(k.reasons.join(' ')).toMatch(/time the kernel on its own/)
    // Most of the call inside the extension's regions: the bound clears the requirement, and nothing is said.
    const most = withRegions(scaling, 1, n => n, wall => wall * 0.9 * 1e9)
    const ok = judge(evidence({ measurement: measurement(most, counted), facts: facts() })).cases[0]
    expect(ok.rows.find(r => r.threads === 4)?.regions?.bound).toBeGreaterThan(2)
    expect(ok.reasons.join(' ')).not.toMatch(/Amdahl/)
  })

  it('shows no p or bound where the extension opened no region: its work ran in libtorch\'s regions (stable ABI) or in none', () => {
    // The stable-ABI kernel of the CI of 2026-12-03: 1.90x measured, yet p from libtorch-only time gave a bound of 1.23x.
    const stable = withRegions(measured('row-softnorm', { 2: 1.9, 4: 1.9 }), 0, () => 0)
    for (const n of [2, 4]) expect(rowRegions(stable, n, counted)).toMatchObject({ extension: { regions: 0 }, share: null, bound: null })
  })

  it('counts only the samples at that thread count, and nothing where a sample lacks counts', () => {
    const c = withRegions(scaling, 1, n => n)
    expect(rowRegions(c, 1, counted)?.extension).toMatchObject({ regions: 80, largestTeam: 1 })
    const missing = { ...c, samples: c.samples.map(s => (s.threads === 4 && s.round === 3 ? { ...s, regions: null } : s)) }
    expect(rowRegions(missing, 4, counted)).toBeNull()
    expect(rowRegions(c, 4, undefined)).toBeNull()
  })
})
