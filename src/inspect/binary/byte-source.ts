import * as fs from 'node:fs'

/**
 * Random access to the bytes of one input, a Buffer or a file. Readers ask
 * for the few ranges they need (headers, symbol and string tables), so a
 * 120 MB library costs the size of its dynamic tables, not its size.
 */
export interface ByteSource {
  /** Size of the whole input in bytes. */
  readonly size: number
  /**
   * Bytes [offset, offset + length), cut to the end of the input: callers
   * compare the length they got with the one they asked for. Never more
   * than the input holds, whatever the arguments.
   */
  read(offset: number, length: number): Buffer
}

function clamp(size: number, offset: number, length: number): [number, number] {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= size || !(length > 0)) return [0, 0]
  return [offset, Math.min(size, offset + Math.min(length, size))]
}

/** A source over a Buffer already in memory; reads are zero-copy views. */
export class BufferSource implements ByteSource {
  constructor(readonly buf: Buffer) {}

  get size(): number {
    return this.buf.length
  }

  read(offset: number, length: number): Buffer {
    const [from, to] = clamp(this.buf.length, offset, length)
    return this.buf.subarray(from, to)
  }
}

/**
 * Bytes [offset, offset + size) of another source as a source of its own,
 * cut to the parent's end: one slice of a universal file, whose offsets
 * count from the slice's start.
 */
export class SliceSource implements ByteSource {
  readonly size: number

  constructor(
    private readonly parent: ByteSource,
    private readonly offset: number,
    size: number
  ) {
    this.size = offset >= 0 && offset < parent.size ? Math.min(size, parent.size - offset) : 0
  }

  read(offset: number, length: number): Buffer {
    const [from, to] = clamp(this.size, offset, length)
    return this.parent.read(this.offset + from, to - from)
  }
}

/** Ranges kept per file: the same string table is often asked for twice (libraries and symbols). */
const CACHED_RANGES = 8

/**
 * A source over an open file: each read is one positioned fs.readSync, so
 * only the ranges asked for are read. Close it when done.
 */
export class FileSource implements ByteSource {
  readonly size: number
  private readonly fd: number
  private readonly cache = new Map<string, Buffer>()

  constructor(file: string) {
    this.fd = fs.openSync(file, 'r')
    try {
      const st = fs.fstatSync(this.fd)
      if (!st.isFile()) throw new Error(`${file} is not a regular file`)
      this.size = st.size
    } catch (e) {
      fs.closeSync(this.fd)
      throw e
    }
  }

  read(offset: number, length: number): Buffer {
    const [from, to] = clamp(this.size, offset, length)
    const key = `${from}:${to}`
    const hit = this.cache.get(key)
    if (hit) return hit
    const buf = Buffer.allocUnsafe(to - from)
    let got = 0
    while (got < buf.length) {
      const n = fs.readSync(this.fd, buf, got, buf.length - got, from + got)
      if (n === 0) break // the file shrank under us: give what was there
      got += n
    }
    const out = got === buf.length ? buf : buf.subarray(0, got)
    if (this.cache.size >= CACHED_RANGES) this.cache.delete(this.cache.keys().next().value as string)
    this.cache.set(key, out)
    return out
  }

  close(): void {
    this.cache.clear()
    fs.closeSync(this.fd)
  }
}

/** Runs fn on a FileSource over file and closes it, whatever happens. */
export function withFile<T>(file: string, fn: (src: FileSource) => T): T {
  const src = new FileSource(file)
  try {
    return fn(src)
  } finally {
    src.close()
  }
}
