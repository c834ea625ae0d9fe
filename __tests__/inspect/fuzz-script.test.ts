/**
 * scripts/fuzz-binaries.mjs: a short fixed-seed slice (the million-case run
 * is done by hand, see the script's header), and proof that the harness
 * itself catches a crash and a hang.
 */
import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'

function fuzz(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['scripts/fuzz-binaries.mjs', ...args], { encoding: 'utf8', timeout: 120_000 })
  return { status: r.status, out: r.stdout + r.stderr }
}

describe('scripts/fuzz-binaries.mjs', () => {
  test('a fixed-seed slice: every input ends in a result or a BinaryFormatError, within the bounds', () => {
    const r = fuzz(['--runs', '3000', '--seed', '20240611'])
    expect(r.out).toMatch(/3,000 inputs/)
    expect(r.out).toMatch(/failures: none/)
    expect(r.status).toBe(0)
  })

  test('the large-string shape: a 64 MB string named by thousands of symbols is read within 1 s', () => {
    const r = fuzz(['--case', '7'])
    expect(r.out).toMatch(/inputs by kind: large strings 1\b/)
    expect(r.out).toMatch(/failures: none/)
    expect(r.status).toBe(0)
  })

  test('a reader crash fails the run and names the case', () => {
    const r = fuzz(['--runs', '40', '--inject-fault', '12'])
    expect(r.status).toBe(1)
    expect(r.out).toMatch(/FAILURES: 1\n\s+case 12 .*elf reader threw TypeError/)
  })

  test('a reader that never returns is stopped by the watchdog and named', () => {
    const r = fuzz(['--runs', '40', '--inject-hang', '5', '--stall-s', '2'])
    expect(r.status).toBe(1)
    expect(r.out).toMatch(/HANG: case 5 \(seed 20240611\)/)
  })
})
