/**
 * The binaries come from the build's link records: real builds of the
 * example, through the wrappers (in place, and build_ext alone) and without
 * them (the globs decide then).
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { BuildRecord } from '../../src/build/build-record.js'
import { locateExtensions } from '../../src/locate/extensions.js'
import { linkedBinaries } from '../../src/locate/linked.js'
import { digest, locateBinaries } from '../../src/locate/locate.js'
import { torchPython } from '../../__fixtures__/python.js'
import { freshExample, recordedBuild } from '../build/wrapped-build.js'

const rel = (dir: string, files: string[]): string[] => files.map(f => path.relative(dir, f))
const isExtension = (f: string): boolean => /^parallel_ext\.[^/]*\.so$/.test(f)

describe('binaries from the link records', () => {
  let inplace: { dir: string; record: BuildRecord }
  let buildOnly: { dir: string; record: BuildRecord }
  let unwrapped: { dir: string; record: BuildRecord }

  beforeAll(async () => {
    const py = torchPython()
    const a = freshExample('tsc-linked-inplace-')
    inplace = { dir: a, record: (await recordedBuild(a, `${py} setup.py build_ext --inplace`, py)).record }
    const b = freshExample('tsc-linked-build-')
    buildOnly = { dir: b, record: (await recordedBuild(b, `${py} setup.py build_ext`, py)).record }
    const c = freshExample('tsc-linked-unwrapped-')
    unwrapped = { dir: c, record: (await recordedBuild(c, `${py} setup.py build_ext --inplace`, py, {}, { wrapped: false })).record }
  })

  it('an in-place build: the copy Python imports, not also the linked file under build/ it copies', () => {
    const { dir, record } = inplace
    const outputs = record.links.map(l => path.relative(dir, l.output))
    expect(outputs).toHaveLength(1)
    expect(outputs[0]).toMatch(/^build\/lib[^/]*\/parallel_ext\.[^/]*\.so$/)
    const copy = path.basename(outputs[0])
    expect(digest(path.join(dir, copy))).toBe(digest(path.join(dir, outputs[0])))
    expect(rel(dir, linkedBinaries(dir, record))).toEqual([copy])
    expect(rel(dir, locateExtensions({ workingDirectory: dir, extensions: [] }, record))).toEqual([copy])
  })

  it('build_ext alone: the linked file itself', () => {
    const { dir, record } = buildOnly
    expect(rel(dir, linkedBinaries(dir, record))).toEqual(record.links.map(l => path.relative(dir, l.output)))
    expect(linkedBinaries(dir, record)[0]).toMatch(/\/build\/lib[^/]*\/parallel_ext\.[^/]*\.so$/)
  })

  it('a shared library the build wrote but did not link is no binary; the globs by time would take it', () => {
    const { dir, record } = inplace
    const stray = path.join(dir, 'stray.so')
    fs.writeFileSync(stray, 'not linked by this build')
    try {
      expect(rel(dir, locateBinaries(dir, [], record.startedAt))).toContain('stray.so')
      expect(rel(dir, locateExtensions({ workingDirectory: dir, extensions: [] }, record))).not.toContain('stray.so')
    } finally {
      fs.rmSync(stray)
    }
  })

  it('probe links and nvcc host links do not become binaries', () => {
    const { dir, record } = inplace
    const probe = path.join(dir, 'build', 'CMakeFiles', 'CMakeTmp', 'libprobe.so')
    const nvcc = path.join(dir, 'tmpxft_0001_00000000-1_kernel.so')
    fs.mkdirSync(path.dirname(probe), { recursive: true })
    for (const f of [probe, nvcc]) fs.writeFileSync(f, `output of ${path.basename(f)}`)
    const extra = [probe, nvcc].map(output => ({ ...record.links[0], directory: path.dirname(output), output }))
    try {
      expect(rel(dir, linkedBinaries(dir, { ...record, links: [...record.links, ...extra] })).filter(f => !isExtension(f))).toEqual([])
    } finally {
      fs.rmSync(path.join(dir, 'build', 'CMakeFiles'), { recursive: true })
      fs.rmSync(nvcc)
    }
  })

  it('no wrapper ran: the globs by modification time find what the build wrote', () => {
    const { dir, record } = unwrapped
    expect(record.recorded).toBe(false)
    expect(linkedBinaries(dir, record)).toEqual([])
    const located = rel(dir, locateExtensions({ workingDirectory: dir, extensions: [] }, record))
    expect(located).toEqual(rel(dir, locateBinaries(dir, [], record.startedAt)))
    expect(located).toHaveLength(1)
    expect(isExtension(located[0])).toBe(true)
  })

  it('link outputs that are gone: the globs decide', () => {
    const { dir, record } = inplace
    const gone = { ...record, links: record.links.map(l => ({ ...l, output: path.join(dir, 'build', 'gone', path.basename(l.output)) })) }
    expect(linkedBinaries(dir, gone)).toEqual([])
    expect(rel(dir, locateExtensions({ workingDirectory: dir, extensions: [] }, gone))).toEqual(rel(dir, locateBinaries(dir, [], record.startedAt)))
  })

  it('extensions patterns win over the link records', () => {
    const { dir, record } = inplace
    const located = rel(dir, locateExtensions({ workingDirectory: dir, extensions: ['build/**/*.so'] }, record))
    expect(located).toEqual(record.links.map(l => path.relative(dir, l.output)))
  })
})
