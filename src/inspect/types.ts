/** What inspect hands on: the static evidence for each binary. */
import type { SourceHit } from '../sources/scan.js'
import type { BinaryImage } from './binary/binary-types.js'
import type { OpenMPEvidence } from './openmp.js'
import type { RuntimeFinding } from './two-runtimes.js'

/** Static evidence for one binary file (one entry per slice of a fat file). */
export interface BinaryEvidence {
  /** Path relative to the working directory. */
  path: string
  images: { format: BinaryImage['format']; arch: string; stripped: boolean; partial?: string; openmp: OpenMPEvidence }[]
  /** Set when the file could not be read. */
  error?: string
  /**
   * Parallel constructs in the sources compiled into this binary, from the
   * build's records; absent when the records don't say (then all scanned sources count).
   */
  sources?: SourceHit[]
  /** How many source files went into it, when known. */
  sourceFiles?: number
  /** How the sources were tied to it (or why they weren't). */
  sourcesHow?: string
  /** Conflicts between its OpenMP runtime and torch's. */
  runtimeFindings?: RuntimeFinding[]
  /**
   * Its translation units whose parallel code was compiled without OpenMP,
   * from the build's per-TU audit; absent when the build wasn't recorded.
   */
  lostTus?: LostTu[]
}

/** One translation unit that lost OpenMP: its file, what compiled it, and its parallel lines. */
export interface LostTu {
  /** Source file, relative to the working directory. */
  file: string
  /** Compiler family ('nvcc' for .cu files nvcc compiled). */
  family: string
  hits: SourceHit[]
}
