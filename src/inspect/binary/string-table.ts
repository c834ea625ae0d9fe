/**
 * The one way both readers turn string-table offsets into names. Every
 * offset is untrusted and many entries may point into the same long name,
 * so each lookup scans no further than a name may be long, and every byte
 * scanned is charged to one budget per image, whether the name is kept or
 * refused: a small file can't make the reader copy (or rescan) far more
 * than it holds.
 */

/** Longest name we decode; real mangled C++ names stay far below. */
export const MAX_NAME = 1 << 20

/**
 * Name bytes decoded per byte of input. Linkers share string tails, so real
 * files decode a bit more than their string tables hold, but never this much.
 */
export const DECODE_BUDGET_PER_BYTE = 4

/** Where a refused name is reported: the image's partial reasons. */
export interface NoteSink {
  note(reason: string): void
}

/** Bytes of names one image may still decode: DECODE_BUDGET_PER_BYTE per input byte, plus one longest name. */
export class NameBudget {
  private left: number

  constructor(
    inputSize: number,
    readonly sink: NoteSink
  ) {
    this.left = DECODE_BUDGET_PER_BYTE * inputSize + MAX_NAME
  }

  /** Longest name a lookup may still return. */
  get limit(): number {
    return Math.min(MAX_NAME, this.left)
  }

  /** Charges scanned bytes; false (and a note) when the name is refused. */
  charge(scanned: number, limit: number): boolean {
    this.left -= Math.min(scanned, this.left)
    if (scanned <= limit) return true
    this.sink.note(limit === MAX_NAME ? 'a name is too long to be real' : 'names repeat far more than the file holds: decoded names exceed the budget, the rest were skipped')
    return false
  }
}

/** A string table read into memory (ELF .dynstr/.strtab, Mach-O string table, chained-fixup symbol pool). */
export class StringTable {
  /** Offset just past the table's last NUL (0 when there is none): past it, no lookup need scan. */
  private readonly nulEnd: number

  constructor(
    readonly buf: Buffer,
    private readonly budget: NameBudget
  ) {
    this.nulEnd = buf.lastIndexOf(0) + 1
  }

  /**
   * The NUL-terminated name at a table offset, cut at the table's end when
   * unterminated; undefined when the offset lies outside the table or the
   * name is refused (too long, or the budget is spent).
   */
  get(offset: number): string | undefined {
    const { buf } = this
    if (!(offset >= 0 && offset < buf.length)) return undefined
    const limit = this.budget.limit
    const end = Math.min(buf.length, offset + limit + 1)
    const nul = offset >= this.nulEnd ? -1 : buf.subarray(offset, end).indexOf(0)
    const stop = nul >= 0 ? offset + nul : end
    return this.budget.charge(stop - offset, limit) ? buf.toString('latin1', offset, stop) : undefined
  }
}
