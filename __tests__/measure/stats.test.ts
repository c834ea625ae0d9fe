import { describe, expect, it } from '@jest/globals'
import { busyThreads, callTime, pairedRatios, roundOrder, speedupInterval, timePerIter } from '../../src/measure/rounds.js'
import { bootstrapMedian, median } from '../../src/measure/stats.js'
import type { CaseMeasurement, Sample } from '../../src/measure/types.js'

const sample = (round: number, threads: number, wall: number, threadCpu: number[] | null = null): Sample => ({ round, threads, iters: 10, wall, cpu: wall, threadCpu })

describe('statistics', () => {
  it('takes medians', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeNaN()
  })

  it('gives a bootstrap interval that contains the median and is reproducible', () => {
    const xs = [1.9, 2.0, 1.95, 2.1, 1.8, 2.05, 1.97]
    const a = bootstrapMedian(xs)
    expect(a).toEqual(bootstrapMedian(xs))
    expect(a.low).toBeLessThanOrEqual(a.estimate)
    expect(a.high).toBeGreaterThanOrEqual(a.estimate)
    expect(a.low).toBeGreaterThanOrEqual(1.8)
    expect(a.high).toBeLessThanOrEqual(2.1)
  })

  it('rotates the thread order each round', () => {
    expect([0, 1, 2, 3].map(r => roundOrder([1, 2, 4], r))).toEqual([
      [1, 2, 4],
      [2, 4, 1],
      [4, 1, 2],
      [1, 2, 4]
    ])
  })

  it('pairs samples by round, normalised per iteration', () => {
    const c: CaseMeasurement = { name: 'k', iters: 10, samples: [sample(1, 1, 2), sample(1, 2, 1), sample(2, 1, 3), sample(2, 2, 2), sample(3, 1, 1)] }
    c.samples[1] = { ...c.samples[1], iters: 5, wall: 0.5 }
    const ratios = pairedRatios(c, 2)
    expect(ratios).toHaveLength(2)
    expect(ratios[0]).toBeCloseTo(2, 12)
    expect(ratios[1]).toBeCloseTo(1.5, 12)
    expect(speedupInterval(c, 2).estimate).toBeCloseTo(1.75, 12)
  })

  it('takes the median chunk as the time per call, so one preempted chunk does not spoil a sample', () => {
    // 4 calls in 4 chunks; the third was preempted for 30 ms.
    const hit: Sample = { ...sample(1, 2, 0.07), iters: 4, perCall: [0.01, 0.01, 0.04, 0.01] }
    expect(callTime(hit)).toBeCloseTo(0.01, 12)
    expect(hit.wall / hit.iters).toBeCloseTo(0.0175, 12)
    const base: Sample = { ...sample(1, 1, 0.08), iters: 4, perCall: [0.02, 0.02, 0.02, 0.02] }
    const c: CaseMeasurement = { name: 'k', iters: 4, samples: [base, hit] }
    expect(pairedRatios(c, 2)[0]).toBeCloseTo(2, 12)
    expect(timePerIter(c, 2)).toBeCloseTo(0.01, 12)
    // Without chunks (older reports) the sample's mean is used.
    expect(callTime({ ...hit, perCall: null })).toBeCloseTo(0.0175, 12)
  })

  it('counts threads that did real work, not ones that spun briefly', () => {
    const c: CaseMeasurement = { name: 'k', iters: 10, samples: [sample(1, 4, 1, [0.5, 0.49, 0.48, 0.01]), sample(2, 4, 1, [0.5, 0.5, 0.5, 0.02])] }
    expect(busyThreads(c, 4)).toBe(3)
    expect(busyThreads({ ...c, samples: [sample(1, 2, 1, null)] }, 2)).toBeNull()
  })
})
