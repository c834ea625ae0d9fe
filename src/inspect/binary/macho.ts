/**
 * Mach-O reader: which libraries an image loads and which symbols it imports,
 * for thin files and each slice of a universal (fat) file.
 *
 * Imports come from the undefined nlist entries of LC_SYMTAB (they survive
 * `strip`), merged with the imports table of LC_DYLD_CHAINED_FIXUPS; the
 * classic LC_DYLD_INFO bind opcodes are read only when there is no symbol
 * table. Every offset and count in the file is untrusted: reads are bounded,
 * loops are capped by the bytes they consume, and damage below the header
 * gives a `partial` image instead of an exception.
 *
 * The reader asks its ByteSource only for the ranges it needs (header, load
 * commands, nlist entries, string table, chained fixups, bind opcodes), per
 * slice of a universal file, so a big file costs its link-edit tables, not
 * its size.
 */
import { BinaryFormatError, type BinaryImage, type ImportedSymbol, type ReadOptions } from './binary-types.js'
import { ByteReader } from './byte-reader.js'
import { BufferSource, SliceSource, type ByteSource } from './byte-source.js'
import { PartialReasons } from './partial.js'
import { NameBudget, StringTable } from './string-table.js'

const MH_MAGIC = 0xfeedface
const MH_CIGAM = 0xcefaedfe
const MH_MAGIC_64 = 0xfeedfacf
const MH_CIGAM_64 = 0xcffaedfe
const FAT_MAGIC = 0xcafebabe
const FAT_MAGIC_64 = 0xcafebabf

/** Real universal files hold a handful of slices; Java class files share 0xcafebabe with a "count" of 45 and up. */
const MAX_FAT_ARCHES = 30

const MH_OBJECT = 0x1
const MH_TWOLEVEL = 0x80

const LC_SYMTAB = 0x2
const LC_LOAD_DYLIB = 0xc
const LC_LAZY_LOAD_DYLIB = 0x20
const LC_DYLD_INFO = 0x22
const LC_LOAD_WEAK_DYLIB = 0x80000018
const LC_REEXPORT_DYLIB = 0x8000001f
const LC_DYLD_INFO_ONLY = 0x80000022
const LC_LOAD_UPWARD_DYLIB = 0x80000023
const LC_DYLD_CHAINED_FIXUPS = 0x80000034

/** Commands whose dylibs take a two-level namespace ordinal (1, 2, ... in file order). */
const DYLIB_COMMANDS = new Set([LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB, LC_LAZY_LOAD_DYLIB, LC_LOAD_UPWARD_DYLIB])

const N_STAB = 0xe0
const N_TYPE = 0x0e
const N_EXT = 0x01
const N_UNDF = 0x0
const N_PBUD = 0xc
const N_SECT = 0xe

const CPU_ARCH_ABI64 = 0x01000000
const CPU_ARCH_ABI64_32 = 0x02000000
const CPU_TYPE_X86 = 7
const CPU_TYPE_ARM = 12
const CPU_TYPE_POWERPC = 18
const CPU_ARCH_MASK = 0xff000000 // ABI flags in the cputype's top byte
const CPU_SUBTYPE_MASK = 0xff000000 // capability flags in the cpusubtype's top byte

const FILE_TYPES: Record<number, string> = {
  1: 'object',
  2: 'executable',
  3: 'fvmlib',
  4: 'core',
  5: 'preload',
  6: 'dylib',
  7: 'dylinker',
  8: 'bundle',
  9: 'dylib-stub',
  10: 'dsym',
  11: 'kext-bundle',
  12: 'fileset'
}

const ARM_SUBTYPES: Record<number, string> = {
  5: 'armv4t',
  6: 'armv6',
  7: 'armv5',
  9: 'armv7',
  11: 'armv7s',
  12: 'armv7k',
  14: 'armv6m',
  15: 'armv7m',
  16: 'armv7em'
}

/** True for a thin Mach-O (either word size or byte order) or a plausible universal file. */
export function isMachO(buf: Buffer): boolean {
  if (buf.length < 8) return false
  const magic = buf.readUInt32BE(0)
  const thin = thinMagic(magic)
  if (thin !== undefined) return buf.length >= headerSize(thin.bits)
  if (magic !== FAT_MAGIC && magic !== FAT_MAGIC_64) return false
  const count = buf.readUInt32BE(4)
  const entry = magic === FAT_MAGIC_64 ? 32 : 20
  return count >= 1 && count <= MAX_FAT_ARCHES && 8 + count * entry <= buf.length
}

/**
 * Reads every image in a Mach-O file: one for a thin file, one per slice of
 * a universal file. Throws BinaryFormatError when the file is not Mach-O or
 * its header can't be read; damage further in is reported per image in
 * `partial`.
 */
export function readMachO(buf: Buffer, opts: ReadOptions = {}): BinaryImage[] {
  return readMachOFrom(new BufferSource(buf), opts)
}

/** readMachO over any ByteSource, read range by range. */
export function readMachOFrom(src: ByteSource, opts: ReadOptions = {}): BinaryImage[] {
  if (src.size < 4) throw new BinaryFormatError(`not a Mach-O file: only ${src.size} bytes`)
  const magic = src.read(0, 4).readUInt32BE(0)
  if (magic === FAT_MAGIC || magic === FAT_MAGIC_64) return readFat(src, magic === FAT_MAGIC_64, opts)
  return [readThin(src, opts)]
}

// ---------------------------------------------------------------- fat files

interface FatArch {
  cputype: number
  cpusubtype: number
  offset: number
  size: number
}

function readFat(src: ByteSource, is64: boolean, opts: ReadOptions): BinaryImage[] {
  const entry = is64 ? 32 : 20
  const r = new ByteReader(src.read(0, 8 + MAX_FAT_ARCHES * entry), false) // fat headers are big-endian on every host
  const count = r.u32(4, 'fat header')
  if (count < 1 || count > MAX_FAT_ARCHES) {
    throw new BinaryFormatError(`not a Mach-O universal file: nfat_arch is ${count} (a Java class file?)`)
  }
  const readable = Math.min(count, Math.floor((src.size - 8) / entry))
  if (readable < 1) throw new BinaryFormatError('Mach-O universal header is truncated')
  const lost = readable < count ? `universal header truncated: ${count - readable} of ${count} slices unlisted` : undefined
  const images: BinaryImage[] = []
  for (let i = 0; i < readable; i++) {
    const image = readSlice(src, fatArch(r, 8 + i * entry, is64), opts)
    images.push(lost === undefined ? image : withPartial(image, lost))
  }
  return images
}

function fatArch(r: ByteReader, at: number, is64: boolean): FatArch {
  return {
    cputype: r.u32(at) | 0,
    cpusubtype: r.u32(at + 4) | 0,
    offset: is64 ? r.u64(at + 8) : r.u32(at + 8),
    size: is64 ? r.u64(at + 16) : r.u32(at + 12)
  }
}

/** One slice; a slice we can't read still yields an image naming its arch, so callers see it existed. */
function readSlice(src: ByteSource, arch: FatArch, opts: ReadOptions): BinaryImage {
  if (!(arch.offset < src.size)) return placeholder(arch, `slice at offset ${arch.offset} lies past the end of the file`)
  const slice = new SliceSource(src, arch.offset, arch.size)
  const head = slice.read(0, 4)
  if (head.length >= 4) {
    const magic = head.readUInt32BE(0)
    // Nested universal files are not valid; reading one level only also bounds the work.
    if (magic === FAT_MAGIC || magic === FAT_MAGIC_64) return placeholder(arch, 'slice is itself a universal file')
  }
  const unreadable = new PartialReasons()
  const image = unreadable.guard(() => readThin(slice, opts))
  if (image === undefined) return placeholder(arch, unreadable.text() ?? 'slice header unreadable')
  return slice.size < arch.size ? withPartial(image, 'slice truncated by the end of the file') : image
}

function placeholder(arch: FatArch, reason: string): BinaryImage {
  const bits = arch.cputype & CPU_ARCH_ABI64 ? 64 : 32
  const endian = (arch.cputype & ~CPU_ARCH_MASK) === CPU_TYPE_POWERPC ? 'big' : 'little'
  return {
    format: 'macho',
    arch: archName(arch.cputype, arch.cpusubtype),
    bits,
    endian,
    kind: 'unknown',
    libraries: [],
    imports: [],
    defined: [],
    stripped: true,
    partial: reason
  }
}

function withPartial(image: BinaryImage, reason: string): BinaryImage {
  return { ...image, partial: image.partial === undefined ? reason : `${image.partial}; ${reason}` }
}

// --------------------------------------------------------------- thin files

interface Header {
  bits: 32 | 64
  littleEndian: boolean
  cputype: number
  cpusubtype: number
  filetype: number
  ncmds: number
  sizeofcmds: number
  flags: number
}

function thinMagic(magic: number): { bits: 32 | 64; littleEndian: boolean } | undefined {
  switch (magic) {
    case MH_MAGIC:
      return { bits: 32, littleEndian: false }
    case MH_CIGAM:
      return { bits: 32, littleEndian: true }
    case MH_MAGIC_64:
      return { bits: 64, littleEndian: false }
    case MH_CIGAM_64:
      return { bits: 64, littleEndian: true }
    default:
      return undefined
  }
}

function headerSize(bits: 32 | 64): number {
  return bits === 64 ? 32 : 28
}

/** The header at the start of a thin image; throws BinaryFormatError when there is none. */
function readHeader(src: ByteSource): Header {
  const buf = src.read(0, headerSize(64))
  if (buf.length < 4) throw new BinaryFormatError(`Mach-O header truncated at ${buf.length} bytes`)
  const kind = thinMagic(buf.readUInt32BE(0))
  if (kind === undefined) throw new BinaryFormatError(`not a Mach-O file (magic 0x${buf.readUInt32BE(0).toString(16).padStart(8, '0')})`)
  if (buf.length < headerSize(kind.bits)) throw new BinaryFormatError(`Mach-O header truncated at ${buf.length} bytes`)
  const r = new ByteReader(buf, kind.littleEndian)
  return {
    ...kind,
    cputype: r.u32(4) | 0,
    cpusubtype: r.u32(8) | 0,
    filetype: r.u32(12),
    ncmds: r.u32(16),
    sizeofcmds: r.u32(20),
    flags: r.u32(24)
  }
}

/** What the load commands point at. */
interface Commands {
  /** Install name per two-level ordinal (index 0 = ordinal 1); undefined when unreadable. */
  dylibs: (string | undefined)[]
  symtab?: { symoff: number; nsyms: number; stroff: number; strsize: number }
  chained?: { dataoff: number; datasize: number }
  dyldInfo?: { streams: { off: number; size: number; lazy: boolean }[] }
}

/** What one thin image's reading shares: its source, header, partial reasons and name budget. */
interface Thin {
  src: ByteSource
  header: Header
  partial: PartialReasons
  names: NameBudget
}

/** A thin image; throws BinaryFormatError when its header can't be read. */
function readThin(src: ByteSource, opts: ReadOptions): BinaryImage {
  const header = readHeader(src)
  const partial = new PartialReasons()
  const thin: Thin = { src, header, partial, names: new NameBudget(src.size, partial) }
  const cmds = readCommands(thin)
  const imports = new ImportSet()
  const libraryOf = ordinalResolver(header, cmds.dylibs)
  const symtab = cmds.symtab
  const syms = symtab === undefined ? undefined : partial.guard(() => readSymtab(thin, symtab, libraryOf, imports, opts))
  const chained = cmds.chained
  if (chained !== undefined) partial.guard(() => readChainedFixups(thin, chained, libraryOf, imports))
  if (symtab === undefined && cmds.dyldInfo !== undefined) readBindOpcodes(thin, cmds.dyldInfo.streams, libraryOf, imports)
  const image: BinaryImage = {
    format: 'macho',
    arch: archName(header.cputype, header.cpusubtype),
    bits: header.bits,
    endian: header.littleEndian ? 'little' : 'big',
    kind: FILE_TYPES[header.filetype] ?? `filetype-${header.filetype}`,
    libraries: [...new Set(cmds.dylibs.filter((d): d is string => d !== undefined))],
    imports: imports.list(),
    defined: syms?.defined ?? [],
    stripped: !(syms?.hasLocals ?? false)
  }
  const reasons = partial.text()
  if (reasons !== undefined) image.partial = reasons
  return image
}

/**
 * Walks the load commands, read as one range (file offsets stay valid in
 * it); each step consumes at least 8 bytes, so a bogus ncmds can't spin.
 */
function readCommands({ src, header, partial }: Thin): Commands {
  const out: Commands = { dylibs: [] }
  const start = headerSize(header.bits)
  const r = new ByteReader(src.read(start, header.sizeofcmds), header.littleEndian, start)
  let end = start + header.sizeofcmds
  if (end > start + r.size) {
    partial.note('load commands truncated by the end of the file')
    end = start + r.size
  }
  let off = start
  for (let i = 0; i < header.ncmds; i++) {
    if (off + 8 > end) {
      partial.note(`load commands end after ${i} of ${header.ncmds}`)
      break
    }
    const cmd = r.u32(off)
    const size = r.u32(off + 4)
    if (size < 8 || off + size > end) {
      partial.note(`load command ${i} has a bad size (${size})`)
      break
    }
    readCommand(r, cmd, off, size, out, partial)
    off += size
  }
  return out
}

function readCommand(r: ByteReader, cmd: number, off: number, size: number, out: Commands, partial: PartialReasons): void {
  if (DYLIB_COMMANDS.has(cmd)) {
    const name = commandString(r, off, size, size >= 12 ? r.u32(off + 8) : undefined)
    if (name === undefined) partial.note(`dylib command ${out.dylibs.length + 1} has a bad name offset`)
    out.dylibs.push(name)
  } else if (cmd === LC_SYMTAB && size < 24) {
    partial.note('LC_SYMTAB is too short')
  } else if (cmd === LC_SYMTAB && out.symtab === undefined) {
    out.symtab = { symoff: r.u32(off + 8), nsyms: r.u32(off + 12), stroff: r.u32(off + 16), strsize: r.u32(off + 20) }
  } else if (cmd === LC_DYLD_CHAINED_FIXUPS && out.chained === undefined && size >= 16) {
    out.chained = { dataoff: r.u32(off + 8), datasize: r.u32(off + 12) }
  } else if ((cmd === LC_DYLD_INFO || cmd === LC_DYLD_INFO_ONLY) && out.dyldInfo === undefined && size >= 48) {
    // rebase (+8) and export (+40) don't name imports; weak binds are coalescing, not imports.
    out.dyldInfo = {
      streams: [
        { off: r.u32(off + 16), size: r.u32(off + 20), lazy: false },
        { off: r.u32(off + 32), size: r.u32(off + 36), lazy: true }
      ]
    }
  }
}

/** A string stored inside a load command at a command-relative offset; the command lies inside r. */
function commandString(r: ByteReader, off: number, size: number, nameOffset: number | undefined): string | undefined {
  if (nameOffset === undefined || nameOffset < 8 || nameOffset >= size) return undefined
  return r.cstring(off + nameOffset, off + size)
}

// ------------------------------------------------------------------ imports

/** Imports in first-seen order, one per name; a later sighting with a library fills in a missing one. */
class ImportSet {
  private readonly byName = new Map<string, ImportedSymbol>()

  add(name: string, library: string | undefined): void {
    if (name === '') return
    const seen = this.byName.get(name)
    if (seen === undefined) this.byName.set(name, library === undefined ? { name } : { name, library })
    else if (seen.library === undefined && library !== undefined) seen.library = library
  }

  list(): ImportedSymbol[] {
    return [...this.byName.values()]
  }
}

/** Maps a two-level library ordinal (signed for the special values) to what it names. */
type LibraryOf = (ordinal: number) => string | undefined

function ordinalResolver(header: Header, dylibs: (string | undefined)[]): LibraryOf {
  // Object files aren't linked yet: their undefined symbols bind to nothing so far.
  if (header.filetype === MH_OBJECT) return () => undefined
  if ((header.flags & MH_TWOLEVEL) === 0) return () => 'flat-namespace'
  return (ordinal) => {
    if (ordinal >= 1 && ordinal <= dylibs.length) return dylibs[ordinal - 1]
    switch (ordinal) {
      case 0:
        return 'self'
      case -1:
        return 'executable'
      case -2:
        return 'dynamic-lookup'
      case -3:
        return 'weak-lookup'
      default:
        return undefined
    }
  }
}

/** Two-level ordinals are unsigned bytes in nlist n_desc; 0xfe and 0xff are the special values. */
function nlistOrdinal(desc: number): number {
  const ordinal = (desc >> 8) & 0xff
  if (ordinal === 0xfe) return -2 // DYNAMIC_LOOKUP_ORDINAL
  if (ordinal === 0xff) return -1 // EXECUTABLE_ORDINAL
  return ordinal
}

// ------------------------------------------------------------- LC_SYMTAB

interface SymtabResult {
  defined: string[]
  hasLocals: boolean
}

/** Reads the nlist entries and the string table as two ranges, each cut to the end of the image. */
function readSymtab(
  { src, header, partial, names }: Thin,
  symtab: NonNullable<Commands['symtab']>,
  libraryOf: LibraryOf,
  imports: ImportSet,
  opts: ReadOptions
): SymtabResult {
  const result: SymtabResult = { defined: [], hasLocals: false }
  const entry = header.bits === 64 ? 16 : 12
  const r = new ByteReader(src.read(symtab.symoff, symtab.nsyms * entry), header.littleEndian, symtab.symoff)
  const nsyms = Math.floor(r.size / entry)
  if (nsyms < symtab.nsyms) partial.note(`symbol table truncated: ${nsyms} of ${symtab.nsyms} entries readable`)
  const strings = new StringTable(src.read(symtab.stroff, symtab.strsize), names)
  if (strings.buf.length < symtab.strsize) partial.note('string table truncated')
  const keep = opts.keepDefined
  const defined = new Set<string>()
  for (let i = 0; i < nsyms; i++) {
    const at = symtab.symoff + i * entry
    const type = r.u8(at + 4)
    if (type & N_STAB) continue
    const kind = type & N_TYPE
    const sect = r.u8(at + 5)
    if ((kind === N_UNDF && sect === 0) || kind === N_PBUD) {
      // In an object file an N_UNDF with a value is a common (tentative) definition, not an import.
      if (header.filetype === MH_OBJECT && kind === N_UNDF && r.word(at + 8, header.bits) !== 0) continue
      const name = symbolName(strings, r.u32(at))
      if (name !== undefined) imports.add(name, libraryOf(nlistOrdinal(r.u16(at + 6))))
    } else if (kind === N_SECT) {
      if (!(type & N_EXT)) result.hasLocals = true
      if (keep !== undefined) {
        const name = symbolName(strings, r.u32(at))
        if (name !== undefined && keep(name)) defined.add(name)
      }
    }
  }
  result.defined = [...defined]
  return result
}

/** n_strx 0 means "no name". */
function symbolName(strings: StringTable, strx: number): string | undefined {
  if (strx === 0) return undefined
  const name = strings.get(strx)
  return name === '' ? undefined : name
}

// ---------------------------------------------------- LC_DYLD_CHAINED_FIXUPS

const CHAINED_IMPORT_SIZES: Record<number, number> = { 1: 4, 2: 8, 3: 16 }

/** Reads the imports table of dyld_chained_fixups_header, read as one range; offsets in it count from its start. */
function readChainedFixups({ src, header, partial, names }: Thin, fixups: NonNullable<Commands['chained']>, libraryOf: LibraryOf, imports: ImportSet): void {
  const blob = src.read(fixups.dataoff, fixups.datasize)
  if (blob.length < 28) throw new BinaryFormatError('chained fixups lie past the end of the file')
  const r = new ByteReader(blob, header.littleEndian)
  const importsOffset = r.u32(8)
  const symbolsOffset = r.u32(12)
  const count = r.u32(16)
  const format = r.u32(20)
  const symbolsFormat = r.u32(24)
  const size = CHAINED_IMPORT_SIZES[format]
  if (size === undefined) throw new BinaryFormatError(`unknown chained import format ${format}`)
  if (symbolsFormat !== 0) throw new BinaryFormatError('compressed chained-fixup symbol names are not read')
  const fits = importsOffset <= blob.length ? Math.floor((blob.length - importsOffset) / size) : 0
  const n = Math.min(count, fits)
  const pool = new StringTable(blob.subarray(Math.min(symbolsOffset, blob.length)), names)
  for (let i = 0; i < n; i++) {
    const { ordinal, nameOffset } = chainedImport(r, importsOffset + i * size, format)
    const name = pool.get(nameOffset)
    if (name !== undefined) imports.add(name, libraryOf(ordinal))
  }
  if (n < count) partial.note(`chained imports truncated: ${n} of ${count} readable`)
}

function chainedImport(r: ByteReader, at: number, format: number): { ordinal: number; nameOffset: number } {
  if (format === 3) {
    // DYLD_CHAINED_IMPORT_ADDEND64: lib_ordinal:16, weak_import:1, reserved:15, name_offset:32
    const word = r.u32(at)
    const raw = word & 0xffff
    return { ordinal: raw >= 0xfff0 ? raw - 0x10000 : raw, nameOffset: r.u32(at + 4) }
  }
  // DYLD_CHAINED_IMPORT(_ADDEND): lib_ordinal:8, weak_import:1, name_offset:23
  const word = r.u32(at)
  const raw = word & 0xff
  return { ordinal: raw >= 0xf0 ? raw - 0x100 : raw, nameOffset: word >>> 9 }
}

// ------------------------------------------------------- LC_DYLD_INFO binds

const BIND_OPCODE_DONE = 0x00
const BIND_OPCODE_SET_DYLIB_ORDINAL_IMM = 0x10
const BIND_OPCODE_SET_DYLIB_ORDINAL_ULEB = 0x20
const BIND_OPCODE_SET_DYLIB_SPECIAL_IMM = 0x30
const BIND_OPCODE_SET_SYMBOL_TRAILING_FLAGS_IMM = 0x40
const BIND_OPCODE_SET_TYPE_IMM = 0x50
const BIND_OPCODE_SET_ADDEND_SLEB = 0x60
const BIND_OPCODE_SET_SEGMENT_AND_OFFSET_ULEB = 0x70
const BIND_OPCODE_ADD_ADDR_ULEB = 0x80
const BIND_OPCODE_DO_BIND = 0x90
const BIND_OPCODE_DO_BIND_ADD_ADDR_ULEB = 0xa0
const BIND_OPCODE_DO_BIND_ADD_ADDR_IMM_SCALED = 0xb0
const BIND_OPCODE_DO_BIND_ULEB_TIMES_SKIPPING_ULEB = 0xc0
const BIND_OPCODE_THREADED = 0xd0

/** Reads (symbol, ordinal) pairs from the bind and lazy-bind opcode streams, each read as one range. */
function readBindOpcodes({ src, partial }: Thin, streams: { off: number; size: number; lazy: boolean }[], libraryOf: LibraryOf, imports: ImportSet): void {
  for (const s of streams) {
    if (s.size === 0) continue
    const bytes = src.read(s.off, s.size)
    if (bytes.length === 0) partial.note('bind opcodes lie past the end of the file')
    else partial.guard(() => runBindStream(new ByteReader(bytes, true), s.lazy, libraryOf, imports))
  }
}

/** Runs one stream; what it bound before damage stays in imports, and the damage is thrown. */
function runBindStream(r: ByteReader, lazy: boolean, libraryOf: LibraryOf, imports: ImportSet): void {
  const { buf } = r
  const end = buf.length
  const cur = { pos: 0 }
  let ordinal = 0
  let symbol = ''
  while (cur.pos < end) {
    const byte = buf[cur.pos++]
    const op = byte & 0xf0
    const imm = byte & 0x0f
    switch (op) {
      case BIND_OPCODE_DONE:
        if (!lazy) return // lazy streams put a DONE after every entry
        break
      case BIND_OPCODE_SET_DYLIB_ORDINAL_IMM:
        ordinal = imm
        break
      case BIND_OPCODE_SET_DYLIB_ORDINAL_ULEB:
        ordinal = uleb(buf, cur, end)
        break
      case BIND_OPCODE_SET_DYLIB_SPECIAL_IMM:
        ordinal = imm === 0 ? 0 : imm - 0x10 // sign-extended: -1 executable, -2 flat lookup, -3 weak lookup
        break
      case BIND_OPCODE_SET_SYMBOL_TRAILING_FLAGS_IMM:
        if (cur.pos >= end) throw new BinaryFormatError('bind opcodes truncated')
        symbol = r.cstring(cur.pos)
        cur.pos += symbol.length + 1
        break
      case BIND_OPCODE_SET_TYPE_IMM:
        break
      case BIND_OPCODE_SET_ADDEND_SLEB:
      case BIND_OPCODE_SET_SEGMENT_AND_OFFSET_ULEB:
      case BIND_OPCODE_ADD_ADDR_ULEB:
        uleb(buf, cur, end) // the value is an address or addend: skip it (SLEB has the same length)
        break
      case BIND_OPCODE_DO_BIND:
      case BIND_OPCODE_DO_BIND_ADD_ADDR_IMM_SCALED:
        imports.add(symbol, libraryOf(ordinal))
        break
      case BIND_OPCODE_DO_BIND_ADD_ADDR_ULEB:
        imports.add(symbol, libraryOf(ordinal))
        uleb(buf, cur, end)
        break
      case BIND_OPCODE_DO_BIND_ULEB_TIMES_SKIPPING_ULEB:
        imports.add(symbol, libraryOf(ordinal))
        uleb(buf, cur, end)
        uleb(buf, cur, end)
        break
      case BIND_OPCODE_THREADED:
        if (imm === 0) uleb(buf, cur, end) // SET_BIND_ORDINAL_TABLE_SIZE_ULEB; APPLY (1) has no operand
        break
      default:
        throw new BinaryFormatError(`unknown bind opcode 0x${byte.toString(16)}`)
    }
  }
}

/** Unsigned LEB128, consuming at most 10 bytes and never past end; the value saturates rather than overflowing. */
function uleb(buf: Buffer, cur: { pos: number }, end: number): number {
  let value = 0
  let scale = 1
  for (let n = 0; n < 10 && cur.pos < end; n++) {
    const byte = buf[cur.pos++]
    value += (byte & 0x7f) * scale
    scale *= 128
    if ((byte & 0x80) === 0) break
  }
  return value
}

// -------------------------------------------------------------- arch names

function archName(cputype: number, cpusubtype: number): string {
  const sub = cpusubtype & ~CPU_SUBTYPE_MASK
  switch (cputype) {
    case CPU_TYPE_X86 | CPU_ARCH_ABI64:
      return sub === 8 ? 'x86_64h' : 'x86_64'
    case CPU_TYPE_X86:
      return 'i386'
    case CPU_TYPE_ARM | CPU_ARCH_ABI64:
      return sub === 2 ? 'arm64e' : 'arm64'
    case CPU_TYPE_ARM | CPU_ARCH_ABI64_32:
      return 'arm64_32'
    case CPU_TYPE_ARM:
      return ARM_SUBTYPES[sub] ?? 'arm'
    case CPU_TYPE_POWERPC:
      return 'ppc'
    case CPU_TYPE_POWERPC | CPU_ARCH_ABI64:
      return 'ppc64'
    default:
      return `cpu-0x${(cputype >>> 0).toString(16)}`
  }
}
