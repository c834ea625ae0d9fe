import { BinaryFormatError } from './binary-types.js'

/**
 * Bounds-checked little/big-endian reads over a Buffer. Every offset in a
 * binary is attacker-controlled data, so no read may go past the end and no
 * loop may trust a count without a cap.
 *
 * The buffer may be a window of the file starting at `base` (see
 * ByteSource): offsets stay file offsets, and a read outside the window
 * fails like one past the end of the file.
 */
export class ByteReader {
  constructor(
    readonly buf: Buffer,
    readonly littleEndian: boolean,
    readonly base = 0
  ) {}

  get size(): number {
    return this.buf.length
  }

  /** True when [offset, offset+length) lies inside the buffer. */
  has(offset: number, length: number): boolean {
    return Number.isSafeInteger(offset) && offset >= this.base && length >= 0 && offset + length <= this.base + this.buf.length
  }

  private need(offset: number, length: number, what: string): void {
    if (!this.has(offset, length)) {
      const where = this.base === 0 ? `past the end of the file (${this.buf.length} bytes)` : `outside its table (${this.buf.length} bytes at offset ${this.base})`
      throw new BinaryFormatError(`${what} at offset ${offset} (+${length}) lies ${where}`)
    }
  }

  u8(offset: number, what = 'byte'): number {
    this.need(offset, 1, what)
    return this.buf[offset - this.base]
  }

  u16(offset: number, what = 'u16'): number {
    this.need(offset, 2, what)
    const p = offset - this.base
    return this.littleEndian ? this.buf.readUInt16LE(p) : this.buf.readUInt16BE(p)
  }

  u32(offset: number, what = 'u32'): number {
    this.need(offset, 4, what)
    const p = offset - this.base
    return this.littleEndian ? this.buf.readUInt32LE(p) : this.buf.readUInt32BE(p)
  }

  /** 64-bit value as a number; values above 2^53 are clamped to Infinity so range checks fail safely. */
  u64(offset: number, what = 'u64'): number {
    this.need(offset, 8, what)
    const p = offset - this.base
    const v = this.littleEndian ? this.buf.readBigUInt64LE(p) : this.buf.readBigUInt64BE(p)
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(v)
  }

  /** Word of the image's size (4 or 8 bytes). */
  word(offset: number, bits: 32 | 64, what = 'word'): number {
    return bits === 64 ? this.u64(offset, what) : this.u32(offset, what)
  }

  /** NUL-terminated string starting at offset, read no further than limit (both file offsets). */
  cstring(offset: number, limit = this.base + this.buf.length): string {
    const end = Math.min(limit, this.base + this.buf.length) - this.base
    const p = offset - this.base
    if (!Number.isSafeInteger(p) || p < 0 || p >= end) {
      throw new BinaryFormatError(`string at offset ${offset} lies outside its table`)
    }
    let stop = this.buf.indexOf(0, p)
    if (stop < 0 || stop > end) stop = end
    return this.buf.toString('latin1', p, stop)
  }
}
