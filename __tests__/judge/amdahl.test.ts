import { describe, expect, it } from '@jest/globals'
import { amdahl, judgedThreads, parallelFraction, requiredSpeedup } from '../../src/judge/amdahl.js'

describe('Amdahl translation of min-speedup', () => {
  it('keeps the threshold at 4 threads and translates it to fewer', () => {
    expect(requiredSpeedup(2, 4)).toBeCloseTo(2, 10)
    expect(requiredSpeedup(2, 2)).toBeCloseTo(1.5, 10)
    expect(requiredSpeedup(2, 3)).toBeCloseTo(1 / (1 / 3 + 2 / 9), 10)
    expect(requiredSpeedup(4, 2)).toBeCloseTo(2, 10)
    expect(requiredSpeedup(1, 2)).toBeCloseTo(1, 10)
    expect(requiredSpeedup(2.5, 8)).toBeGreaterThan(2.5)
  })

  it('round-trips the parallel fraction', () => {
    for (const p of [0, 0.3, 0.9, 1]) expect(parallelFraction(amdahl(p, 6), 6)).toBeCloseTo(p, 10)
  })

  it('judges at the largest measured count that fits the usable CPUs', () => {
    expect(judgedThreads([1, 2, 4], 2)).toBe(2)
    expect(judgedThreads([1, 2, 4], 3)).toBe(2)
    expect(judgedThreads([1, 2, 4], 4)).toBe(4)
    expect(judgedThreads([1, 2, 4], 1.5)).toBe(1)
    expect(judgedThreads([1, 2, 4, 8], 16)).toBe(8)
  })
})
