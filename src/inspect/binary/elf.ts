import { BinaryFormatError, type BinaryImage, type ImportedSymbol, type ReadOptions } from './binary-types.js'
import { ByteReader } from './byte-reader.js'
import { lowerBound } from './lower-bound.js'
import { BufferSource, type ByteSource } from './byte-source.js'
import { PartialReasons } from './partial.js'
import { NameBudget, StringTable } from './string-table.js'

// ELF reader: just enough to list DT_NEEDED libraries, versioned imports and
// selected defined symbols. Every number in the file is untrusted: counts are
// capped by what fits in the input, and any table that does not fit is cut
// short and reported through `partial` instead of throwing.
//
// The reader asks its ByteSource only for the ranges it needs (headers,
// .dynamic, .dynsym, .dynstr, .gnu.version(_r), and .symtab/.strtab only
// when defined symbols are wanted), so reading a file through a FileSource
// costs the size of those tables, not the size of the file.

const SHT_SYMTAB = 2
const SHT_DYNAMIC = 6
const SHT_NOBITS = 8
const SHT_DYNSYM = 11
const SHT_GNU_VERNEED = 0x6ffffffe
const SHT_GNU_VERSYM = 0x6fffffff
const PN_XNUM = 0xffff

const PT_LOAD = 1
const PT_DYNAMIC = 2

const DT_NULL = 0
const DT_NEEDED = 1
const DT_HASH = 4
const DT_STRTAB = 5
const DT_SYMTAB = 6
const DT_STRSZ = 10
const DT_SYMENT = 11
const DT_GNU_HASH = 0x6ffffef5
const DT_VERSYM = 0x6ffffff0
const DT_VERNEED = 0x6ffffffe
const DT_VERNEEDNUM = 0x6fffffff

const STT_SECTION = 3
const STT_FILE = 4
const EM_S390 = 22

/** Verneed and vernaux records are both 16 bytes in 32- and 64-bit files. */
const VER_RECORD = 16
/** versym holds 15-bit indexes, so no file needs more version records than this. */
const MAX_VERSION_RECORDS = 0x10000
/** Real dynamic tables hold tens of entries; a hostile one could claim the whole file. */
const MAX_DYNAMIC_ENTRIES = 1 << 16
/**
 * Bytes read for .gnu.version_r when only the dynamic segment locates it
 * (no size is recorded there): as many records as versym can index.
 */
const MAX_VERNEED_BYTES = MAX_VERSION_RECORDS * VER_RECORD
/** GNU hash chains are read this many bytes at a time: real chains are short. */
const CHAIN_CHUNK = 4096

const KINDS: Record<number, string> = { 1: 'relocatable', 2: 'executable', 3: 'shared-object', 4: 'core' }

/** e_machine -> [32-bit name, 64-bit name]. */
const MACHINES: Record<number, readonly [string, string]> = {
  2: ['sparc', 'sparc'],
  3: ['i386', 'i386'],
  4: ['m68k', 'm68k'],
  8: ['mips', 'mips64'],
  15: ['hppa', 'hppa64'],
  18: ['sparc', 'sparc'],
  20: ['ppc', 'ppc'],
  21: ['ppc64', 'ppc64'],
  22: ['s390', 's390x'],
  40: ['arm', 'arm'],
  41: ['alpha', 'alpha'],
  42: ['sh', 'sh'],
  43: ['sparcv9', 'sparcv9'],
  50: ['ia64', 'ia64'],
  62: ['x32', 'x86_64'],
  183: ['aarch64', 'aarch64'],
  243: ['riscv32', 'riscv64'],
  247: ['bpf', 'bpf'],
  258: ['loongarch32', 'loongarch64'],
  0x9026: ['alpha', 'alpha']
}

interface Header {
  bits: 32 | 64
  little: boolean
  type: number
  machine: number
  phoff: number
  phentsize: number
  phnum: number
  shoff: number
  shentsize: number
  shnum: number
}

interface Section {
  type: number
  offset: number
  size: number
  link: number
  info: number
  entsize: number
}

interface Range {
  off: number
  size: number
}

/** Where a symbol table lies; its bytes are read only when a loop needs them. */
interface SymTab {
  off: number
  count: number
  entsize: number
  strings: Range
}

interface VerneedTable extends Range {
  /** Number of verneed records; undefined when unknown (follow vn_next to the end). */
  count: number | undefined
  strings: Range
}

/** What the dynamic linker sees, whether found through sections or segments. */
interface DynView {
  needed: string[]
  dynsym?: SymTab
  versym?: Range
  verneed?: VerneedTable
}

interface Load {
  vaddr: number
  offset: number
  filesz: number
}

interface VersionNeed {
  version: string
  library: string
}

/** True when the buffer starts with the ELF magic. */
export function isElf(buf: Buffer): boolean {
  return buf.length >= 4 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46
}

/**
 * Read an ELF image. Throws BinaryFormatError only when the file is not ELF
 * or its header cannot be read; damage further in yields a BinaryImage with
 * `partial` saying what was skipped.
 */
export function readElf(buf: Buffer, opts: ReadOptions = {}): BinaryImage {
  return readElfFrom(new BufferSource(buf), opts)
}

/** readElf over any ByteSource. */
export function readElfFrom(src: ByteSource, opts: ReadOptions = {}): BinaryImage {
  const hdr = readHeader(src)
  return new ElfParser(src, hdr, opts).read()
}

function readHeader(src: ByteSource): Header {
  const buf = src.read(0, 64)
  if (!isElf(buf)) throw new BinaryFormatError('not an ELF file (bad magic)')
  if (buf.length < 6) throw new BinaryFormatError('ELF header truncated')
  const cls = buf[4]
  const data = buf[5]
  if (cls !== 1 && cls !== 2) throw new BinaryFormatError(`unknown ELF class ${cls}`)
  if (data !== 1 && data !== 2) throw new BinaryFormatError(`unknown ELF data encoding ${data}`)
  const bits = cls === 2 ? 64 : 32
  const r = new ByteReader(buf, data === 1)
  const w = bits === 64
  const size = w ? 64 : 52
  if (buf.length < size) throw new BinaryFormatError(`ELF header truncated (${buf.length} of ${size} bytes)`)
  return {
    bits,
    little: data === 1,
    type: r.u16(16),
    machine: r.u16(18),
    phoff: r.word(w ? 32 : 28, bits),
    shoff: r.word(w ? 40 : 32, bits),
    phentsize: r.u16(w ? 54 : 42),
    phnum: r.u16(w ? 56 : 44),
    shentsize: r.u16(w ? 58 : 46),
    shnum: r.u16(w ? 60 : 48)
  }
}

class ElfParser {
  private readonly w: boolean
  private readonly size: number
  private readonly partial = new PartialReasons()
  private sections: SectionTable | undefined
  private sectionsChecked = false
  /** String tables already read, by range: .dynstr serves both library names and symbols. */
  private readonly strTabs = new Map<string, StringTable>()
  /** Bytes of names we are still willing to decode, shared by every string table. */
  private readonly names: NameBudget

  constructor(
    private readonly src: ByteSource,
    private readonly hdr: Header,
    private readonly opts: ReadOptions
  ) {
    this.w = hdr.bits === 64
    this.size = src.size
    this.names = new NameBudget(src.size, this.partial)
  }

  read(): BinaryImage {
    const { hdr } = this
    const secs = this.sectionTable()
    const symtabIdx = secs?.firstOfType(SHT_SYMTAB)
    // Locating .symtab reads one section header; its bytes are read only if a loop below needs them.
    const symtab = symtabIdx === undefined ? undefined : this.guard(() => this.symTabFromSection(symtabIdx, 'symbol table'))

    let view = this.guard(() => this.viewFromSections()) ?? { needed: [] }
    if (!view.dynsym) {
      // No usable .dynsym (or no section headers at all): the loader's view through PT_DYNAMIC still works.
      const seg = this.guard(() => this.viewFromSegments())
      if (seg) view = { ...seg, needed: view.needed.length > 0 ? view.needed : seg.needed }
    }

    const verneed = view.verneed
    const versions = verneed ? this.guard(() => this.readVerneed(verneed)) : undefined
    // Relocatable objects have no .dynsym: their imports are the undefined .symtab entries.
    const importTable = view.dynsym ?? (hdr.type === 1 ? symtab : undefined)
    const imports = importTable ? (this.guard(() => this.readImports(importTable, importTable === view.dynsym ? view.versym : undefined, versions ?? new Map())) ?? []) : []
    const cap = this.opts.maxSymtabBytes ?? Infinity
    const symtabBytes = symtab ? symtab.count * symtab.entsize + symtab.strings.size : 0
    const readSymtab = symtab !== undefined && symtabBytes <= cap
    if (symtab && !readSymtab) this.note(`full symbol table not read (${(symtabBytes / 2 ** 20).toFixed(0)} MiB, above the ${(cap / 2 ** 20).toFixed(0)} MiB cap): outlined regions are not listed`)
    // Past the cap, .dynsym is skipped too: the names asked for (outlined
    // regions, local) would be in .symtab, and libtorch_cpu's 75k exports cost 50 ms to walk.
    const definedFrom = symtab === undefined ? [view.dynsym] : readSymtab ? [symtab, view.dynsym] : []
    const defined = this.opts.keepDefined ? (this.guard(() => this.readDefined(definedFrom)) ?? []) : []
    const image: BinaryImage = {
      format: 'elf',
      arch: archName(hdr),
      bits: hdr.bits,
      endian: hdr.little ? 'little' : 'big',
      kind: KINDS[hdr.type] ?? `type-${hdr.type}`,
      libraries: view.needed,
      imports,
      defined,
      stripped: symtabIdx === undefined
    }
    const partial = this.partial.text()
    if (partial !== undefined) image.partial = partial
    return image
  }

  private note(reason: string): void {
    this.partial.note(reason)
  }

  private guard<T>(step: () => T): T | undefined {
    return this.partial.guard(step)
  }

  /** True when [offset, offset+length) lies inside the input. */
  private fits(offset: number, length: number): boolean {
    return Number.isSafeInteger(offset) && offset >= 0 && length >= 0 && offset + length <= this.size
  }

  /** A bounds-checked reader over bytes [off, off+size) of the input (cut to its end). */
  private reader(off: number, size: number): ByteReader {
    return new ByteReader(this.src.read(off, size), this.hdr.little, off)
  }

  // --- sections ---------------------------------------------------------

  private sectionTable(): SectionTable | undefined {
    if (!this.sectionsChecked) {
      this.sectionsChecked = true
      this.sections = this.guard(() => this.openSectionTable())
    }
    return this.sections
  }

  private openSectionTable(): SectionTable | undefined {
    const { hdr } = this
    if (hdr.shoff === 0) return undefined
    const entsize = this.w ? 64 : 40
    if (hdr.shentsize < entsize) throw new BinaryFormatError(`section header size ${hdr.shentsize} is too small`)
    if (!this.fits(hdr.shoff, entsize)) throw new BinaryFormatError('section header table lies past the end of the file')
    // Extended numbering keeps the real count in section 0 when e_shnum would overflow.
    const count = hdr.shnum === 0 ? new SectionTable(this.reader(hdr.shoff, entsize), this.w, hdr.shoff, hdr.shentsize, 1).get(0).size : hdr.shnum
    if (count === 0) return undefined
    if (!this.fits(hdr.shoff, count * hdr.shentsize)) throw new BinaryFormatError('section header table lies past the end of the file')
    return new SectionTable(this.reader(hdr.shoff, count * hdr.shentsize), this.w, hdr.shoff, hdr.shentsize, count)
  }

  private viewFromSections(): DynView | undefined {
    const secs = this.sectionTable()
    if (!secs) return undefined
    const view: DynView = { needed: [] }
    const dynsym = secs.firstOfType(SHT_DYNSYM)
    if (dynsym !== undefined) view.dynsym = this.guard(() => this.symTabFromSection(dynsym, 'dynamic symbol table'))
    const dynamic = secs.firstOfType(SHT_DYNAMIC)
    if (dynamic !== undefined) view.needed = this.guard(() => this.neededFromSection(dynamic)) ?? []
    const versym = secs.firstOfType(SHT_GNU_VERSYM)
    if (versym !== undefined) view.versym = this.guard(() => this.sectionRange(secs.get(versym), 'symbol version table'))
    const verneed = secs.firstOfType(SHT_GNU_VERNEED)
    if (verneed !== undefined) {
      view.verneed = this.guard(() => {
        const s = secs.get(verneed)
        return { ...this.sectionRange(s, 'version needs'), count: s.info, strings: this.linkedStrings(s) }
      })
    }
    return view
  }

  /** File range of a section, cut to the end of the file. */
  private sectionRange(s: Section, what: string): Range {
    if (s.type === SHT_NOBITS) return { off: 0, size: 0 }
    return this.clampRange(s.offset, s.size, what)
  }

  private clampRange(off: number, size: number, what: string): Range {
    if (!Number.isSafeInteger(off) || off < 0 || off > this.size) {
      throw new BinaryFormatError(`${what} at offset ${off} lies past the end of the file`)
    }
    const room = this.size - off
    if (!(size <= room)) {
      this.note(`${what} is truncated`)
      return { off, size: room }
    }
    return { off, size }
  }

  /** Range of the string table a section links to. */
  private linkedStrings(s: Section): Range {
    const secs = this.sectionTable()
    if (!secs || s.link === 0 || s.link >= secs.count) throw new BinaryFormatError(`section link ${s.link} is not a string table`)
    return this.sectionRange(secs.get(s.link), 'string table')
  }

  private symTabFromSection(idx: number, what: string): SymTab {
    const secs = this.sectionTable() as SectionTable
    const s = secs.get(idx)
    const range = this.sectionRange(s, what)
    return this.symTab(range, s.entsize, this.linkedStrings(s), what)
  }

  private symTab(range: Range, entsize: number, strings: Range, what: string): SymTab {
    if (entsize < (this.w ? 24 : 16) || !Number.isSafeInteger(entsize)) {
      throw new BinaryFormatError(`${what} has bad entry size ${entsize}`)
    }
    return { off: range.off, count: Math.floor(range.size / entsize), entsize, strings }
  }

  private neededFromSection(idx: number): string[] {
    const s = (this.sectionTable() as SectionTable).get(idx)
    const range = this.sectionRange(s, 'dynamic section')
    const strings = this.linkedStrings(s)
    return this.neededNames(this.dynamicEntries(range).needed, this.strTab(strings))
  }

  // --- segments (no usable section headers) -----------------------------

  private viewFromSegments(): DynView | undefined {
    const { loads, dynamic } = this.readProgramHeaders()
    if (!dynamic) return undefined
    const { tags, needed } = this.dynamicEntries(dynamic)
    const map = (tag: number, what: string): number | undefined => {
      const addr = tags.get(tag)
      return addr === undefined ? undefined : this.guard(() => vaddrToOffset(loads, addr, what))
    }
    const strOff = map(DT_STRTAB, 'dynamic string table')
    if (strOff === undefined) {
      if (needed.length > 0 || tags.has(DT_SYMTAB)) this.note('dynamic string table not found')
      return { needed: [] }
    }
    const strsz = tags.get(DT_STRSZ) ?? this.size - strOff
    const strings = this.clampRange(strOff, strsz, 'dynamic string table')
    const view: DynView = { needed: this.neededNames(needed, this.strTab(strings)) }

    const symOff = map(DT_SYMTAB, 'dynamic symbol table')
    const verOff = map(DT_VERSYM, 'symbol version table')
    const needOff = map(DT_VERNEED, 'version needs')
    const hashOff = map(DT_HASH, 'hash table')
    const gnuHashOff = map(DT_GNU_HASH, 'GNU hash table')
    if (symOff !== undefined) {
      const entsize = tags.get(DT_SYMENT) ?? (this.w ? 24 : 16)
      const count = this.dynsymCount(symOff, entsize, hashOff, gnuHashOff, [strOff, verOff, needOff, hashOff, gnuHashOff])
      const range = this.clampRange(symOff, count * entsize, 'dynamic symbol table')
      view.dynsym = this.guard(() => this.symTab(range, entsize, strings, 'dynamic symbol table'))
      if (verOff !== undefined && view.dynsym) {
        view.versym = this.clampRange(verOff, view.dynsym.count * 2, 'symbol version table')
      }
    }
    if (needOff !== undefined) {
      // The dynamic segment records no size for it; a real one is a few hundred bytes.
      view.verneed = { off: needOff, size: Math.max(0, Math.min(this.size - needOff, MAX_VERNEED_BYTES)), count: tags.get(DT_VERNEEDNUM), strings }
    }
    return view
  }

  private readProgramHeaders(): { loads: Load[]; dynamic?: Range } {
    const { hdr, w } = this
    const loads: Load[] = []
    let dynamic: Range | undefined
    const entsize = w ? 56 : 32
    let count = hdr.phnum
    if (count === PN_XNUM) count = this.guard(() => this.sectionTable()?.get(0).info) ?? 0
    if (hdr.phoff === 0 || count === 0) return { loads }
    if (hdr.phentsize < entsize) {
      this.note(`program header size ${hdr.phentsize} is too small`)
      return { loads }
    }
    const fits = this.fits(hdr.phoff, 0) ? Math.floor((this.size - hdr.phoff) / hdr.phentsize) : 0
    if (fits < count) {
      this.note('program header table is truncated')
      count = fits
    }
    const r = this.reader(hdr.phoff, count * hdr.phentsize)
    for (let i = 0; i < count; i++) {
      const p = hdr.phoff + i * hdr.phentsize
      const type = r.u32(p)
      if (type !== PT_LOAD && type !== PT_DYNAMIC) continue
      const offset = wordAt(r, p + (w ? 8 : 4), hdr.bits)
      const vaddr = wordAt(r, p + (w ? 16 : 8), hdr.bits)
      const filesz = wordAt(r, p + (w ? 32 : 16), hdr.bits)
      if (type === PT_LOAD) loads.push({ vaddr, offset, filesz })
      else if (!dynamic) dynamic = this.guard(() => this.clampRange(offset, filesz, 'dynamic segment'))
    }
    return { loads, dynamic }
  }

  /**
   * Number of .dynsym entries. Only the hash tables record it; without one,
   * assume the table runs up to the next dynamic table that follows it.
   * A count beyond the end of the file is returned as is, so the caller
   * notes the table as truncated.
   */
  private dynsymCount(symOff: number, entsize: number, hash: number | undefined, gnuHash: number | undefined, others: (number | undefined)[]): number {
    if (!(entsize > 0)) throw new BinaryFormatError(`dynamic symbol table has bad entry size ${entsize}`)
    const fits = Math.floor((this.size - symOff) / entsize)
    if (hash !== undefined) {
      const n = this.guard(() => this.sysvHashCount(hash))
      if (n !== undefined) return n
    }
    if (gnuHash !== undefined) {
      const n = this.guard(() => this.gnuHashCount(gnuHash, fits))
      if (n !== undefined) return n
    }
    let end = this.size
    for (const o of others) if (o !== undefined && o > symOff && o < end) end = o
    return Math.floor((end - symOff) / entsize)
  }

  private sysvHashCount(off: number): number {
    const r = this.reader(off, 16)
    // s390x keeps 64-bit hash entries; everyone else uses 32-bit ones.
    if (this.hdr.machine === EM_S390 && this.w) return r.u64(off + 8, 'hash table')
    return r.u32(off + 4, 'hash table')
  }

  /** Highest symbol index reachable from the buckets, plus one; the chain walk stops past `limit`. */
  private gnuHashCount(off: number, limit: number): number {
    const head = this.reader(off, 16)
    const nbuckets = head.u32(off, 'GNU hash table')
    const symoffset = head.u32(off + 4, 'GNU hash table')
    const bloomWords = head.u32(off + 8, 'GNU hash table')
    const buckets = off + 16 + bloomWords * (this.w ? 8 : 4)
    if (!this.fits(buckets, nbuckets * 4)) throw new BinaryFormatError(`GNU hash table with ${nbuckets} buckets lies past the end of the file`)
    // Linkers size the buckets to the symbol count; far more buckets than symbols that fit is forged.
    if (nbuckets > limit + 1024) throw new BinaryFormatError(`GNU hash table has ${nbuckets} buckets for at most ${limit} symbols`)
    // Hostile files can make both loops run over most of the file, so they read bytes directly.
    const le = this.hdr.little
    const bucketBytes = this.src.read(buckets, nbuckets * 4)
    let max = 0
    for (let p = 0; p + 4 <= bucketBytes.length; p += 4) {
      const v = u32At(bucketBytes, p, le)
      if (v > max) max = v
    }
    if (max < symoffset) return symoffset
    // Each chain ends with an entry whose low bit is set; read the chain a chunk at a time.
    let at = buckets + nbuckets * 4 + (max - symoffset) * 4
    let i = max
    while (i < limit) {
      const chunk = this.src.read(at, Math.min(CHAIN_CHUNK, (limit - i) * 4))
      if (chunk.length < 4) throw new BinaryFormatError('GNU hash chain runs past the end of the file')
      for (let p = 0; p + 4 <= chunk.length; p += 4, i++) {
        if ((u32At(chunk, p, le) & 1) !== 0) return i + 1
      }
      at += chunk.length - (chunk.length % 4)
    }
    return i + 1
  }

  // --- shared tables ----------------------------------------------------

  private dynamicEntries(range: Range): { tags: Map<number, number>; needed: number[] } {
    const { w, hdr } = this
    const entsize = w ? 16 : 8
    const tags = new Map<number, number>()
    const needed: number[] = []
    let count = Math.floor(range.size / entsize)
    if (count > MAX_DYNAMIC_ENTRIES) {
      this.note('dynamic table is too long to be real; read its start')
      count = MAX_DYNAMIC_ENTRIES
    }
    const r = this.reader(range.off, count * entsize)
    for (let i = 0; i < count; i++) {
      const p = range.off + i * entsize
      const tag = wordAt(r, p, hdr.bits)
      if (tag === DT_NULL) break
      const val = wordAt(r, p + entsize / 2, hdr.bits)
      if (tag === DT_NEEDED) needed.push(val)
      else if (!tags.has(tag)) tags.set(tag, val)
    }
    return { tags, needed }
  }

  private neededNames(offsets: number[], strtab: StringTable): string[] {
    const names: string[] = []
    for (const o of offsets) {
      const name = strtab.get(o)
      if (name === undefined) this.note('library name lies outside the string table')
      else names.push(name)
    }
    return names
  }

  /** Reads a string table (once per range). */
  private strTab(range: Range): StringTable {
    const key = `${range.off}:${range.size}`
    const seen = this.strTabs.get(key)
    if (seen) return seen
    const t = new StringTable(this.src.read(range.off, range.size), this.names)
    this.strTabs.set(key, t)
    return t
  }

  /** Version index -> version name and library, from .gnu.version_r. */
  private readVerneed(t: VerneedTable): Map<number, VersionNeed> {
    const r = this.reader(t.off, t.size)
    const strtab = this.strTab(t.strings)
    const out = new Map<number, VersionNeed>()
    const end = t.off + t.size
    const fits = (p: number): boolean => p >= t.off && p + VER_RECORD <= end
    // Records never overlap, so a valid chain has no more records than fit; this also stops loops.
    let budget = Math.min(Math.floor(t.size / VER_RECORD), MAX_VERSION_RECORDS)
    let p = t.off
    for (let n = 0; t.count === undefined || n < t.count; n++) {
      if (!fits(p)) return this.versionStop(out, 'version needs run past their table')
      if (budget-- <= 0) return this.versionStop(out, 'version needs chain is too long or loops')
      const cnt = r.u16(p + 2)
      const library = strtab.get(r.u32(p + 4)) ?? ''
      let a = p + r.u32(p + 8)
      for (let j = 0; j < cnt; j++) {
        if (!fits(a)) return this.versionStop(out, 'version needs run past their table')
        if (budget-- <= 0) return this.versionStop(out, 'version needs chain is too long or loops')
        const version = strtab.get(r.u32(a + 8))
        const index = r.u16(a + 6) & 0x7fff
        // First record wins: anything a broken chain reaches later is less trustworthy.
        if (version !== undefined && !out.has(index)) out.set(index, { version, library })
        const next = r.u32(a + 12)
        if (next === 0) break
        a += next
      }
      const next = r.u32(p + 12)
      if (next === 0) break
      p += next
    }
    return out
  }

  private versionStop(out: Map<number, VersionNeed>, reason: string): Map<number, VersionNeed> {
    this.note(reason)
    return out
  }

  // The two symbol loops below run once per symbol (hundreds of thousands in
  // big C++ libraries), mostly before the JIT warms up, so they index the
  // table's bytes directly: every index stays below the table's length.

  private readImports(sym: SymTab, versym: Range | undefined, versions: Map<number, VersionNeed>): ImportedSymbol[] {
    const { entsize } = sym
    const table = this.src.read(sym.off, sym.count * entsize)
    const count = Math.floor(table.length / entsize)
    const strtab = this.strTab(sym.strings)
    const names = strtab.buf
    const le = this.hdr.little
    const shndxAt = this.w ? 6 : 14
    const versyms = versym ? this.src.read(versym.off, versym.size) : undefined
    const versymCount = versyms ? versyms.length >> 1 : 0
    const imports: ImportedSymbol[] = []
    let badNames = false
    for (let i = 1, p = entsize; i < count; i++, p += entsize) {
      // SHN_UNDEF is 0 in either byte order.
      if ((table[p + shndxAt] | table[p + shndxAt + 1]) !== 0) continue
      const nameAt = u32At(table, p, le)
      if (!(nameAt < names.length)) {
        badNames = true
        continue
      }
      if (names[nameAt] === 0) continue
      const name = strtab.get(nameAt)
      if (name === undefined) continue
      const entry: ImportedSymbol = { name }
      if (versyms && i < versymCount) {
        const need = versions.get(u16At(versyms, i * 2, le) & 0x7fff)
        if (need) {
          entry.version = need.version
          entry.library = need.library
        }
      }
      imports.push(entry)
    }
    if (badNames) this.note('some symbol names lie outside their string table')
    if (versyms && versymCount < count) this.note('symbol version table is shorter than the symbol table')
    return imports
  }

  private readDefined(tables: (SymTab | undefined)[]): string[] {
    const keep = this.opts.keepDefined
    if (!keep) return []
    const { w } = this
    const le = this.hdr.little
    const seen = new Set<string>()
    const shndxAt = w ? 6 : 14
    const infoAt = w ? 4 : 12
    const hints = this.opts.keepDefinedContaining
    for (const sym of tables) {
      if (!sym) continue
      const { entsize } = sym
      const table = this.src.read(sym.off, sym.count * entsize)
      const count = Math.floor(table.length / entsize)
      const strtab = this.strTab(sym.strings)
      const names = strtab.buf
      const mayPass = hints ? hintFilter(names, hints) : undefined
      for (let i = 1, p = entsize; i < count; i++, p += entsize) {
        if ((table[p + shndxAt] | table[p + shndxAt + 1]) === 0) continue
        const type = table[p + infoAt] & 0xf
        if (type === STT_SECTION || type === STT_FILE) continue
        const nameAt = u32At(table, p, le)
        if (!(nameAt < names.length) || names[nameAt] === 0) continue
        if (mayPass && !mayPass(nameAt)) continue
        const name = strtab.get(nameAt)
        if (name !== undefined && !seen.has(name) && keep(name)) seen.add(name)
      }
    }
    return [...seen]
  }
}

/**
 * A test "does the name starting at this offset contain one of the hints?"
 * over a string table, built with one pass over the table: the sorted
 * offsets where a hint occurs, each with the start of the NUL-terminated
 * run it lies in. A name contains a hint when the first occurrence at or
 * after its start lies in the same run. Linear in the table, whatever it holds.
 */
function hintFilter(names: Buffer, hints: readonly string[]): (nameAt: number) => boolean {
  const hits: number[] = []
  for (const hint of hints) {
    if (hint.length === 0 || hint.includes('\0')) return () => true
    for (let i = names.indexOf(hint, 0, 'latin1'); i >= 0; i = names.indexOf(hint, i + 1, 'latin1')) hits.push(i)
  }
  hits.sort((a, b) => a - b)
  const runStart = new Array<number>(hits.length)
  for (let k = 0, prev = 0; k < hits.length; prev = hits[k++]) {
    // Only the bytes since the previous hit are searched, so the pass stays linear.
    const nul = names.subarray(prev, hits[k]).lastIndexOf(0)
    runStart[k] = nul >= 0 ? prev + nul + 1 : k > 0 ? runStart[k - 1] : 0
  }
  return nameAt => {
    const lo = lowerBound(hits, nameAt)
    return lo < hits.length && runStart[lo] <= nameAt
  }
}

function u16At(buf: Buffer, p: number, le: boolean): number {
  return le ? buf[p] | (buf[p + 1] << 8) : (buf[p] << 8) | buf[p + 1]
}

function u32At(buf: Buffer, p: number, le: boolean): number {
  return le
    ? (buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24)) >>> 0
    : ((buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]) >>> 0
}

/** Section headers, decoded on demand: most files have few, hostile ones may claim millions. */
class SectionTable {
  private readonly firstIndex = new Map<number, number>()
  private scanned = false

  constructor(
    private readonly r: ByteReader,
    private readonly w: boolean,
    private readonly off: number,
    private readonly entsize: number,
    readonly count: number
  ) {}

  get(i: number): Section {
    const { r, w } = this
    const p = this.off + i * this.entsize
    const bits = w ? 64 : 32
    return {
      type: r.u32(p + 4, 'section header'),
      offset: wordAt(r, p + (w ? 24 : 16), bits),
      size: wordAt(r, p + (w ? 32 : 20), bits),
      link: r.u32(p + (w ? 40 : 24), 'section header'),
      info: r.u32(p + (w ? 44 : 28), 'section header'),
      entsize: wordAt(r, p + (w ? 56 : 36), bits)
    }
  }

  /** Index of the first section of a type; section 0 is always the null section. */
  firstOfType(type: number): number | undefined {
    if (!this.scanned) {
      this.scanned = true
      for (let i = 1; i < this.count; i++) {
        const t = this.r.u32(this.off + i * this.entsize + 4)
        if (!this.firstIndex.has(t)) this.firstIndex.set(t, i)
      }
    }
    return this.firstIndex.get(type)
  }
}

/** ByteReader.word without a BigInt per call; values past 2^53 become Infinity, as there. */
function wordAt(r: ByteReader, p: number, bits: 32 | 64): number {
  if (bits === 32) return r.u32(p)
  const lo = r.u32(r.littleEndian ? p : p + 4)
  const hi = r.u32(r.littleEndian ? p + 4 : p)
  return hi > 0x1fffff ? Number.POSITIVE_INFINITY : hi * 0x100000000 + lo
}

function vaddrToOffset(loads: Load[], addr: number, what: string): number {
  for (const l of loads) {
    if (addr >= l.vaddr && addr - l.vaddr < l.filesz) {
      const off = l.offset + (addr - l.vaddr)
      if (Number.isSafeInteger(off)) return off
    }
  }
  throw new BinaryFormatError(`${what} at address 0x${addr.toString(16)} is not in any loaded segment`)
}

function archName(hdr: Header): string {
  const names = MACHINES[hdr.machine]
  return names ? names[hdr.bits === 64 ? 1 : 0] : `machine-${hdr.machine}`
}
