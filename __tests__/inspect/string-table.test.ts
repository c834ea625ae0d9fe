import { describe, expect, test } from '@jest/globals'
import { PartialReasons } from '../../src/inspect/binary/partial.js'
import { DECODE_BUDGET_PER_BYTE, MAX_NAME, NameBudget, StringTable } from '../../src/inspect/binary/string-table.js'

/** A table over the given bytes with a budget sized for an input of inputSize bytes. */
function table(bytes: Buffer | string, inputSize = 1000): { strings: StringTable; reasons: PartialReasons; budget: NameBudget } {
  const reasons = new PartialReasons()
  const budget = new NameBudget(inputSize, reasons)
  return { strings: new StringTable(Buffer.from(bytes as string, 'latin1'), budget), reasons, budget }
}

describe('StringTable', () => {
  test('names end at their NUL; an offset inside a name gives its tail (linkers share tails)', () => {
    const { strings, reasons } = table('\0omp_get_num_threads\0GOMP_parallel\0')
    expect(strings.get(1)).toBe('omp_get_num_threads')
    expect(strings.get(5)).toBe('get_num_threads')
    expect(strings.get(21)).toBe('GOMP_parallel')
    expect(strings.get(0)).toBe('')
    expect(reasons.text()).toBeUndefined()
  })

  test('an offset at or past the end, negative or not an integer gives no name and no note', () => {
    const { strings, reasons } = table('\0abc\0')
    for (const offset of [5, 6, 0xffffffff, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(strings.get(offset)).toBeUndefined()
    expect(reasons.text()).toBeUndefined()
  })

  test('an unterminated name is cut at the end of the table', () => {
    const { strings, reasons } = table('\0abc\0truncat')
    expect(strings.get(5)).toBe('truncat')
    expect(strings.get(8)).toBe('ncat')
    expect(strings.get(1)).toBe('abc')
    // A table with no NUL at all: every name runs to its end.
    expect(table('xyz').strings.get(1)).toBe('yz')
    expect(reasons.text()).toBeUndefined()
  })

  test('a name longer than MAX_NAME is refused and noted', () => {
    const { strings, reasons } = table(Buffer.concat([Buffer.alloc(MAX_NAME + 1, 0x41), Buffer.alloc(1)]), 100 * MAX_NAME)
    expect(strings.get(0)).toBeUndefined()
    expect(strings.get(1)).toBe('A'.repeat(MAX_NAME))
    expect(reasons.text()).toMatch(/too long to be real/)
  })

  test('the budget is spent: names repeating far more than the input holds are refused, once noted', () => {
    const inputSize = 1000
    const name = 'B'.repeat(1000)
    const { strings, reasons } = table(`${name}\0`, inputSize)
    const budget = DECODE_BUDGET_PER_BYTE * inputSize + MAX_NAME
    let kept = 0
    for (let i = 0; i < 10_000; i++) if (strings.get(0) === name) kept++
    expect(kept).toBe(Math.floor(budget / name.length))
    expect(reasons.text()).toMatch(/names repeat/)
    expect(reasons.text()).toMatch(/exceed/)
    // Once spent, even a short name is refused.
    expect(strings.get(999)).toBeUndefined()
  })

  test('bytes scanned for a refused name are charged too, so one huge name cannot be rescanned for free', () => {
    const huge = Buffer.alloc(4 * MAX_NAME, 0x43) // no NUL: every lookup scans MAX_NAME + 1 bytes and is refused
    const { strings, budget } = table(huge, MAX_NAME)
    const before = budget.limit
    expect(strings.get(0)).toBeUndefined()
    // DECODE_BUDGET_PER_BYTE + 1 refused lookups spend the whole budget (5 MiB), whatever the table holds.
    for (let i = 0; i < DECODE_BUDGET_PER_BYTE; i++) strings.get(i)
    expect(before).toBe(MAX_NAME)
    expect(budget.limit).toBe(0)
  })

  test('tables of one image share its budget', () => {
    const reasons = new PartialReasons()
    const budget = new NameBudget(10, reasons)
    const a = new StringTable(Buffer.from(`${'a'.repeat(MAX_NAME)}\0`), budget)
    const b = new StringTable(Buffer.from('short\0'), budget)
    expect(a.get(0)).toHaveLength(MAX_NAME)
    expect(b.get(0)).toBe('short')
    expect(a.get(0)).toBeUndefined()
    expect(budget.limit).toBe(0)
    expect(reasons.text()).toMatch(/names repeat/)
  })
})
