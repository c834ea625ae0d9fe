import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { BinaryFormatError, type BinaryImage, type ImportedSymbol, type ReadOptions } from '../../src/inspect/binary/binary-types.js'
import { FileSource, withFile, type ByteSource } from '../../src/inspect/binary/byte-source.js'
import { isElf, readElf, readElfFrom } from '../../src/inspect/binary/elf.js'

// Real binaries are compiled at test time; synthetic ones (32-bit, big-endian,
// hand-corrupted) come from the tiny ELF writer at the bottom of this file.

const LIBDIR = '/usr/lib/x86_64-linux-gnu'
const LIBGOMP = path.join(LIBDIR, 'libgomp.so.1')
const LIBTORCH = path.join(LIBDIR, 'libtorch_cpu.so.1.13')

const OMP_SOURCE = `
void scale(float *x, int n, float a) {
#pragma omp parallel for
  for (int i = 0; i < n; i++) x[i] *= a;
}
`
const MAIN_SOURCE = 'extern int puts(const char *); int main(void) { return puts("hi"); }\n'

const keepOutlined = (name: string): boolean => /\._omp_fn\.\d+$/.test(name) || name.includes('omp_outlined')

function tryRun(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 })
}

/** `gcc -m32` links only without libc on hosts lacking the 32-bit multilib, so probe that. */
const m32Dir = fs.mkdtempSync(path.join(os.tmpdir(), 'elf-m32-probe-'))
fs.writeFileSync(path.join(m32Dir, 'p.c'), 'int f(int x) { return x; }\n')
const hasM32 = tryRun('gcc', ['-m32', '-shared', '-nostdlib', '-fPIC', path.join(m32Dir, 'p.c'), '-o', path.join(m32Dir, 'p.so')])
fs.rmSync(m32Dir, { recursive: true, force: true })

/** A missing tool is a setup error, not a reason to skip: the test then fails saying what to install. */
const testIf =
  (cond: boolean, missing = 'a required tool'): typeof test =>
  ((name: string, fn: () => void) => test(name, cond ? fn : () => { throw new Error(`Setup error: ${missing} is missing on this machine (scripts/setup-debian.sh installs it).`) })) as typeof test

let dir = ''
const bin = (name: string): string => path.join(dir, name)
const load = (name: string): Buffer => fs.readFileSync(bin(name))

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'elf-test-'))
  fs.writeFileSync(bin('omp.c'), OMP_SOURCE)
  fs.writeFileSync(bin('main.c'), MAIN_SOURCE)
  const src = bin('omp.c')
  run('gcc', ['-O2', '-fPIC', '-shared', '-fopenmp', src, '-o', bin('gcc-omp.so')])
  run('gcc', ['-O2', '-fPIC', '-shared', src, '-o', bin('gcc-noomp.so')])
  run('clang', ['-O2', '-fPIC', '-shared', '-fopenmp', src, '-o', bin('clang-omp.so')])
  run('gcc', ['-O2', '-fPIC', '-c', '-fopenmp', src, '-o', bin('gcc-omp.o')])
  run('gcc', ['-O2', '-no-pie', bin('main.c'), '-o', bin('main-nopie')])
  run('strip', ['-o', bin('gcc-omp-stripped.so'), bin('gcc-omp.so')])
  fs.writeFileSync(bin('gcc-omp-noshdr.so'), dropSectionHeaders(load('gcc-omp.so')))
  if (hasM32) {
    fs.writeFileSync(bin('lib32.c'), 'extern int ext_call(int); int f(int x) { return ext_call(x) + 1; }\n')
    run('gcc', ['-m32', '-O2', '-fPIC', '-shared', '-nostdlib', bin('lib32.c'), '-o', bin('lib32.so')])
    run('gcc', ['-m32', '-O2', '-fPIC', '-c', '-fopenmp', src, '-o', bin('omp32.o')])
  }
})

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

/** Copy of a little-endian 64-bit ELF with e_shoff, e_shnum and e_shstrndx zeroed. */
function dropSectionHeaders(buf: Buffer): Buffer {
  const out = Buffer.from(buf)
  out.writeBigUInt64LE(0n, 40)
  out.writeUInt16LE(0, 60)
  out.writeUInt16LE(0, 62)
  return out
}

function importNamed(img: BinaryImage, name: string): ImportedSymbol | undefined {
  return img.imports.find((s) => s.name === name)
}

/** readElf must either return a well-formed image or throw BinaryFormatError. */
function readSafely(buf: Buffer): BinaryImage | BinaryFormatError {
  let img: BinaryImage
  try {
    img = readElf(buf, { keepDefined: (n) => n.length % 7 === 0 })
  } catch (err) {
    if (err instanceof BinaryFormatError) return err
    throw err
  }
  expect(img.format).toBe('elf')
  expect(Array.isArray(img.libraries) && img.libraries.every((l) => typeof l === 'string')).toBe(true)
  expect(img.imports.every((s) => typeof s.name === 'string' && s.name.length > 0)).toBe(true)
  expect(img.defined.every((d) => typeof d === 'string')).toBe(true)
  expect(new Set(img.defined).size).toBe(img.defined.length)
  return img
}

/** Undefined dynamic symbols as nm prints them: `name@VERSION` or `name`. */
function nmUndefined(file: string): string[] {
  return run('nm', ['-D', '--undefined-only', file])
    .split('\n')
    .map((l) => l.trim().split(/\s+/).pop() ?? '')
    .filter((n) => n.length > 0)
}

function sorted(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort()
}

describe('isElf', () => {
  test('checks the magic only', () => {
    expect(isElf(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))).toBe(true)
    expect(isElf(Buffer.from([0x7f, 0x45, 0x4c]))).toBe(false)
    expect(isElf(Buffer.from('MZ\x90\x00'))).toBe(false)
    expect(isElf(Buffer.alloc(0))).toBe(false)
  })
})

describe('readElf on compiled binaries', () => {
  test('gcc -fopenmp: GOMP_parallel@GOMP_4.0 from libgomp, outlined region kept', () => {
    const img = readElf(load('gcc-omp.so'), { keepDefined: keepOutlined })
    expect(img).toMatchObject({ format: 'elf', arch: 'x86_64', bits: 64, endian: 'little', kind: 'shared-object', stripped: false })
    expect(img.partial).toBeUndefined()
    expect(img.libraries).toContain('libgomp.so.1')
    expect(importNamed(img, 'GOMP_parallel')).toEqual({ name: 'GOMP_parallel', version: 'GOMP_4.0', library: 'libgomp.so.1' })
    expect(importNamed(img, 'omp_get_num_threads')).toMatchObject({ version: 'OMP_1.0', library: 'libgomp.so.1' })
    expect(img.defined).toEqual([expect.stringMatching(/\._omp_fn\.\d+$/)])
  })

  test('gcc without -fopenmp: no GOMP imports, no libgomp', () => {
    const img = readElf(load('gcc-noomp.so'), { keepDefined: keepOutlined })
    expect(img.imports.filter((s) => /^(GOMP_|omp_|__kmpc_)/.test(s.name))).toEqual([])
    expect(img.libraries).not.toContain('libgomp.so.1')
    expect(img.defined).toEqual([])
    expect(img.stripped).toBe(false)
  })

  test('clang -fopenmp: __kmpc_fork_call from libomp.so.5, omp_outlined kept', () => {
    const img = readElf(load('clang-omp.so'), { keepDefined: keepOutlined })
    expect(img.libraries).toContain('libomp.so.5')
    expect(importNamed(img, '__kmpc_fork_call')).toMatchObject({ name: '__kmpc_fork_call', library: 'libomp.so.5' })
    expect(img.defined.some((d) => d.includes('omp_outlined'))).toBe(true)
  })

  test('stripped copy keeps .dynsym imports but loses defined locals', () => {
    const full = readElf(load('gcc-omp.so'), { keepDefined: keepOutlined })
    const img = readElf(load('gcc-omp-stripped.so'), { keepDefined: keepOutlined })
    expect(img.stripped).toBe(true)
    expect(img.defined).toEqual([])
    expect(img.imports).toEqual(full.imports)
    expect(img.libraries).toEqual(full.libraries)
    expect(img.partial).toBeUndefined()
  })

  test('without section headers the program headers give the same libraries and versioned imports', () => {
    const full = readElf(load('gcc-omp.so'))
    const img = readElf(load('gcc-omp-noshdr.so'))
    expect(img.libraries).toEqual(full.libraries)
    expect(img.imports).toEqual(full.imports)
    expect(img.stripped).toBe(true)
    expect(img.partial).toBeUndefined()
  })

  test('relocatable object: imports come from .symtab', () => {
    const img = readElf(load('gcc-omp.o'), { keepDefined: keepOutlined })
    expect(img.kind).toBe('relocatable')
    expect(img.libraries).toEqual([])
    expect(importNamed(img, 'GOMP_parallel')).toEqual({ name: 'GOMP_parallel' })
    expect(img.defined).toEqual([expect.stringMatching(/\._omp_fn\.\d+$/)])
  })

  test('non-PIE executable', () => {
    const img = readElf(load('main-nopie'))
    expect(img.kind).toBe('executable')
    expect(img.libraries).toContain('libc.so.6')
    expect(importNamed(img, 'puts')).toMatchObject({ library: 'libc.so.6' })
  })

  testIf(hasM32)('gcc -m32 shared object and object file', () => {
    const img = readElf(load('lib32.so'))
    expect(img).toMatchObject({ arch: 'i386', bits: 32, endian: 'little', kind: 'shared-object' })
    expect(importNamed(img, 'ext_call')).toEqual({ name: 'ext_call' })
    const obj = readElf(load('omp32.o'), { keepDefined: keepOutlined })
    expect(obj).toMatchObject({ arch: 'i386', bits: 32, kind: 'relocatable' })
    expect(importNamed(obj, 'GOMP_parallel')).toBeDefined()
    expect(obj.defined).toHaveLength(1)
  })

  test('not ELF or header cut short: BinaryFormatError', () => {
    const so = load('gcc-omp.so')
    expect(() => readElf(Buffer.from('#!/bin/sh\n'))).toThrow(BinaryFormatError)
    expect(() => readElf(so.subarray(0, 40))).toThrow(BinaryFormatError)
    const badClass = Buffer.from(so.subarray(0, 64))
    badClass[4] = 3
    expect(() => readElf(badClass)).toThrow(BinaryFormatError)
  })
})

describe('agrees with nm -D --undefined-only', () => {
  const cases: [string, string, boolean][] = [
    ['libgomp.so.1', LIBGOMP, fs.existsSync(LIBGOMP)],
    ['libtorch_cpu.so.1.13', LIBTORCH, fs.existsSync(LIBTORCH)]
  ]
  for (const [label, file, present] of cases) {
    testIf(present)(label, () => {
      const nm = nmUndefined(file)
      const buf = fs.readFileSync(file)
      const img = readElf(buf)
      expect(img.partial).toBeUndefined()
      expect(sorted(img.imports.map((s) => s.name))).toEqual(sorted(nm.map((n) => n.replace(/@.*/, ''))))
      // nm spells versioned imports name@VERSION.
      expect(sorted(img.imports.map((s) => (s.version ? `${s.name}@${s.version}` : s.name)))).toEqual(sorted(nm))
      const noShdr = readElf(dropSectionHeaders(buf))
      expect(noShdr.imports).toEqual(img.imports)
      expect(noShdr.libraries).toEqual(img.libraries)
      // Without sections the .dynsym size comes from the hash table: all defined dynamic symbols must still be there.
      const all = { keepDefined: (): boolean => true }
      const dynDefined = sorted(readElf(buf, all).defined)
      expect(dynDefined.length).toBeGreaterThan(0)
      expect(sorted(readElf(dropSectionHeaders(buf), all).defined)).toEqual(img.stripped ? dynDefined : expect.anything())
    })
  }
})

/** readElf on a file through a descriptor, reading only the byte ranges it needs (as inspectBinary does). */
const readElfFile = (file: string, opts: ReadOptions): BinaryImage => withFile(file, src => readElfFrom(src, opts))

describe('readElfFile: the same answers from the byte ranges it needs', () => {
  const FIXTURES = path.resolve('__fixtures__/binaries/elf')
  const fixtures = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.so')).map((f) => path.join(FIXTURES, f))
  const LIBOMP = '/usr/lib/llvm-14/lib/libomp.so.5'
  const real = [LIBGOMP, LIBTORCH, LIBOMP]
  const keep = { keepDefined: keepOutlined }

  test.each([...fixtures, ...real])('%s', (file) => {
    // A missing system library is a setup error, which readFileSync reports by failing.
    expect(readElfFile(file, keep)).toEqual(readElf(fs.readFileSync(file), keep))
  })

  /** A FileSource that counts the bytes it hands out. */
  function counting(file: string): { src: ByteSource; bytes: () => number; close: () => void } {
    const inner = new FileSource(file)
    let bytes = 0
    const src: ByteSource = {
      size: inner.size,
      read: (off, len) => {
        const b = inner.read(off, len)
        bytes += b.length
        return b
      }
    }
    return { src, bytes: () => bytes, close: () => inner.close() }
  }

  test('libtorch_cpu.so: reads its dynamic tables, a few percent of the file', () => {
    const c = counting(LIBTORCH)
    try {
      const img = readElfFrom(c.src, keep)
      expect(img.imports.length).toBeGreaterThan(1000)
      // .dynsym + .dynstr + .gnu.version(_r) + headers are about 3.8 MB of 120 MB.
      expect(c.bytes()).toBeLessThan(c.src.size * 0.05)
    } finally {
      c.close()
    }
  })

  test('.symtab and .strtab are read only when defined symbols are wanted', () => {
    const file = path.join(FIXTURES, 'gcc-omp.so')
    const without = counting(file)
    const withKeep = counting(file)
    try {
      expect(readElfFrom(without.src).defined).toEqual([])
      expect(readElfFrom(withKeep.src, keep).defined).toEqual(['scale._omp_fn.0'])
      expect(withKeep.bytes()).toBeGreaterThan(without.bytes())
    } finally {
      without.close()
      withKeep.close()
    }
  })

  test('damaged copies on disk: the same image, or the same error, as from memory', () => {
    const base = fs.readFileSync(path.join(FIXTURES, 'gcc-omp.so'))
    const rand = mulberry32(0xe1f)
    const file = bin('damaged.so')
    for (let round = 0; round < 200; round++) {
      const buf = Buffer.from(base)
      for (let k = 0; k < 1 + Math.floor(rand() * 6); k++) buf[Math.floor(rand() * (rand() < 0.5 ? 4096 : buf.length))] = Math.floor(rand() * 256)
      const cut = rand() < 0.3 ? buf.subarray(0, Math.floor(rand() * buf.length)) : buf
      fs.writeFileSync(file, cut)
      const outcome = (read: () => BinaryImage): BinaryImage | string => {
        try {
          return read()
        } catch (e) {
          if (e instanceof BinaryFormatError) return e.message
          throw e
        }
      }
      expect(outcome(() => readElfFile(file, keep))).toEqual(outcome(() => readElf(cut, keep)))
    }
  })
})

describe('synthetic images', () => {
  const spec: Omit<SynthSpec, 'bits' | 'little' | 'hash'> = {
    needed: ['libgomp.so.1', 'libc.so.6'],
    imports: [
      { name: 'GOMP_parallel', version: 'GOMP_4.0', library: 'libgomp.so.1' },
      { name: 'omp_get_num_threads', version: 'OMP_1.0', library: 'libgomp.so.1' },
      { name: 'free', version: 'GLIBC_2.2.5', library: 'libc.so.6' },
      { name: 'weak_unversioned' }
    ],
    defined: ['scale', 'helper._omp_fn.3'],
    locals: ['scale._omp_fn.0', 'helper._omp_fn.3']
  }
  const variants: [32 | 64, boolean, 'sysv' | 'gnu'][] = [
    [64, true, 'gnu'],
    [64, false, 'sysv'],
    [32, true, 'sysv'],
    [32, false, 'gnu']
  ]

  for (const [bits, little, hash] of variants) {
    test(`${bits}-bit ${little ? 'little' : 'big'}-endian, ${hash} hash, with and without section headers`, () => {
      const synth = buildElf({ ...spec, bits, little, hash, machine: bits === 64 ? 21 : 20 })
      const img = readElf(synth.buf, { keepDefined: keepOutlined })
      expect(img).toMatchObject({
        arch: bits === 64 ? 'ppc64' : 'ppc',
        bits,
        endian: little ? 'little' : 'big',
        kind: 'shared-object',
        libraries: spec.needed,
        imports: spec.imports,
        stripped: false
      })
      expect(img.partial).toBeUndefined()
      expect(sorted(img.defined)).toEqual(['helper._omp_fn.3', 'scale._omp_fn.0'])
      // File symbols (SHN_ABS 'omp.c') are not definitions.
      expect(sorted(readElf(synth.buf, { keepDefined: () => true }).defined)).toEqual(['helper._omp_fn.3', 'scale', 'scale._omp_fn.0'])

      const bare = readElf(synth.withoutSectionHeaders(), { keepDefined: keepOutlined })
      expect(bare).toMatchObject({ libraries: spec.needed, imports: spec.imports, stripped: true, defined: ['helper._omp_fn.3'] })
      expect(bare.partial).toBeUndefined()
    })
  }

  test('the hidden bit of .gnu.version entries is masked', () => {
    const s = buildElf({ ...spec, bits: 64, little: false, hash: 'gnu' })
    for (let i = 1; i <= spec.imports.length; i++) s.buf[s.layout.versym + 2 * i] |= 0x80
    expect(readElf(s.buf).imports).toEqual(spec.imports)
    expect(readElf(s.withoutSectionHeaders()).imports).toEqual(spec.imports)
  })

  test('arch and kind names', () => {
    const cases: [number, 32 | 64, string][] = [
      [62, 64, 'x86_64'],
      [3, 32, 'i386'],
      [183, 64, 'aarch64'],
      [40, 32, 'arm'],
      [22, 64, 's390x'],
      [243, 64, 'riscv64'],
      [8, 32, 'mips'],
      [0x1234, 64, 'machine-4660']
    ]
    for (const [machine, bits, arch] of cases) {
      expect(readElf(buildElf({ ...spec, bits, little: true, hash: 'sysv', machine }).buf).arch).toBe(arch)
    }
    const kinds: [number, string][] = [
      [1, 'relocatable'],
      [2, 'executable'],
      [3, 'shared-object'],
      [4, 'core']
    ]
    for (const [type, kind] of kinds) {
      expect(readElf(buildElf({ ...spec, bits: 64, little: true, hash: 'sysv', type }).buf).kind).toBe(kind)
    }
  })
})

describe('hostile and damaged input', () => {
  const spec: SynthSpec = {
    bits: 64,
    little: true,
    hash: 'gnu',
    needed: ['libgomp.so.1'],
    imports: [
      { name: 'GOMP_parallel', version: 'GOMP_4.0', library: 'libgomp.so.1' },
      { name: 'GOMP_barrier', version: 'GOMP_1.0', library: 'libgomp.so.1' }
    ],
    defined: ['run'],
    locals: ['run._omp_fn.0']
  }

  test('e_shnum huge: section table past the end, read through program headers', () => {
    const s = buildElf(spec)
    s.buf.writeUInt16LE(0xfffe, 60)
    const img = readElf(s.buf)
    expect(img.partial).toMatch(/section header table/)
    expect(img.imports).toEqual(spec.imports)
    expect(img.libraries).toEqual(spec.needed)
  })

  test('e_shoff and e_phoff beyond 2^53', () => {
    const s = buildElf(spec)
    s.buf.writeBigUInt64LE(0xfff0_0000_0000_0000n, 40)
    s.buf.writeBigUInt64LE(0xfff0_0000_0000_0000n, 32)
    const img = readElf(s.buf)
    expect(img.partial).toBeDefined()
    expect(img.imports).toEqual([])
  })

  test('.dynsym sh_offset past the end or sh_entsize 0: partial, recovered through PT_DYNAMIC', () => {
    for (const [field, value] of [
      ['offset', 1n << 40n],
      ['offset', 1n << 60n],
      ['entsize', 0n]
    ] as const) {
      const s = buildElf(spec)
      s.setSectionField('.dynsym', field, value)
      const img = readElf(s.buf)
      expect(img.partial).toBeDefined()
      expect(img.imports).toEqual(spec.imports)
    }
  })

  test('section sizes and links past the end', () => {
    for (const name of ['.dynsym', '.dynstr', '.gnu.version', '.gnu.version_r', '.dynamic', '.symtab', '.strtab']) {
      for (const field of ['size', 'offset', 'entsize', 'info'] as const) {
        for (const value of [0n, 1n, 0xffffffffn, 1n << 62n, 0xffff_ffff_ffff_ffffn]) {
          const s = buildElf(spec)
          s.setSectionField(name, field, value)
          readSafely(s.buf)
        }
      }
    }
  })

  test('verneed chains pointing back at themselves terminate', () => {
    for (const field of ['vn_next', 'vna_next'] as const) {
      const s = buildElf(spec)
      // -16 as unsigned: a reader with signed or 32-bit wrapping offsets would loop forever.
      s.buf.writeUInt32LE(0xfffffff0, field === 'vn_next' ? s.layout.verneed + 12 : s.layout.verneed + 16 + 12)
      s.setSectionField('.gnu.version_r', 'info', 0xffffffffn)
      const img = readElf(s.buf)
      expect(img.partial).toMatch(/version needs/)
      expect(img.imports.map((i) => i.name)).toEqual(spec.imports.map((i) => i.name))
    }
  })

  test('verneed count huge with records that fit', () => {
    const s = buildElf(spec)
    s.setSectionField('.gnu.version_r', 'info', 0xffffffffn)
    s.buf.writeUInt32LE(16, s.layout.verneed + 12) // vn_next: the following vernaux, read as a verneed
    const img = readElf(s.buf)
    expect(img.imports.map((i) => i.name)).toEqual(spec.imports.map((i) => i.name))
  })

  test('DT_GNU_HASH with absurd nbuckets, and DT_HASH with absurd nchain', () => {
    const gnu = buildElf(spec)
    gnu.buf.writeUInt32LE(0xffffffff, gnu.layout.hash)
    const a = readElf(gnu.withoutSectionHeaders())
    expect(a.partial).toMatch(/GNU hash/)
    expect(a.libraries).toEqual(spec.needed)

    const sysv = buildElf({ ...spec, hash: 'sysv' })
    sysv.buf.writeUInt32LE(0xffffffff, sysv.layout.hash + 4)
    const b = readElf(sysv.withoutSectionHeaders())
    expect(b.partial).toMatch(/dynamic symbol table is truncated/)
    expect(b.libraries).toEqual(spec.needed)
    expect(b.imports.slice(0, 2)).toEqual(spec.imports)
  })

  test('thousands of symbols sharing one huge name stay within a decoding budget', () => {
    const name = 'A'.repeat(200_000)
    const s = buildElf({ ...spec, imports: Array.from({ length: 20_000 }, () => ({ name })), locals: [] })
    const img = readElf(s.buf)
    expect(img.partial).toMatch(/names repeat/)
    expect(img.imports.length).toBeLessThan(100)
  })

  test('4,000 symbols naming one 64 MB string (larger than any CPU cache) are answered in under a second', () => {
    // nm -D answers this file in 0.2 s; scanning the whole string for its NUL per symbol took 12.8 s.
    const name = 'A'.repeat(64 << 20)
    const s = buildElf({ ...spec, imports: Array.from({ length: 4_000 }, () => ({ name })), locals: [] })
    expect(s.buf.length).toBeGreaterThan(64 << 20)
    const start = process.hrtime.bigint()
    const img = readElf(s.buf)
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    expect(img.partial).toMatch(/too long to be real/)
    expect(seconds).toBeLessThan(1)
  })

  test('unterminated string table', () => {
    const s = buildElf(spec)
    const str = s.layout.dynstr
    s.buf.fill(0x41, str.off, str.off + str.size)
    const img = readSafely(s.buf)
    expect(img).not.toBeInstanceOf(BinaryFormatError)
  })

  test('truncation at every length of a synthetic image and many lengths of a real one', () => {
    const synth = buildElf(spec).buf
    for (let n = 0; n <= synth.length; n++) readSafely(synth.subarray(0, n))
    const real = load('gcc-omp.so')
    for (let n = 0; n <= real.length; n += 37) {
      const r = readSafely(real.subarray(0, n))
      if (n >= 64 && !(r instanceof BinaryFormatError)) {
        expect(r.partial === undefined).toBe(n >= real.length)
      }
    }
    const noShdr = load('gcc-omp-noshdr.so')
    for (let n = 0; n <= noShdr.length; n += 41) readSafely(noShdr.subarray(0, n))
  })

  test('random byte flips in a real shared object', () => {
    const base = load('gcc-omp.so')
    const rand = mulberry32(1234)
    for (let k = 0; k < 400; k++) {
      const buf = Buffer.from(base)
      const flips = 1 + Math.floor(rand() * 24)
      // Half the flips land in the first 4 KiB and the last 2 KiB, where the tables live.
      for (let f = 0; f < flips; f++) {
        const zone = rand()
        const at = zone < 0.4 ? Math.floor(rand() * 4096) : zone < 0.6 ? buf.length - 1 - Math.floor(rand() * 2048) : Math.floor(rand() * buf.length)
        buf[at] ^= 1 << Math.floor(rand() * 8)
      }
      readSafely(buf)
      readSafely(dropSectionHeaders(buf))
    }
  })

  test('property: any mutation yields an image or a BinaryFormatError', () => {
    const bases = [buildElf(spec), buildElf({ ...spec, bits: 32, little: false, hash: 'sysv' })]
    const bareBases = bases.map((b) => b.withoutSectionHeaders())
    const interesting = [0, 1, 0x7f, 0x80, 0xff, 0x10, 0x18, 0x40]
    const write = fc.record({
      at: fc.nat(),
      value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...interesting)),
      wide: fc.constantFrom(1, 1, 2, 4, 8)
    })
    fc.assert(
      fc.property(fc.nat({ max: 3 }), fc.array(write, { maxLength: 12 }), fc.option(fc.nat()), (which, writes, cut) => {
        const base = which < 2 ? bases[which].buf : bareBases[which - 2]
        const buf = Buffer.from(base)
        for (const { at, value, wide } of writes) {
          const p = at % buf.length
          // Wide writes smear one value over a whole field (counts, offsets, sizes).
          for (let i = 0; i < wide && p + i < buf.length; i++) buf[p + i] = value
        }
        const input = cut === null ? buf : buf.subarray(0, cut % (buf.length + 1))
        readSafely(input)
      }),
      { seed: 20240611, numRuns: 2000 }
    )
  })

  test('property: random bytes behind an ELF header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 2048 }), fc.boolean(), fc.boolean(), (bytes, wide, little) => {
        const head = Buffer.from([0x7f, 0x45, 0x4c, 0x46, wide ? 2 : 1, little ? 1 : 2, 1])
        readSafely(Buffer.concat([head, Buffer.from(bytes)]))
      }),
      { seed: 7, numRuns: 500 }
    )
  })
})

// --- a tiny ELF writer ---------------------------------------------------

interface SynthSpec {
  bits: 32 | 64
  little: boolean
  hash: 'sysv' | 'gnu'
  machine?: number
  type?: number
  needed: string[]
  /** Undefined .dynsym entries, in order; version and library go through .gnu.version_r. */
  imports: ImportedSymbol[]
  /** Defined .dynsym entries. */
  defined: string[]
  /** Local functions, only in .symtab (absent when empty). */
  locals: string[]
}

type SectionField = 'offset' | 'size' | 'entsize' | 'info'

interface Synth {
  buf: Buffer
  layout: { verneed: number; versym: number; hash: number; dynstr: { off: number; size: number } }
  setSectionField(name: string, field: SectionField, value: bigint): void
  withoutSectionHeaders(): Buffer
}

/** Byte sink: appends at `pos`, or patches at an explicit offset without moving `pos`. */
class Out {
  private bytes = Buffer.alloc(1 << 16)
  pos = 0
  constructor(
    readonly little: boolean,
    readonly bits: 32 | 64
  ) {}
  private at(size: number, at: number | undefined): number {
    const p = at ?? this.pos
    if (p + size > this.bytes.length) this.bytes = Buffer.concat([this.bytes, Buffer.alloc(Math.max(this.bytes.length, size))])
    if (at === undefined) this.pos += size
    return p
  }
  align(n: number): void {
    while (this.pos % n !== 0) this.pos++
  }
  u8(v: number, at?: number): void {
    const p = this.at(1, at)
    this.bytes[p] = v
  }
  u16(v: number, at?: number): void {
    const p = this.at(2, at)
    if (this.little) this.bytes.writeUInt16LE(v, p)
    else this.bytes.writeUInt16BE(v, p)
  }
  u32(v: number, at?: number): void {
    const p = this.at(4, at)
    if (this.little) this.bytes.writeUInt32LE(v >>> 0, p)
    else this.bytes.writeUInt32BE(v >>> 0, p)
  }
  u64(v: bigint, at?: number): void {
    const p = this.at(8, at)
    if (this.little) this.bytes.writeBigUInt64LE(v, p)
    else this.bytes.writeBigUInt64BE(v, p)
  }
  word(v: number | bigint, at?: number): void {
    if (this.bits === 64) this.u64(BigInt(v), at)
    else this.u32(Number(v), at)
  }
  raw(b: Buffer): void {
    const p = this.at(b.length, undefined)
    b.copy(this.bytes, p)
  }
  done(): Buffer {
    return Buffer.from(this.bytes.subarray(0, this.pos))
  }
}

class StrBuilder {
  private parts: string[] = ['']
  private size = 1
  private index = new Map<string, number>()
  add(s: string): number {
    const known = this.index.get(s)
    if (known !== undefined) return known
    const at = this.size
    this.parts.push(s)
    this.size += s.length + 1
    this.index.set(s, at)
    return at
  }
  bytes(): Buffer {
    return Buffer.from(this.parts.join('\0') + '\0', 'latin1')
  }
}

const BASE = 0x10000
const DATA_BASE = 0x200000
const DT = { NULL: 0, NEEDED: 1, HASH: 4, STRTAB: 5, SYMTAB: 6, STRSZ: 10, SYMENT: 11, GNU_HASH: 0x6ffffef5, VERSYM: 0x6ffffff0, VERNEED: 0x6ffffffe, VERNEEDNUM: 0x6fffffff }

/**
 * Lay out a minimal shared object: header, PT_LOAD + PT_DYNAMIC, .dynstr,
 * .dynsym, .gnu.version, .gnu.version_r, a hash table, .dynamic, optional
 * .symtab/.strtab and the section headers. The headers load at BASE and the
 * tables at DATA_BASE + offset, so the segment path must really map them.
 */
function buildElf(spec: SynthSpec): Synth {
  const { bits, little } = spec
  const w = bits === 64
  const o = new Out(little, bits)
  const ehsize = w ? 64 : 52
  const phentsize = w ? 56 : 32
  const shentsize = w ? 64 : 40
  const symentsize = w ? 24 : 16
  const tablesStart = ehsize + 3 * phentsize
  const vaddr = (off: number): number => DATA_BASE + off
  o.pos = tablesStart

  // Version indexes start at 2, one per (library, version) pair.
  const dynstr = new StrBuilder()
  const neededOffs = spec.needed.map((n) => dynstr.add(n))
  const versionIndex = new Map<string, number>()
  const byLibrary = new Map<string, string[]>()
  for (const s of spec.imports) {
    if (!s.version || !s.library) continue
    const key = `${s.library}\0${s.version}`
    if (versionIndex.has(key)) continue
    versionIndex.set(key, versionIndex.size + 2)
    byLibrary.set(s.library, [...(byLibrary.get(s.library) ?? []), s.version])
  }
  const syms = [...spec.imports.map((s) => ({ name: s.name, shndx: 0, versym: s.version && s.library ? (versionIndex.get(`${s.library}\0${s.version}`) ?? 1) : 1 })), ...spec.defined.map((name) => ({ name, shndx: 7, versym: 1 }))]
  const symNameOffs = syms.map((s) => dynstr.add(s.name))
  for (const [lib, versions] of byLibrary) {
    dynstr.add(lib)
    versions.forEach((v) => dynstr.add(v))
  }

  const sections: { name: string; type: number; off: number; size: number; link: number; info: number; entsize: number; flags: number }[] = []
  const section = (name: string, type: number, off: number, size: number, link = 0, info = 0, entsize = 0): number => {
    sections.push({ name, type, off, size, link, info, entsize, flags: 2 })
    return sections.length // index, counting the null section
  }

  // .dynstr
  const strBytes = dynstr.bytes()
  const dynstrOff = o.pos
  o.raw(strBytes)
  const dynstrIdx = section('.dynstr', 3, dynstrOff, strBytes.length)

  // .dynsym
  o.align(8)
  const dynsymOff = o.pos
  const writeSym = (name: number, info: number, shndx: number): void => {
    if (w) {
      o.u32(name)
      o.u8(info)
      o.u8(0)
      o.u16(shndx)
      o.u64(0n)
      o.u64(0n)
    } else {
      o.u32(name)
      o.u32(0)
      o.u32(0)
      o.u8(info)
      o.u8(0)
      o.u16(shndx)
    }
  }
  writeSym(0, 0, 0)
  syms.forEach((s, i) => writeSym(symNameOffs[i], 0x12, s.shndx))
  const nsyms = syms.length + 1
  section('.dynsym', 11, dynsymOff, nsyms * symentsize, dynstrIdx, 1, symentsize)

  // .gnu.version
  o.align(2)
  const versymOff = o.pos
  o.u16(0)
  syms.forEach((s) => o.u16(s.versym))
  section('.gnu.version', 0x6fffffff, versymOff, nsyms * 2, 2, 0, 2)

  // .gnu.version_r
  o.align(8)
  const verneedOff = o.pos
  const libs = [...byLibrary]
  libs.forEach(([lib, versions], li) => {
    const start = o.pos
    o.u16(1)
    o.u16(versions.length)
    o.u32(dynstr.add(lib))
    o.u32(16)
    o.u32(li === libs.length - 1 ? 0 : 16 + versions.length * 16)
    versions.forEach((v, vi) => {
      o.u32(0)
      o.u16(0)
      o.u16(versionIndex.get(`${lib}\0${v}`) ?? 0)
      o.u32(dynstr.add(v))
      o.u32(vi === versions.length - 1 ? 0 : 16)
    })
    if (o.pos - start !== 16 + versions.length * 16) throw new Error('verneed layout')
  })
  section('.gnu.version_r', 0x6ffffffe, verneedOff, o.pos - verneedOff, dynstrIdx, libs.length)

  // Hash table: only the count of symbols matters to a reader.
  o.align(8)
  const hashOff = o.pos
  if (spec.hash === 'sysv') {
    o.u32(1)
    o.u32(nsyms)
    o.u32(0)
    for (let i = 0; i < nsyms; i++) o.u32(0)
    section('.hash', 5, hashOff, o.pos - hashOff, 2, 0, 4)
  } else {
    const symoffset = spec.imports.length + 1
    const hashed = spec.defined.length
    o.u32(1)
    o.u32(symoffset)
    o.u32(1)
    o.u32(6)
    o.word(0)
    o.u32(hashed > 0 ? symoffset : 0)
    for (let i = 0; i < hashed; i++) o.u32(i === hashed - 1 ? 1 : 2)
    section('.gnu.hash', 0x6ffffff6, hashOff, o.pos - hashOff, 2)
  }

  // .dynamic
  o.align(8)
  const dynamicOff = o.pos
  const dyn = (tag: number, val: number): void => {
    o.word(tag)
    o.word(val)
  }
  neededOffs.forEach((n) => dyn(DT.NEEDED, n))
  dyn(spec.hash === 'sysv' ? DT.HASH : DT.GNU_HASH, vaddr(hashOff))
  dyn(DT.STRTAB, vaddr(dynstrOff))
  dyn(DT.SYMTAB, vaddr(dynsymOff))
  dyn(DT.STRSZ, strBytes.length)
  dyn(DT.SYMENT, symentsize)
  dyn(DT.VERSYM, vaddr(versymOff))
  dyn(DT.VERNEED, vaddr(verneedOff))
  dyn(DT.VERNEEDNUM, libs.length)
  dyn(DT.NULL, 0)
  dyn(DT.NEEDED, neededOffs[0] ?? 0) // after DT_NULL: must be ignored
  const dynamicSize = o.pos - dynamicOff
  section('.dynamic', 6, dynamicOff, dynamicSize, dynstrIdx, 0, w ? 16 : 8)

  // .symtab / .strtab with local symbols and a file symbol, as a compiler leaves them.
  if (spec.locals.length > 0) {
    const strtab = new StrBuilder()
    const file = strtab.add('omp.c')
    const locals = spec.locals.map((n) => strtab.add(n))
    const strBuf = strtab.bytes()
    const strOff = o.pos
    o.raw(strBuf)
    const strIdx = section('.strtab', 3, strOff, strBuf.length)
    o.align(8)
    const symOff = o.pos
    writeSym(0, 0, 0)
    writeSym(file, 0x04, 0xfff1)
    locals.forEach((n) => writeSym(n, 0x02, 7))
    section('.symtab', 2, symOff, o.pos - symOff, strIdx, 2, symentsize)
  }

  const shstr = new StrBuilder()
  const shNames = sections.map((s) => shstr.add(s.name))
  const shstrName = shstr.add('.shstrtab')
  const shstrBytes = shstr.bytes()
  const shstrOff = o.pos
  o.raw(shstrBytes)

  o.align(8)
  const shoff = o.pos
  const shnum = sections.length + 2
  const sectionHeaderAt = new Map<string, number>()
  const writeSection = (name: number, type: number, off: number, size: number, link: number, info: number, entsize: number, flags: number): void => {
    o.u32(name)
    o.u32(type)
    o.word(flags)
    o.word(off === 0 ? 0 : vaddr(off))
    o.word(off)
    o.word(size)
    o.u32(link)
    o.u32(info)
    o.word(w ? 8 : 4)
    o.word(entsize)
  }
  writeSection(0, 0, 0, 0, 0, 0, 0, 0)
  sections.forEach((s, i) => {
    sectionHeaderAt.set(s.name, o.pos)
    writeSection(shNames[i], s.type, s.off, s.size, s.link, s.info, s.entsize, s.flags)
  })
  writeSection(shstrName, 3, shstrOff, shstrBytes.length, 0, 0, 0, 0)
  const fileSize = o.pos

  // ELF header.
  const ident = [0x7f, 0x45, 0x4c, 0x46, w ? 2 : 1, little ? 1 : 2, 1]
  ident.forEach((b, i) => o.u8(b, i))
  o.u16(spec.type ?? 3, 16)
  o.u16(spec.machine ?? 62, 18)
  o.u32(1, 20)
  o.word(0, 24)
  o.word(ehsize, w ? 32 : 28)
  o.word(shoff, w ? 40 : 32)
  o.u32(0, w ? 48 : 36)
  o.u16(ehsize, w ? 52 : 40)
  o.u16(phentsize, w ? 54 : 42)
  o.u16(3, w ? 56 : 44)
  o.u16(shentsize, w ? 58 : 46)
  o.u16(shnum, w ? 60 : 48)
  o.u16(shnum - 1, w ? 62 : 50)

  // Program headers: PT_LOAD for the headers, PT_LOAD for the tables, PT_DYNAMIC.
  const phdr = (at: number, type: number, off: number, addr: number, size: number): void => {
    o.u32(type, at)
    if (w) {
      o.u32(6, at + 4)
      o.u64(BigInt(off), at + 8)
      o.u64(BigInt(addr), at + 16)
      o.u64(BigInt(addr), at + 24)
      o.u64(BigInt(size), at + 32)
      o.u64(BigInt(size), at + 40)
      o.u64(8n, at + 48)
    } else {
      o.u32(off, at + 4)
      o.u32(addr, at + 8)
      o.u32(addr, at + 12)
      o.u32(size, at + 16)
      o.u32(size, at + 20)
      o.u32(6, at + 24)
      o.u32(4, at + 28)
    }
  }
  phdr(ehsize, 1, 0, BASE, tablesStart)
  phdr(ehsize + phentsize, 1, tablesStart, vaddr(tablesStart), fileSize - tablesStart)
  phdr(ehsize + 2 * phentsize, 2, dynamicOff, vaddr(dynamicOff), dynamicSize)

  const buf = o.done()
  const fieldAt: Record<SectionField, [number, number]> = w
    ? { offset: [24, 8], size: [32, 8], info: [44, 4], entsize: [56, 8] }
    : { offset: [16, 4], size: [20, 4], info: [28, 4], entsize: [36, 4] }
  return {
    buf,
    layout: { verneed: verneedOff, versym: versymOff, hash: hashOff, dynstr: { off: dynstrOff, size: strBytes.length } },
    setSectionField(name, field, value) {
      const at = sectionHeaderAt.get(name)
      if (at === undefined) throw new Error(`no section ${name}`)
      const [rel, size] = fieldAt[field]
      const v = size === 8 ? value : value & 0xffffffffn
      if (size === 8) {
        if (little) buf.writeBigUInt64LE(v, at + rel)
        else buf.writeBigUInt64BE(v, at + rel)
      } else if (little) buf.writeUInt32LE(Number(v), at + rel)
      else buf.writeUInt32BE(Number(v), at + rel)
    },
    withoutSectionHeaders() {
      const out = Buffer.from(buf)
      out.fill(0, w ? 40 : 32, w ? 48 : 36)
      out.fill(0, w ? 60 : 48, w ? 64 : 52)
      return out
    }
  }
}

/** Small seeded PRNG so byte-flip runs are reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
