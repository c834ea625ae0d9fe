import { describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { globFiles, globToRegExp } from '../../src/locate/glob.js'
import { locateBinaries, locateSources } from '../../src/locate/locate.js'

describe('globToRegExp', () => {
  it.each([
    ['**/*.so', 'a/b/c.so', true],
    ['**/*.so', 'c.so', true],
    ['*.so', 'a/c.so', false],
    ['build/**', 'build/lib/x.so', true],
    ['**/*.{c,cpp}', 'src/k.cpp', true],
    ['**/*.{c,cpp}', 'src/k.cc', false],
    ['k?.[ch]', 'k1.h', true],
    ['a.b', 'aXb', false],
    ['**/*.{cpp', 'x/y.{cpp', true],
    ['a}b', 'a}b', true]
  ])('%s matches %s: %s', (pattern, file, expected) => {
    expect(globToRegExp(pattern).test(file)).toBe(expected)
  })
})

describe('locate', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-locate-'))
  const write = (rel: string, content = rel): string => {
    const f = path.join(root, rel)
    fs.mkdirSync(path.dirname(f), { recursive: true })
    fs.writeFileSync(f, content)
    return f
  }
  write('m.so', 'same')
  write('build/lib.linux/m.so', 'same')
  write('build/temp/k.cpp')
  write('csrc/k.cpp')
  write('node_modules/x/y.so')
  write('.git/z.cpp')
  const old = write('old.so', 'old')
  fs.utimesSync(old, new Date(2000, 1, 1), new Date(2000, 1, 1))

  it('keeps one copy of identical binaries, preferring the one outside build/, and skips tool folders', () => {
    expect(locateBinaries(root, [], null).map(f => path.relative(root, f))).toEqual(['m.so', 'old.so'])
  })

  it('keeps only what the build wrote when it knows when the build started', () => {
    expect(locateBinaries(root, [], Date.now() - 60_000).map(f => path.relative(root, f))).toEqual(['m.so'])
    // A build that was already up to date wrote nothing new: fall back to what is there.
    expect(locateBinaries(root, [], Date.now() + 60_000).map(f => path.relative(root, f))).toEqual(['m.so', 'old.so'])
  })

  it('honours patterns and exclusions', () => {
    expect(globFiles(root, ['**/*.so', '!build/**']).map(f => path.relative(root, f))).toEqual(['m.so', 'old.so'])
    expect(locateSources(root, []).map(f => path.relative(root, f))).toEqual(['csrc/k.cpp'])
    // Binaries installed elsewhere are named by absolute patterns.
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-elsewhere-'))
    fs.mkdirSync(path.join(elsewhere, 'pkg'))
    fs.writeFileSync(path.join(elsewhere, 'pkg', '_C.so'), 'x')
    expect(globFiles(root, [`${elsewhere}/*/_C*.so`])).toEqual([path.join(elsewhere, 'pkg', '_C.so')])
    expect(globFiles(root, [path.join(elsewhere, 'pkg', '_C.so'), 'm.so']).map(f => path.basename(f))).toEqual(['_C.so', 'm.so'])
  })
})
