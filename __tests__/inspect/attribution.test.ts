/**
 * Two-runtime findings come from the libraries the harness saw torch load
 * (facts.torchLibDir / torchCpuLoaded), so measuring needs no extra
 * interpreter start. Checked against the machine's real torch.
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as path from 'node:path'
import { addRuntimeFindings } from '../../src/inspect/attribution.js'
import { inspectBinary } from '../../src/inspect/inspect-binary.js'
import type { BinaryEvidence } from '../../src/inspect/types.js'
import type { Log } from '../../src/log.js'
import { facts } from '../../__fixtures__/evidence.js'
import { torchPython } from '../../__fixtures__/python.js'

const quiet: Log = { info: () => undefined, debug: () => undefined, warning: () => undefined, error: () => undefined, notice: () => undefined, group: (_n, fn) => fn() }

function evidenceOf(fixture: string): BinaryEvidence {
  const images = inspectBinary(path.resolve('__fixtures__/binaries/elf', fixture))
  return { path: fixture, images: images.map(i => ({ format: i.format, arch: i.arch, stripped: i.stripped, openmp: i.openmp })) }
}

describe('addRuntimeFindings', () => {
  const out = execFileSync(torchPython(), ['-c', 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))'], { encoding: 'utf8' })
  const torchFacts = facts({ torchLibDir: out.trim(), torchCpuLoaded: [] })

  it('warns about LLVM libomp next to torch\'s libgomp, and says nothing for libgomp', () => {
    const [clang, gcc] = addRuntimeFindings([evidenceOf('clang-omp.so'), evidenceOf('gcc-omp.so')], torchFacts, quiet)
    expect(clang.runtimeFindings?.map(f => [f.code, f.severity, f.extension?.family, f.torch.family])).toEqual([['two-runtimes', 'warning', 'llvm', 'gnu']])
    expect(gcc.runtimeFindings).toBeUndefined()
  })

  it('does nothing when the harness did not report torch\'s libraries', () => {
    const [clang] = addRuntimeFindings([evidenceOf('clang-omp.so')], facts(), quiet)
    expect(clang.runtimeFindings).toBeUndefined()
  })
})
