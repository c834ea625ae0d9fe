/** What a binary reader extracts from one image (one slice of a fat file). */
export interface BinaryImage {
  /** Container format of the image. */
  format: 'elf' | 'macho'
  /** CPU architecture in the usual spelling: x86_64, aarch64, arm64, i386, arm, ppc64, ... */
  arch: string
  /** Word size of the image. */
  bits: 32 | 64
  /** Byte order of the image. */
  endian: 'little' | 'big'
  /** File type: 'shared-object', 'executable', 'relocatable', 'bundle', 'dylib', ... */
  kind: string
  /**
   * Libraries the loader maps for this image, in file order, as written in
   * the binary (ELF DT_NEEDED sonames, Mach-O LC_*_DYLIB install names).
   */
  libraries: string[]
  /**
   * Symbols the image imports (undefined in it), with the name exactly as in
   * the binary: Mach-O names keep their leading underscore.
   */
  imports: ImportedSymbol[]
  /**
   * Names of symbols defined in the image that the caller asked to keep
   * (see ReadOptions.keepDefined); empty when the full symbol table is gone.
   */
  defined: string[]
  /** True when the full symbol table (.symtab / local nlist entries) is absent. */
  stripped: boolean
  /**
   * Set when the file could only be read in part (truncated, corrupt tables):
   * says what was skipped. The fields above hold what could be read.
   */
  partial?: string
}

/** One imported symbol. */
export interface ImportedSymbol {
  /** Name as stored in the binary (Mach-O: with the leading underscore). */
  name: string
  /** ELF symbol version (GOMP_4.0, GLIBC_2.2.5) when recorded. */
  version?: string
  /**
   * Library the symbol is bound to, when the format records it (Mach-O
   * two-level namespace ordinal, ELF version needs). 'flat-namespace' or
   * 'dynamic-lookup' when it resolves through whatever the process loaded.
   */
  library?: string
}

/** Options shared by the readers. */
export interface ReadOptions {
  /** Keep defined symbols whose names pass this test (e.g. outlined OpenMP regions). */
  keepDefined?: (name: string) => boolean
  /**
   * Substrings of which every name keepDefined accepts contains one. Lets a
   * reader skip decoding the names that can't pass: a big C++ library
   * defines hundreds of thousands of names, an extension a few OpenMP regions.
   */
  keepDefinedContaining?: readonly string[]
  /**
   * Skip the full symbol table (ELF .symtab + .strtab) when it is larger than
   * this. Only keepDefined names come from it; libtorch_cpu's is 90 MB and
   * holds no region of an extension. The image then says so in `partial`.
   */
  maxSymtabBytes?: number
}

/** Thrown when a file is not a binary format we read, or is too broken to read at all. */
export class BinaryFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BinaryFormatError'
  }
}
