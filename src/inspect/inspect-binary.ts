import { BinaryFormatError, type BinaryImage } from './binary/binary-types.js'
import { withFile } from './binary/byte-source.js'
import { isElf, readElfFrom } from './binary/elf.js'
import { isMachO, readMachOFrom } from './binary/macho.js'
import { isOutlinedRegion, openmpEvidence, OUTLINED_REGION_HINT, type OpenMPEvidence } from './openmp.js'

/** One image's static result, as `inspect --json` prints it. */
export interface InspectedImage {
  path: string
  format: BinaryImage['format']
  arch: string
  bits: number
  endian: BinaryImage['endian']
  kind: string
  stripped: boolean
  libraries: string[]
  partial?: string
  openmp: OpenMPEvidence
}

/**
 * An extension's full symbol table is a few MB at most; libtorch_cpu's
 * (torch 2.13) is 90 MB, and reading it tripled the time of `inspect`.
 * Only outlined-region names come from it, never the verdict.
 */
const MAX_SYMTAB_BYTES = 32 * 1024 * 1024

/** Enough of a file's start to tell its format (a universal header lists at most 30 slices). */
const HEAD_BYTES = 4096

/**
 * Reads a binary and returns one entry per image (a fat Mach-O gives one
 * per slice). Both formats are read range by range through a file
 * descriptor, so a 120 MB libtorch_cpu.so costs its dynamic tables and a
 * Mach-O (each slice of a universal one) its load commands and link-edit tables.
 */
export function inspectBinary(file: string): InspectedImage[] {
  const opts = { keepDefined: isOutlinedRegion, keepDefinedContaining: OUTLINED_REGION_HINT, maxSymtabBytes: MAX_SYMTAB_BYTES }
  const images = withFile(file, (src): BinaryImage[] => {
    const head = src.read(0, HEAD_BYTES)
    if (isElf(head)) return [readElfFrom(src, opts)]
    if (isMachO(head)) return readMachOFrom(src, opts)
    throw new BinaryFormatError(`${file} is neither ELF nor Mach-O (PE/Windows DLLs are not read yet)`)
  })
  return images.map(i => ({
    path: file,
    format: i.format,
    arch: i.arch,
    bits: i.bits,
    endian: i.endian,
    kind: i.kind,
    stripped: i.stripped,
    libraries: i.libraries,
    ...(i.partial ? { partial: i.partial } : {}),
    openmp: openmpEvidence(i)
  }))
}
