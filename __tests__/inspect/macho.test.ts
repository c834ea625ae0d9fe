import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { BinaryFormatError, type BinaryImage } from '../../src/inspect/binary/binary-types.js'
import { BufferSource, withFile, type ByteSource } from '../../src/inspect/binary/byte-source.js'
import { isMachO, readMachO, readMachOFrom } from '../../src/inspect/binary/macho.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const FIXTURES = `${ROOT}__fixtures__/binaries/macho/`

const LIBOMP = '@rpath/libomp.dylib'
const LIBGOMP = '@rpath/libgomp.1.dylib'
const LIBSYSTEM = '/usr/lib/libSystem.B.dylib'
const LIBCXX = '/usr/lib/libc++.1.dylib'
const OMP_IMPORTS = ['___kmpc_for_static_fini', '___kmpc_for_static_init_4', '___kmpc_fork_call', '_omp_get_max_threads']

const ALL_FIXTURES = [
  'omp-arm64.so',
  'omp-x86_64-classic.so',
  'noomp-arm64.so',
  'omp-dynamic-lookup-arm64.so',
  'libgomp-only-arm64.so',
  'omp-flat-x86_64.so',
  'omp-weak-x86_64.dylib',
  'omp-arm64_32.so',
  'omp-arm64-strip-x.so',
  'omp-arm64-stripped.so',
  'fat.so',
  'fat64.so',
  'omp-homebrew-arm64.so',
  'omp-arm64-chained.so',
  'omp-dynamic-lookup-arm64-chained.so'
]

function fixture(name: string): Buffer {
  return readFileSync(FIXTURES + name)
}

function only(images: BinaryImage[]): BinaryImage {
  expect(images).toHaveLength(1)
  return images[0]
}

/** name -> library, for compact assertions. */
function importMap(image: BinaryImage): Record<string, string | undefined> {
  return Object.fromEntries(image.imports.map((s) => [s.name, s.library]))
}

/** First candidate that runs; LLVM tools are versioned on Debian (llvm-nm-14). */
function findTool(candidates: string[], version?: RegExp): string | undefined {
  for (const c of candidates) {
    const r = spawnSync(c, ['--version'], { encoding: 'utf8' })
    if (r.status === 0 && (version === undefined || version.test(r.stdout))) return c
  }
  return undefined
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 16 << 20 })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout
}

// ------------------------------------------------------- committed fixtures

describe('readMachO on the committed fixtures', () => {
  test('omp-arm64.so: an OpenMP bundle bound to @rpath/libomp.dylib', () => {
    const image = only(readMachO(fixture('omp-arm64.so')))
    expect(image).toMatchObject({ format: 'macho', arch: 'arm64', bits: 64, endian: 'little', kind: 'bundle', stripped: false })
    expect(image.partial).toBeUndefined()
    expect(image.libraries).toEqual([LIBOMP, LIBSYSTEM])
    expect(importMap(image)).toEqual({
      ...Object.fromEntries(OMP_IMPORTS.map((n) => [n, LIBOMP])),
      dyld_stub_binder: LIBSYSTEM
    })
    expect(image.defined).toEqual([])
  })

  test('omp-x86_64-classic.so: the same on x86_64 with classic binds', () => {
    const image = only(readMachO(fixture('omp-x86_64-classic.so')))
    expect(image).toMatchObject({ arch: 'x86_64', bits: 64, kind: 'bundle', stripped: false, libraries: [LIBOMP, LIBSYSTEM] })
    expect(importMap(image)['___kmpc_fork_call']).toBe(LIBOMP)
    expect(image.partial).toBeUndefined()
  })

  test('noomp-arm64.so: no OpenMP library and no OpenMP import', () => {
    const image = only(readMachO(fixture('noomp-arm64.so')))
    expect(image).toMatchObject({ arch: 'arm64', kind: 'bundle', stripped: false, libraries: [LIBSYSTEM] })
    expect(importMap(image)).toEqual({ dyld_stub_binder: LIBSYSTEM })
  })

  test('omp-dynamic-lookup-arm64.so: OpenMP imports resolved by dynamic lookup, no libomp', () => {
    const image = only(readMachO(fixture('omp-dynamic-lookup-arm64.so')))
    expect(image.libraries).toEqual([LIBSYSTEM])
    for (const name of OMP_IMPORTS) expect(importMap(image)[name]).toBe('dynamic-lookup')
    expect(importMap(image)['dyld_stub_binder']).toBe(LIBSYSTEM)
  })

  test('libgomp-only-arm64.so: links libgomp but imports nothing from it', () => {
    const image = only(readMachO(fixture('libgomp-only-arm64.so')))
    expect(image.libraries).toEqual([LIBGOMP, LIBSYSTEM])
    expect(image.imports.map((s) => s.name)).toEqual(['dyld_stub_binder'])
  })

  test('omp-flat-x86_64.so: no MH_TWOLEVEL, so every import is flat-namespace', () => {
    const image = only(readMachO(fixture('omp-flat-x86_64.so')))
    expect(image.libraries).toEqual([LIBOMP, LIBSYSTEM])
    expect(new Set(image.imports.map((s) => s.library))).toEqual(new Set(['flat-namespace']))
    expect(image.imports.map((s) => s.name)).toEqual(expect.arrayContaining(OMP_IMPORTS))
  })

  test('omp-weak-x86_64.dylib: weak and re-exported dylibs count as libraries, listed once', () => {
    const image = only(readMachO(fixture('omp-weak-x86_64.dylib')))
    expect(image.kind).toBe('dylib')
    // lld 14 writes libc++ twice (LC_LOAD_DYLIB + LC_REEXPORT_DYLIB); ordinals still count both.
    expect(image.libraries).toEqual([LIBSYSTEM, LIBOMP, LIBCXX])
    expect(importMap(image)['___kmpc_fork_call']).toBe(LIBOMP)
    expect(importMap(image)['dyld_stub_binder']).toBe(LIBSYSTEM)
  })

  test('omp-arm64_32.so: a 32-bit thin image with 12-byte nlist entries', () => {
    const image = only(readMachO(fixture('omp-arm64_32.so')))
    expect(image).toMatchObject({ arch: 'arm64_32', bits: 32, endian: 'little', kind: 'bundle', stripped: false })
    expect(importMap(image)['___kmpc_fork_call']).toBe(LIBOMP)
  })

  test.each(['omp-arm64-strip-x.so', 'omp-arm64-stripped.so'])('%s: stripped, imports intact', (name) => {
    const image = only(readMachO(fixture(name)))
    expect(image.stripped).toBe(true)
    expect(image.partial).toBeUndefined()
    expect(image.imports).toEqual(only(readMachO(fixture('omp-arm64.so'))).imports)
  })

  test.each(['fat.so', 'fat64.so'])('%s: two slices, each read like its thin original', (name) => {
    const images = readMachO(fixture(name))
    expect(images.map((i) => i.arch).sort()).toEqual(['arm64', 'x86_64'])
    const byArch = Object.fromEntries(images.map((i) => [i.arch, i]))
    expect(byArch['arm64']).toEqual(only(readMachO(fixture('omp-arm64.so'))))
    expect(byArch['x86_64']).toEqual(only(readMachO(fixture('omp-x86_64-classic.so'))))
  })

  test('fat64.so really has the 64-bit universal header', () => {
    expect(fixture('fat64.so').readUInt32BE(0)).toBe(0xcafebabf)
    expect(fixture('fat.so').readUInt32BE(0)).toBe(0xcafebabe)
  })

  test('keepDefined keeps the outlined OpenMP region; a full strip leaves none', () => {
    const keep = (n: string): boolean => n.includes('omp_outlined')
    expect(only(readMachO(fixture('omp-arm64.so'), { keepDefined: keep })).defined).toEqual(['_.omp_outlined.'])
    expect(only(readMachO(fixture('omp-arm64-strip-x.so'), { keepDefined: keep })).defined).toEqual([])
    expect(only(readMachO(fixture('omp-arm64-stripped.so'), { keepDefined: () => true })).defined).toEqual([])
  })

  test('omp-homebrew-arm64.so: bound to Homebrew\'s libomp by absolute path', () => {
    const image = only(readMachO(fixture('omp-homebrew-arm64.so')))
    const brew = '/opt/homebrew/opt/libomp/lib/libomp.dylib'
    expect(image.libraries).toEqual([brew, LIBSYSTEM])
    for (const name of OMP_IMPORTS) expect(importMap(image)[name]).toBe(brew)
  })

  test.each(ALL_FIXTURES)('isMachO(%s)', (name) => {
    expect(isMachO(fixture(name))).toBe(true)
    for (const image of readMachO(fixture(name))) expect(image.partial).toBeUndefined()
  })
})

// ----------------------------------------- chained fixups from ld64.lld 16

/** The load commands of a thin 64-bit little-endian image: cmd and file offset. */
function loadCommands(buf: Buffer): { cmd: number; off: number }[] {
  const out: { cmd: number; off: number }[] = []
  let off = 32
  for (let i = 0; i < buf.readUInt32LE(16); i++) {
    out.push({ cmd: buf.readUInt32LE(off), off })
    off += buf.readUInt32LE(off + 4)
  }
  return out
}

describe('real chained fixups (linked by ld64.lld 16 with -fixup_chains)', () => {
  const LC_DYLD_CHAINED_FIXUPS = 0x80000034
  const LC_DYLD_INFO_ONLY = 0x80000022
  const LC_SYMTAB = 0x2

  test.each([
    ['omp-arm64-chained.so', LIBOMP],
    ['omp-dynamic-lookup-arm64-chained.so', 'dynamic-lookup']
  ])('%s: the imports table alone names every OpenMP import and its library', (name, library) => {
    const full = fixture(name)
    const cmds = loadCommands(full).map((c) => c.cmd)
    expect(cmds).toContain(LC_DYLD_CHAINED_FIXUPS)
    expect(cmds).not.toContain(LC_DYLD_INFO_ONLY)
    // With nsyms zeroed, LC_SYMTAB gives nothing: what is left comes from the chained imports.
    const chainedOnly = Buffer.from(full)
    const symtab = loadCommands(full).find((c) => c.cmd === LC_SYMTAB)
    if (!symtab) throw new Error(`${name} has no LC_SYMTAB`)
    chainedOnly.writeUInt32LE(0, symtab.off + 12)
    const image = only(readMachO(chainedOnly))
    expect(image.partial).toBeUndefined()
    const omp = Object.fromEntries(image.imports.filter((s) => OMP_IMPORTS.includes(s.name)).map((s) => [s.name, s.library]))
    expect(omp).toEqual(Object.fromEntries(OMP_IMPORTS.map((n) => [n, library])))
    // And the full read agrees with it.
    expect(importMap(only(readMachO(full)))).toMatchObject(omp)
  })
})

// ------------------------------------------------ cross-check with LLVM tools

/** Missing tools fail the suite with a setup error instead of skipping tests. */
function requireTools(tools: Record<string, string | undefined>): void {
  const missing = Object.entries(tools).filter(([, v]) => v === undefined).map(([k]) => k)
  if (missing.length) throw new Error(`Setup error: ${missing.join(', ')} missing on this machine (scripts/setup-debian.sh installs them).`)
}

const NM = findTool(['llvm-nm', 'llvm-nm-14'])
const OBJDUMP = findTool(['llvm-objdump', 'llvm-objdump-14'])

/** llvm-nm -m prints "(from libomp)" for @rpath/libomp.dylib: the base name up to its first dot. */
function nmLibraryName(library: string | undefined): string | undefined {
  if (library === undefined) return undefined
  if (library.includes('/')) return library.slice(library.lastIndexOf('/') + 1).split('.')[0]
  return library
}

function nmImports(file: string, arch: string | undefined): Record<string, string | undefined> {
  const args = ['-m', '--undefined-only', ...(arch === undefined ? [] : [`--arch=${arch}`]), file]
  const out: Record<string, string | undefined> = {}
  for (const line of run(NM as string, args).split('\n')) {
    const m = /^\s*\(undefined\) (?:weak )?external (\S+)(?: \((?:from (\S+)|(dynamically looked up))\))?/.exec(line)
    if (m !== null) out[m[1]] = m[2] ?? (m[3] !== undefined ? 'dynamic-lookup' : 'flat-namespace')
  }
  return out
}

function nmDefined(file: string, arch: string | undefined): { names: string[]; locals: number } {
  const args = ['-m', '--defined-only', ...(arch === undefined ? [] : [`--arch=${arch}`]), file]
  const lines = run(NM as string, args)
    .split('\n')
    .filter((l) => /^[0-9a-f]+ \(/.test(l))
  return {
    names: lines.map((l) => l.split(' ').pop() as string),
    locals: lines.filter((l) => l.includes(' non-external ')).length
  }
}

function objdumpDylibs(file: string, arch: string | undefined, kind: string): string[] {
  const args = ['--macho', '--dylibs-used', ...(arch === undefined ? [] : [`--arch=${arch}`]), file]
  const names = run(OBJDUMP as string, args)
    .split('\n')
    .filter((l) => l.startsWith('\t'))
    .map((l) => l.trim().replace(/ \(compatibility version .*$/, ''))
  return kind === 'dylib' ? names.slice(1) : names // a dylib lists its own LC_ID_DYLIB first
}

describe('agrees with llvm-nm and llvm-objdump', () => {
  requireTools({ 'llvm-nm': NM, 'llvm-objdump': OBJDUMP })
  const maybe = test.each(ALL_FIXTURES)
  maybe('%s', (name) => {
    const file = FIXTURES + name
    const fat = fixture(name).readUInt32BE(0) >>> 1 === 0xcafebabe >>> 1
    for (const image of readMachO(fixture(name), { keepDefined: () => true })) {
      const arch = fat ? image.arch : undefined
      const nm = nmImports(file, arch)
      const mine = Object.fromEntries(image.imports.map((s) => [s.name, nmLibraryName(s.library)]))
      expect(mine).toEqual(nm)
      const defined = nmDefined(file, arch)
      expect([...image.defined].sort()).toEqual([...new Set(defined.names)].sort())
      expect(image.stripped).toBe(defined.locals === 0)
      expect(image.libraries).toEqual([...new Set(objdumpDylibs(file, arch, image.kind))])
    }
  })
})

// ------------------------------------------------------- reproducible build

const CLANG = findTool(['clang-14', 'clang'], /version 14\./)
const LLD = findTool(['ld64.lld-14', 'ld64.lld'], /LLD 14\./)
const LLD16 = findTool(['ld64.lld-16'], /LLD 16\./)
const GCC = findTool(['gcc-12', 'gcc'], / 12\.2\./)

describe('scripts/make-fixtures.sh', () => {
  requireTools({ 'clang-14': CLANG, 'ld64.lld-14': LLD, 'ld64.lld-16': LLD16, 'gcc 12.2': GCC })
  const maybe = test
  // Mach-O and ELF fixtures alike (__fixtures__/binaries/{macho,elf}).
  maybe('--check rebuilds every fixture byte for byte', () => {
    const r = spawnSync('bash', ['scripts/make-fixtures.sh', '--check'], { cwd: ROOT, encoding: 'utf8' })
    // On failure, show what the script said (it names the files that differ).
    expect(r.status === 0 ? '' : `exit ${r.status}\n${r.stdout}${r.stderr}`).toBe('')
  })
})

// --------------------------------------------------------- crafted images

function u32s(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4)
  values.forEach((v, i) => b.writeUInt32LE(v >>> 0, i * 4))
  return b
}

function pad8(b: Buffer): Buffer {
  return Buffer.concat([b, Buffer.alloc((8 - (b.length % 8)) % 8)])
}

function loadCommand(cmd: number, body: Buffer): Buffer {
  const padded = pad8(body)
  return Buffer.concat([u32s(cmd, 8 + padded.length), padded])
}

function dylibCommand(cmd: number, name: string): Buffer {
  return loadCommand(cmd, Buffer.concat([u32s(24, 2, 0x10000, 0x10000), Buffer.from(`${name}\0`, 'latin1')]))
}

const LC_SYMTAB = 0x2
const LC_LOAD_DYLIB = 0xc
const LC_LAZY_LOAD_DYLIB = 0x20
const LC_DYLD_INFO_ONLY = 0x80000022
const LC_LOAD_WEAK_DYLIB = 0x80000018
const LC_REEXPORT_DYLIB = 0x8000001f
const LC_LOAD_UPWARD_DYLIB = 0x80000023
const LC_DYLD_CHAINED_FIXUPS = 0x80000034

const CPU_ARM64 = 0x0100000c
const CPU_X86_64 = 0x01000007
const MH_BUNDLE = 8
const MH_TWOLEVEL = 0x80
/** Crafted images keep load commands below this offset and put their tables after it. */
const TAIL = 0x800

/** Linkedit tables appended after the load commands, at known absolute offsets. */
class Tail {
  private readonly parts: Buffer[] = []
  private size = 0

  add(b: Buffer): number {
    const at = TAIL + this.size
    const padded = pad8(b)
    this.parts.push(padded)
    this.size += padded.length
    return at
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts)
  }
}

interface Crafted {
  cputype?: number
  cpusubtype?: number
  filetype?: number
  flags?: number
  ncmds?: number
  sizeofcmds?: number
  commands: Buffer[]
  tail?: Tail
}

/** A little-endian 64-bit thin image. */
function machO(c: Crafted): Buffer {
  const cmds = Buffer.concat(c.commands)
  const header = u32s(
    0xfeedfacf,
    c.cputype ?? CPU_ARM64,
    c.cpusubtype ?? 0,
    c.filetype ?? MH_BUNDLE,
    c.ncmds ?? c.commands.length,
    c.sizeofcmds ?? cmds.length,
    c.flags ?? MH_TWOLEVEL,
    0
  )
  const head = Buffer.concat([header, cmds])
  if (head.length > TAIL) throw new Error('crafted load commands too long')
  return Buffer.concat([head, Buffer.alloc(TAIL - head.length), c.tail?.bytes() ?? Buffer.alloc(0)])
}

function stringTable(names: string[]): { table: Buffer; index: Map<string, number> } {
  const index = new Map<string, number>()
  let table = Buffer.from(' \0')
  for (const n of names) {
    index.set(n, table.length)
    table = Buffer.concat([table, Buffer.from(`${n}\0`, 'latin1')])
  }
  return { table, index }
}

interface Nlist {
  name: string
  type: number
  sect?: number
  ordinal?: number
  value?: number
}

const N_UNDF_EXT = 0x01
const N_SECT_LOCAL = 0x0e
const N_SECT_EXT = 0x0f

/** LC_SYMTAB with nlist_64 entries in tail. */
function symtab(tail: Tail, syms: Nlist[], override: Partial<{ symoff: number; nsyms: number; stroff: number; strsize: number }> = {}): Buffer {
  const { table, index } = stringTable(syms.map((s) => s.name))
  const entries = Buffer.concat(
    syms.map((s) => {
      const e = Buffer.alloc(16)
      e.writeUInt32LE(index.get(s.name) ?? 0, 0)
      e.writeUInt8(s.type, 4)
      e.writeUInt8(s.sect ?? (s.type & 0x0e ? 1 : 0), 5)
      e.writeUInt16LE((s.ordinal ?? 0) << 8, 6)
      e.writeBigUInt64LE(BigInt(s.value ?? 0), 8)
      return e
    })
  )
  const symoff = tail.add(entries)
  const stroff = tail.add(table)
  return loadCommand(
    LC_SYMTAB,
    u32s(override.symoff ?? symoff, override.nsyms ?? syms.length, override.stroff ?? stroff, override.strsize ?? table.length)
  )
}

interface ChainedImport {
  name: string
  ordinal: number
  weak?: boolean
}

/** A dyld_chained_fixups_header blob with its imports and symbol pool. */
function chainedFixups(format: 1 | 2 | 3, imports: ChainedImport[], opts: { count?: number; symbolsFormat?: number } = {}): Buffer {
  const pool = stringTable(imports.map((i) => i.name))
  const entries = Buffer.concat(imports.map((i) => chainedEntry(format, i, pool.index.get(i.name) ?? 0)))
  const header = u32s(0, 28, 32, 32 + entries.length, opts.count ?? imports.length, format, opts.symbolsFormat ?? 0)
  return Buffer.concat([header, u32s(0) /* empty starts */, entries, pool.table])
}

function chainedEntry(format: 1 | 2 | 3, i: ChainedImport, nameOffset: number): Buffer {
  const weak = i.weak === true ? 1 : 0
  if (format === 3) {
    const e = Buffer.alloc(16)
    e.writeUInt32LE(((i.ordinal & 0xffff) | (weak << 16)) >>> 0, 0)
    e.writeUInt32LE(nameOffset, 4)
    e.writeBigInt64LE(-8n, 8) // addend
    return e
  }
  const word = u32s(((i.ordinal & 0xff) | (weak << 8) | (nameOffset << 9)) >>> 0)
  return format === 2 ? Buffer.concat([word, u32s(0xfffffff0)]) : word
}

function withChained(blob: Buffer, dylibs: string[] = [LIBOMP, LIBSYSTEM], extra: (tail: Tail) => Buffer[] = () => []): Buffer {
  const tail = new Tail()
  const at = tail.add(blob)
  const commands = [
    ...dylibs.map((d) => dylibCommand(LC_LOAD_DYLIB, d)),
    loadCommand(LC_DYLD_CHAINED_FIXUPS, u32s(at, blob.length)),
    ...extra(tail)
  ]
  return machO({ commands, tail })
}

describe('chained fixups (ld64.lld 14 cannot emit them, so these are crafted)', () => {
  const imports: ChainedImport[] = [
    { name: '___kmpc_fork_call', ordinal: 1 },
    { name: '_omp_get_num_threads', ordinal: -2 },
    { name: '_main_hook', ordinal: -1 },
    { name: '_own', ordinal: 0 },
    { name: '_free', ordinal: 2, weak: true },
    { name: '_coalesced', ordinal: -3 },
    { name: '_bad_ordinal', ordinal: 9 }
  ]
  const expected = {
    ___kmpc_fork_call: LIBOMP,
    _omp_get_num_threads: 'dynamic-lookup',
    _main_hook: 'executable',
    _own: 'self',
    _free: LIBSYSTEM,
    _coalesced: 'weak-lookup',
    _bad_ordinal: undefined
  }

  test.each([1, 2, 3] as const)('imports format %i', (format) => {
    const image = only(readMachO(withChained(chainedFixups(format, imports))))
    expect(image.partial).toBeUndefined()
    expect(image.libraries).toEqual([LIBOMP, LIBSYSTEM])
    expect(importMap(image)).toEqual(expected)
    expect(image.stripped).toBe(true) // no LC_SYMTAB at all
  })

  test('merged with LC_SYMTAB, one entry per name, the one with a library wins', () => {
    const blob = chainedFixups(1, [
      { name: '___kmpc_fork_call', ordinal: 1 },
      { name: '_GOMP_parallel', ordinal: 1 }
    ])
    const buf = withChained(blob, [LIBOMP], (tail) => [
      symtab(tail, [
        { name: '___kmpc_fork_call', type: N_UNDF_EXT, ordinal: 7 }, // out of range: no library here
        { name: '_omp_get_thread_num', type: N_UNDF_EXT, ordinal: 1 },
        { name: '_local', type: N_SECT_LOCAL }
      ])
    ])
    const image = only(readMachO(buf))
    expect(image.imports).toEqual([
      { name: '___kmpc_fork_call', library: LIBOMP },
      { name: '_omp_get_thread_num', library: LIBOMP },
      { name: '_GOMP_parallel', library: LIBOMP }
    ])
    expect(image.stripped).toBe(false)
  })

  test('16-bit ordinals: 0xfffe is dynamic lookup', () => {
    const image = only(readMachO(withChained(chainedFixups(3, [{ name: '___kmpc_fork_call', ordinal: 0xfffe }]))))
    expect(importMap(image)).toEqual({ ___kmpc_fork_call: 'dynamic-lookup' })
  })

  test('flat namespace image', () => {
    const tail = new Tail()
    const blob = chainedFixups(1, [{ name: '___kmpc_fork_call', ordinal: -2 }])
    const at = tail.add(blob)
    const buf = machO({ flags: 0, commands: [loadCommand(LC_DYLD_CHAINED_FIXUPS, u32s(at, blob.length))], tail })
    expect(importMap(only(readMachO(buf)))).toEqual({ ___kmpc_fork_call: 'flat-namespace' })
  })

  test('compressed symbol names, unknown format, huge count and out-of-file data give partial images', () => {
    const compressed = only(readMachO(withChained(chainedFixups(1, imports, { symbolsFormat: 1 }))))
    expect(compressed.partial).toMatch(/compressed/)
    expect(compressed.libraries).toEqual([LIBOMP, LIBSYSTEM])

    const unknown = chainedFixups(1, imports)
    unknown.writeUInt32LE(9, 20)
    expect(only(readMachO(withChained(unknown))).partial).toMatch(/format 9/)

    const huge = only(readMachO(withChained(chainedFixups(1, imports, { count: 0xffffffff }))))
    expect(huge.partial).toMatch(/truncated/)
    expect(huge.imports.map((s) => s.name)).toEqual(expect.arrayContaining(['___kmpc_fork_call']))

    const away = machO({ commands: [dylibCommand(LC_LOAD_DYLIB, LIBOMP), loadCommand(LC_DYLD_CHAINED_FIXUPS, u32s(0xfffffff0, 64))] })
    const image = only(readMachO(away))
    expect(image.partial).toMatch(/past the end/)
    expect(image.libraries).toEqual([LIBOMP])
  })
})

// ------------------------------------------------- LC_DYLD_INFO bind opcodes

/** Turns LC_SYMTAB into an unknown command, leaving only the dyld-info binds to read. */
function withoutSymtab(buf: Buffer): Buffer {
  const out = Buffer.from(buf)
  let off = 32
  for (let i = 0; i < out.readUInt32LE(16); i++) {
    if (out.readUInt32LE(off) === LC_SYMTAB) out.writeUInt32LE(0x7ffffffe, off)
    off += out.readUInt32LE(off + 4)
  }
  return out
}

describe('classic bind opcodes, read when there is no LC_SYMTAB', () => {
  test.each(['omp-x86_64-classic.so', 'omp-arm64.so', 'omp-dynamic-lookup-arm64.so', 'omp-weak-x86_64.dylib'])(
    '%s gives the same imports from its binds',
    (name) => {
      const full = only(readMachO(fixture(name)))
      const binds = only(readMachO(withoutSymtab(fixture(name))))
      expect(binds.partial).toBeUndefined()
      expect(binds.stripped).toBe(true)
      expect(importMap(binds)).toEqual(importMap(full))
    }
  )

  requireTools({ 'llvm-objdump': OBJDUMP })
  const maybe = test
  maybe('and agrees with llvm-objdump --bind --lazy-bind', () => {
    const out = run(OBJDUMP as string, ['--macho', '--bind', '--lazy-bind', `${FIXTURES}omp-x86_64-classic.so`])
    const names = out
      .split('\n')
      .filter((l) => l.startsWith('__'))
      .map((l) => l.trim().split(/\s+/).pop())
    const binds = only(readMachO(withoutSymtab(fixture('omp-x86_64-classic.so'))))
    expect(binds.imports.map((s) => s.name).sort()).toEqual([...new Set(names)].sort())
  })

  test('crafted opcodes: ULEB ordinals, special ordinals, repeated binds, threaded', () => {
    const name = (s: string): Buffer => Buffer.concat([Buffer.from([0x40]), Buffer.from(`${s}\0`)])
    const bind = Buffer.concat([
      Buffer.from([0x20, 0x02]), // SET_DYLIB_ORDINAL_ULEB 2
      name('_free'),
      Buffer.from([0x51, 0x72, 0x80, 0x01, 0x90]), // type, segment+offset ULEB, DO_BIND
      Buffer.from([0x3e]), // SET_DYLIB_SPECIAL_IMM -2
      name('_dyn'),
      Buffer.from([0xc0, 0x03, 0x08]), // DO_BIND_ULEB_TIMES_SKIPPING_ULEB
      Buffer.from([0x11]),
      name('___kmpc_fork_call'),
      Buffer.from([0x60, 0x7f, 0xb1]), // SET_ADDEND_SLEB -1, DO_BIND_ADD_ADDR_IMM_SCALED
      Buffer.from([0xd0, 0x05, 0xd1]), // THREADED table size, apply
      Buffer.from([0x00]) // DONE
    ])
    const lazy = Buffer.concat([Buffer.from([0x72, 0x10, 0x11]), name('_omp_get_num_threads'), Buffer.from([0x90, 0x00, 0x00])])
    const tail = new Tail()
    const bindOff = tail.add(bind)
    const lazyOff = tail.add(lazy)
    const buf = machO({
      commands: [
        dylibCommand(LC_LOAD_DYLIB, LIBOMP),
        dylibCommand(LC_LOAD_DYLIB, LIBSYSTEM),
        loadCommand(LC_DYLD_INFO_ONLY, u32s(0, 0, bindOff, bind.length, 0, 0, lazyOff, lazy.length, 0, 0))
      ],
      tail
    })
    const image = only(readMachO(buf))
    expect(image.partial).toBeUndefined()
    expect(importMap(image)).toEqual({
      _free: LIBSYSTEM,
      _dyn: 'dynamic-lookup',
      ___kmpc_fork_call: LIBOMP,
      _omp_get_num_threads: LIBOMP
    })
  })

  test('an unknown opcode or a stream past the end gives a partial image', () => {
    const tail = new Tail()
    const bad = Buffer.from([0x11, 0xe0])
    const off = tail.add(bad)
    const commands = [dylibCommand(LC_LOAD_DYLIB, LIBOMP), loadCommand(LC_DYLD_INFO_ONLY, u32s(0, 0, off, 2, 0, 0, 0xfffff000, 64, 0, 0))]
    const image = only(readMachO(machO({ commands, tail })))
    expect(image.partial).toMatch(/unknown bind opcode 0xe0/)
    expect(image.partial).toMatch(/past the end/)
  })
})

// ------------------------------------------------------- headers and names

function thinHeader(magic: number, littleEndian: boolean, cputype: number, cpusubtype: number, filetype: number): Buffer {
  const b = Buffer.alloc(32)
  const w = (v: number, at: number): number => (littleEndian ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at))
  b.writeUInt32BE(magic, 0)
  w(cputype, 4)
  w(cpusubtype, 8)
  w(filetype, 12)
  return b
}

describe('headers', () => {
  test.each([
    [0x01000007, 3, 'x86_64'],
    [0x01000007, 8, 'x86_64h'],
    [7, 3, 'i386'],
    [0x0100000c, 0, 'arm64'],
    [0x0100000c, 0x80000002 | 0, 'arm64e'],
    [0x0200000c, 1, 'arm64_32'],
    [12, 9, 'armv7'],
    [12, 11, 'armv7s'],
    [18, 0, 'ppc'],
    [0x01000012, 0, 'ppc64'],
    [0x42, 0, 'cpu-0x42']
  ])('cputype 0x%s subtype %s is %s', (cputype, cpusubtype, arch) => {
    const bits = cputype & 0x01000000 ? 64 : 32
    const big = (cputype & 0xffffff) === 18
    const magic = big ? (bits === 64 ? 0xfeedfacf : 0xfeedface) : bits === 64 ? 0xcffaedfe : 0xcefaedfe
    const image = only(readMachO(thinHeader(magic, !big, cputype, cpusubtype, 2)))
    expect(image).toMatchObject({ arch, bits, endian: big ? 'big' : 'little', kind: 'executable', imports: [], libraries: [] })
  })

  test.each([
    [1, 'object'],
    [2, 'executable'],
    [6, 'dylib'],
    [8, 'bundle'],
    [10, 'dsym'],
    [99, 'filetype-99']
  ])('filetype %i is %s', (filetype, kind) => {
    expect(only(readMachO(machO({ filetype, commands: [] }))).kind).toBe(kind)
  })

  test('object files: undefined symbols bind to no library, commons are not imports', () => {
    const tail = new Tail()
    const buf = machO({
      filetype: 1,
      flags: 0,
      commands: [
        symtab(tail, [
          { name: '___kmpc_fork_call', type: N_UNDF_EXT },
          { name: '_common_buffer', type: N_UNDF_EXT, value: 64 },
          { name: '_kernel', type: N_SECT_EXT }
        ])
      ],
      tail
    })
    expect(only(readMachO(buf)).imports).toEqual([{ name: '___kmpc_fork_call' }])
  })

  test('every dylib command kind is a library, in order', () => {
    const buf = machO({
      commands: [
        dylibCommand(LC_LOAD_DYLIB, 'a'),
        dylibCommand(LC_LOAD_WEAK_DYLIB, 'b'),
        dylibCommand(LC_REEXPORT_DYLIB, 'c'),
        dylibCommand(LC_LAZY_LOAD_DYLIB, 'd'),
        dylibCommand(LC_LOAD_UPWARD_DYLIB, 'e'),
        dylibCommand(0xd /* LC_ID_DYLIB: the image's own name */, 'self')
      ]
    })
    expect(only(readMachO(buf)).libraries).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  test('isMachO rejects other files, Java classes among them', () => {
    const java = Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x34, ...Buffer.alloc(64)])
    expect(isMachO(java)).toBe(false)
    expect(() => readMachO(java)).toThrow(BinaryFormatError)
    const elf = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...Buffer.alloc(56)])
    expect(isMachO(elf)).toBe(false)
    expect(() => readMachO(elf)).toThrow(/not a Mach-O/)
    expect(isMachO(Buffer.alloc(0))).toBe(false)
    expect(isMachO(Buffer.from('#!/bin/sh\necho hi\n'))).toBe(false)
    expect(isMachO(fixture('omp-arm64.so').subarray(0, 20))).toBe(false)
    expect(() => readMachO(Buffer.alloc(0))).toThrow(BinaryFormatError)
    expect(() => readMachO(fixture('omp-arm64.so').subarray(0, 31))).toThrow(/truncated/)
  })
})

// ------------------------------------------------------ hostile structures

/** A universal file over the given slices; entries are written as given, so they can lie. */
function fatFile(entries: { cputype: number; offset: number; size: number }[], body: Buffer, is64 = false, count = entries.length): Buffer {
  const size = is64 ? 32 : 20
  const head = Buffer.alloc(8 + size * entries.length)
  head.writeUInt32BE(is64 ? 0xcafebabf : 0xcafebabe, 0)
  head.writeUInt32BE(count >>> 0, 4)
  entries.forEach((e, i) => {
    const at = 8 + size * i
    head.writeUInt32BE(e.cputype >>> 0, at)
    if (is64) {
      head.writeBigUInt64BE(BigInt(e.offset), at + 8)
      head.writeBigUInt64BE(BigInt(e.size), at + 16)
    } else {
      head.writeUInt32BE(e.offset >>> 0, at + 8)
      head.writeUInt32BE(e.size >>> 0, at + 12)
    }
  })
  return Buffer.concat([head, Buffer.alloc(Math.max(0, 0x1000 - head.length)), body])
}

describe('hostile and broken files', () => {
  const omp = fixture('omp-arm64.so')

  test('ncmds far beyond sizeofcmds stops at the end of the commands', () => {
    const buf = Buffer.from(omp)
    buf.writeUInt32LE(0xffffffff, 16)
    const image = only(readMachO(buf))
    expect(image.partial).toMatch(/load commands end/)
    expect(image.imports).toEqual(only(readMachO(omp)).imports)
  })

  test('sizeofcmds past the end of the file', () => {
    const buf = Buffer.from(omp)
    buf.writeUInt32LE(0xfffffff0, 20)
    const image = only(readMachO(buf))
    expect(image.partial).toMatch(/truncated/)
    expect(image.libraries).toEqual([LIBOMP, LIBSYSTEM])
  })

  test.each([0, 4, 7])('cmdsize %i stops the walk instead of looping', (size) => {
    const buf = Buffer.from(omp)
    buf.writeUInt32LE(size, 32 + 4)
    const image = only(readMachO(buf))
    expect(image.partial).toMatch(/bad size/)
    expect(image.imports).toEqual([])
  })

  test('a dylib name offset outside its command', () => {
    const cmd = dylibCommand(LC_LOAD_DYLIB, LIBOMP)
    cmd.writeUInt32LE(0x1000, 8)
    const image = only(readMachO(machO({ commands: [cmd, dylibCommand(LC_LOAD_DYLIB, LIBSYSTEM)] })))
    expect(image.libraries).toEqual([LIBSYSTEM])
    expect(image.partial).toMatch(/name offset/)
  })

  test('symoff past the end, nsyms huge, stroff past the end', () => {
    const syms: Nlist[] = [{ name: '___kmpc_fork_call', type: N_UNDF_EXT, ordinal: 1 }]
    const craft = (o: Parameters<typeof symtab>[2]): BinaryImage => {
      const tail = new Tail()
      const commands = [dylibCommand(LC_LOAD_DYLIB, LIBOMP), symtab(tail, syms, o)]
      return only(readMachO(machO({ commands, tail })))
    }
    const farSym = craft({ symoff: 0xfffffff0 })
    expect(farSym).toMatchObject({ imports: [], libraries: [LIBOMP] })
    expect(farSym.partial).toMatch(/symbol table truncated/)
    const many = craft({ nsyms: 0xffffffff })
    expect(many.partial).toMatch(/symbol table truncated/)
    expect(importMap(many)['___kmpc_fork_call']).toBe(LIBOMP)
    const farStr = craft({ stroff: 0xfffffff0 })
    expect(farStr.imports).toEqual([])
    expect(farStr.partial).toMatch(/string table truncated/)
  })

  test('many symbols into one long NUL-free string table: bounded work, partial image', () => {
    const tail = new Tail()
    const n = 20000
    const entries = Buffer.alloc(16 * n)
    for (let i = 0; i < n; i++) {
      entries.writeUInt32LE(1 + i, 16 * i)
      entries.writeUInt8(N_UNDF_EXT, 16 * i + 4)
    }
    const symoff = tail.add(entries)
    const stroff = tail.add(Buffer.alloc(200000, 0x41))
    const buf = machO({ commands: [loadCommand(LC_SYMTAB, u32s(symoff, n, stroff, 200000))], tail })
    const image = only(readMachO(buf))
    // Each name would be ~200 KB: the name budget (twice the file size) stops it early.
    expect(image.imports.length).toBeGreaterThan(0)
    expect(image.imports.length).toBeLessThan(n)
    expect(image.partial).toMatch(/exceed/)
  })

  test('the same for chained fixups pointing into one long name', () => {
    const n = 20000
    const blob = chainedFixups(1, [{ name: 'x'.repeat(100000), ordinal: 1 }], { count: n })
    const imports = Buffer.concat(Array.from({ length: n }, (_, i) => u32s(1 | ((1 + i) << 9))))
    const body = Buffer.concat([blob.subarray(0, 32), imports, Buffer.alloc(8), Buffer.alloc(100000, 0x78)])
    body.writeUInt32LE(32 + imports.length + 8, 12) // symbols_offset
    const image = only(readMachO(withChained(body)))
    expect(image.imports.length).toBeLessThan(n)
    expect(image.partial).toMatch(/exceed/)
  })

  test('nfat_arch 0xffffffff or 0 is not a universal file', () => {
    const huge = fatFile([{ cputype: CPU_ARM64, offset: 0x1000, size: omp.length }], omp, false, 0xffffffff)
    expect(isMachO(huge)).toBe(false)
    expect(() => readMachO(huge)).toThrow(BinaryFormatError)
    const none = fatFile([], omp)
    expect(isMachO(none)).toBe(false)
    expect(() => readMachO(none)).toThrow(BinaryFormatError)
  })

  test('slices past the end, truncated, nested and overlapping', () => {
    const entries = [
      { cputype: CPU_ARM64, offset: 0x1000, size: omp.length }, // good
      { cputype: CPU_X86_64, offset: 0x7fffffff, size: 16 }, // past the end
      { cputype: CPU_ARM64, offset: 0x1000, size: 0x7fffffff }, // overlaps the first, runs off the end
      { cputype: CPU_ARM64, offset: 0, size: 64 }, // the fat header itself
      { cputype: CPU_ARM64, offset: 0x1000 + 16, size: 64 } // not a Mach-O header
    ]
    for (const is64 of [false, true]) {
      const images = readMachO(fatFile(entries, omp, is64))
      expect(images).toHaveLength(5)
      expect(images[0]).toEqual(only(readMachO(omp)))
      expect(images[1]).toMatchObject({ arch: 'x86_64', bits: 64, kind: 'unknown', imports: [] })
      expect(images[1].partial).toMatch(/past the end/)
      expect(images[2].imports).toEqual(images[0].imports)
      expect(images[2].partial).toMatch(/slice truncated/)
      expect(images[3].partial).toMatch(/universal/)
      expect(images[4].partial).toMatch(/not a Mach-O/)
    }
  })

  test('a slice pointing at another universal file is not followed', () => {
    const inner = fatFile([{ cputype: CPU_ARM64, offset: 0x1000, size: omp.length }], omp)
    const outer = fatFile([{ cputype: CPU_ARM64, offset: 0x1000, size: inner.length }], inner)
    const image = only(readMachO(outer))
    expect(image.partial).toMatch(/universal/)
  })

  test('a universal header cut inside its table lists what it can', () => {
    const fat = fixture('fat.so')
    const images = readMachO(fat.subarray(0, 30))
    expect(images).toHaveLength(1)
    expect(images[0].partial).toMatch(/universal header truncated/)
    expect(() => readMachO(fat.subarray(0, 27))).toThrow(BinaryFormatError)
  })
})

// ------------------------------------------------------------ range reads

/** A source that counts the bytes its reader asked for. */
class CountingSource implements ByteSource {
  bytes = 0

  constructor(private readonly inner: ByteSource) {}

  get size(): number {
    return this.inner.size
  }

  read(offset: number, length: number): Buffer {
    const got = this.inner.read(offset, length)
    this.bytes += got.length
    return got
  }
}

describe('reads ranges, not the whole file', () => {
  // Bytes after the link-edit tables that no reader needs: a big library's code and data stand in for them.
  const PAD = 32 << 20

  test.each(['omp-arm64.so', 'omp-x86_64-classic.so', 'omp-arm64_32.so', 'omp-arm64-chained.so', 'omp-arm64-stripped.so'])(
    '%s padded to 32 MB: same image, a few KiB read',
    (name) => {
      const thin = fixture(name)
      const src = new CountingSource(new BufferSource(Buffer.concat([thin, Buffer.alloc(PAD)])))
      expect(readMachOFrom(src, { keepDefined: () => true })).toEqual(readMachO(thin, { keepDefined: () => true }))
      // The header, load commands, nlist entries and string table: well under the unpadded file's size.
      expect(src.bytes).toBeLessThan(thin.length)
      expect(src.bytes).toBeLessThan(src.size / 1000)
    }
  )

  test('a universal slice padded to 32 MB: only its tables are read', () => {
    const omp = fixture('omp-arm64.so')
    const body = Buffer.concat([omp, Buffer.alloc(PAD)])
    for (const is64 of [false, true]) {
      const src = new CountingSource(new BufferSource(fatFile([{ cputype: CPU_ARM64, offset: 0x1000, size: body.length }], body, is64)))
      expect(readMachOFrom(src)).toEqual(readMachO(omp))
      expect(src.bytes).toBeLessThan(omp.length)
    }
  })

  test('through a file: the same, with the reads counted on the FileSource', () => {
    const dir = mkdtempSync(join(tmpdir(), 'macho-ranges-'))
    try {
      const omp = fixture('omp-arm64.so')
      const file = join(dir, 'big.so')
      writeFileSync(file, Buffer.concat([omp, Buffer.alloc(PAD)]))
      const counted = withFile(file, (fileSource) => {
        const src = new CountingSource(fileSource)
        return { images: readMachOFrom(src), bytes: src.bytes }
      })
      expect(counted.images).toEqual(readMachO(omp))
      expect(counted.bytes).toBeLessThan(omp.length)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

// ------------------------------------------------------ truncation and noise

/** Images or a BinaryFormatError; anything else thrown propagates and fails the test. */
function readsOrRejects(buf: Buffer): BinaryImage[] | BinaryFormatError {
  try {
    const images = readMachO(buf, { keepDefined: () => true })
    for (const image of images) {
      const bad = shapeProblem(image)
      if (bad !== undefined) throw new Error(`malformed image (${bad}): ${JSON.stringify(image).slice(0, 300)}`)
    }
    return images
  } catch (e) {
    if (e instanceof BinaryFormatError) return e
    throw e
  }
}

/** Plain checks rather than expect(): these run hundreds of thousands of times. */
function shapeProblem(image: BinaryImage): string | undefined {
  if (image.format !== 'macho') return 'format'
  if (image.bits !== 32 && image.bits !== 64) return 'bits'
  if (image.endian !== 'little' && image.endian !== 'big') return 'endian'
  if (typeof image.arch !== 'string' || typeof image.kind !== 'string') return 'arch/kind'
  if (!image.libraries.every((l) => typeof l === 'string')) return 'libraries'
  if (!image.imports.every((s) => typeof s.name === 'string' && s.name !== '')) return 'imports'
  if (!image.defined.every((d) => typeof d === 'string')) return 'defined'
  if (typeof image.stripped !== 'boolean') return 'stripped'
  return undefined
}

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function truncationLengths(size: number): number[] {
  const lengths = new Set<number>()
  for (let n = 0; n <= Math.min(size, 4096); n++) lengths.add(n)
  for (let n = 4096; n < size; n += 13) lengths.add(n)
  for (let n = Math.max(0, size - 512); n < size; n++) lengths.add(n)
  return [...lengths]
}

describe('truncation and corruption', () => {
  test.each(['omp-arm64.so', 'omp-x86_64-classic.so', 'omp-arm64_32.so', 'omp-arm64-stripped.so', 'fat.so', 'fat64.so'])(
    '%s cut at many lengths: images or BinaryFormatError, nothing invented',
    (name) => {
      const full = fixture(name)
      const names = readMachO(full).flatMap((i) => i.imports.map((s) => s.name))
      const fat = full.readUInt32BE(0) >>> 1 === 0xcafebabe >>> 1
      const headerEnd = fat ? 8 + full.readUInt32BE(4) * (full.readUInt32BE(0) === 0xcafebabf ? 32 : 20) : 32
      const failures: string[] = []
      for (const n of truncationLengths(full.length)) {
        const result = readsOrRejects(full.subarray(0, n))
        if (!Array.isArray(result)) {
          if (n >= headerEnd) failures.push(`${n}: threw ${result.message}`)
          continue
        }
        for (const image of result) {
          // A name cut by the end of the file is a prefix of a real one, and the image says it is partial.
          const invented = image.imports.filter((s) => !names.some((m) => m.startsWith(s.name)))
          if (invented.length > 0) failures.push(`${n}: invented ${invented.map((s) => s.name).join(', ')}`)
          if (image.partial === undefined && image.imports.some((s) => !names.includes(s.name))) failures.push(`${n}: cut name, no partial`)
        }
      }
      expect(failures).toEqual([])
    }
  )

  test.each(ALL_FIXTURES)('%s with random byte flips', (name) => {
    const full = fixture(name)
    const rand = prng(0x5eed ^ full.length)
    // Most damage that matters sits in the first few KiB (headers, commands) or the linkedit tail.
    const hot = (): number => (rand() < 0.5 ? Math.floor(rand() * Math.min(full.length, 4096)) : Math.floor(rand() * full.length))
    for (let round = 0; round < 300; round++) {
      const buf = Buffer.from(full)
      const flips = 1 + Math.floor(rand() * 8)
      for (let k = 0; k < flips; k++) buf[hot()] = Math.floor(rand() * 256)
      readsOrRejects(buf)
    }
  })

  test('fast-check: any mutation of a fixture or any bytes behind a Mach-O magic', () => {
    const bases = ['omp-arm64.so', 'omp-x86_64-classic.so', 'omp-arm64_32.so', 'fat.so', 'fat64.so'].map(fixture)
    const magics = [0xfeedface, 0xcefaedfe, 0xfeedfacf, 0xcffaedfe, 0xcafebabe, 0xcafebabf]
    const mutated = fc
      .record({
        base: fc.integer({ min: 0, max: bases.length - 1 }),
        edits: fc.array(fc.record({ at: fc.nat({ max: 0xffff }), value: fc.integer({ min: 0, max: 255 }), wide: fc.boolean() }), {
          maxLength: 12
        }),
        cut: fc.option(fc.nat({ max: 60000 }), { nil: undefined })
      })
      .map(({ base, edits, cut }) => {
        const buf = Buffer.from(bases[base])
        for (const e of edits) {
          const at = e.at % buf.length
          // A "wide" edit writes an extreme 32-bit value, the usual shape of a hostile count or offset.
          if (e.wide && at + 4 <= buf.length) buf.writeUInt32LE(e.value < 128 ? 0xffffffff : (e.value << 24) >>> 0, at)
          else buf[at] = e.value
        }
        return cut === undefined ? buf : buf.subarray(0, cut % (buf.length + 1))
      })
    const random = fc
      .record({ magic: fc.constantFrom(...magics), rest: fc.uint8Array({ maxLength: 600 }) })
      .map(({ magic, rest }) => {
        const head = Buffer.alloc(4)
        head.writeUInt32BE(magic)
        return Buffer.concat([head, Buffer.from(rest)])
      })
    fc.assert(
      fc.property(fc.oneof(mutated, random), (buf) => {
        readsOrRejects(buf)
      }),
      { seed: 20240611, numRuns: 2000 }
    )
  })
})
