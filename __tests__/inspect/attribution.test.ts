/**
 * Attribution: which sources went into which binary, from a real build's
 * record (the wrappers' link and compile entries), the log as the fallback;
 * and two-runtime findings from the libraries the harness saw torch load
 * (facts.torchLibDir / torchCpuLoaded), so measuring needs no extra
 * interpreter start. Checked against the machine's real torch.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { BuildRecord } from '../../src/build/build-record.js'
import { addLostTus, addRuntimeFindings, attributeSources } from '../../src/inspect/attribution.js'
import { scanSource } from '../../src/sources/scan.js'
import { linkedBinaries } from '../../src/locate/linked.js'
import { writeTwoExtensions } from '../../__fixtures__/two-extensions.js'
import { recordedBuild } from '../build/wrapped-build.js'
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

describe('attributeSources and addLostTus on a recorded build of two extensions', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-attribution-'))
  const files = ['src/common/rows.h', 'src/alpha.cpp', 'src/alpha_extra.cpp', 'src/beta.cpp']
  let record: BuildRecord
  let binaries: string[]
  const hits = () => files.flatMap(f => scanSource(f, fs.readFileSync(path.join(dir, f), 'utf8')))
  const attribute = (r: BuildRecord | null) => attributeSources(binaries.map(b => ({ path: path.relative(dir, b), images: [] })), binaries, hits(), dir, r, quiet)

  beforeAll(async () => {
    writeTwoExtensions(dir)
    const py = torchPython()
    record = (await recordedBuild(dir, `${py} setup.py build_ext --inplace`, py)).record
    binaries = linkedBinaries(dir, record)
  })

  it('each binary gets its own sources from the record, through the copy setuptools made in place', () => {
    expect(binaries.map(b => path.relative(dir, b).split('.')[0])).toEqual(['twoext/alpha', 'twoext/beta'])
    const [alpha, beta] = attribute(record)
    expect(alpha.sourceFiles).toBe(2)
    expect(alpha.sources?.map(h => `${h.file}:${h.construct}`).sort()).toEqual(['src/alpha_extra.cpp:omp-pragma', 'src/common/rows.h:at-parallel'])
    expect(alpha.sourcesHow).toMatch(/^recorded link of build\/lib[^/]*\/twoext\/alpha\.[^/]*\.so, copied to twoext\/alpha\.[^/]*\.so$/)
    expect(beta.sourceFiles).toBe(1)
    expect(beta.sources).toEqual([])
    expect(beta.sourcesHow).toMatch(/^recorded link of build\/lib[^/]*\/twoext\/beta\./)
  })

  it('without a record, or where it says nothing for a binary, the build log answers', () => {
    const silent = { ...record, recorded: false, compiles: [], links: [], audit: null }
    for (const r of [silent, { ...record, compiles: record.compiles.filter(c => !c.file.endsWith('alpha_extra.cpp')) }]) {
      const [alpha, beta] = attribute(r)
      expect(alpha.sourceFiles).toBe(2)
      expect(alpha.sourcesHow).toMatch(/^the link command in the build log/)
      expect(beta.sourceFiles).toBe(1)
    }
    // Neither the record nor the log: the record's reason stands.
    const [alpha] = attribute({ ...record, log: '', compiles: record.compiles.filter(c => !c.file.endsWith('alpha_extra.cpp')) })
    expect(alpha.sources).toBeUndefined()
    expect(alpha.sourcesHow).toMatch(/^recorded link of .*: objects compiled by no recorded command: alpha_extra\.o$/)
  })

  it('the lost translation units go to the binary that linked them', () => {
    expect(record.audit?.flagged.map(t => t.file).sort()).toEqual(['src/alpha.cpp', 'src/alpha_extra.cpp'])
    const [alpha, beta] = addLostTus(binaries.map(b => ({ path: path.relative(dir, b), images: [] })), binaries, record, dir)
    expect(alpha.lostTus?.map(t => t.file).sort()).toEqual(['src/alpha.cpp', 'src/alpha_extra.cpp'])
    expect(beta.lostTus).toBeUndefined()
    // A copy under another name is still alpha by its content: the record ties it, not the file name.
    const renamed = path.join(dir, 'alpha_renamed.so')
    fs.copyFileSync(binaries[0], renamed)
    const [copy] = addLostTus([{ path: 'alpha_renamed.so', images: [] }], [renamed], record, dir)
    expect(copy.lostTus?.map(t => t.file).sort()).toEqual(['src/alpha.cpp', 'src/alpha_extra.cpp'])
    fs.rmSync(renamed)
  })
})
