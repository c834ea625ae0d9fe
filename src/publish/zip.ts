import * as zlib from 'node:zlib'

/**
 * A small reader for the zip files GitHub serves for workflow artifacts.
 * Artifacts from a fork's run are untrusted, so every size is bounded
 * before anything is inflated, and only plain files with plain relative
 * names come out. Nothing is written to disk: callers get the bytes.
 *
 * Written here rather than taken from npm: the artifact zips hold a few
 * small JSON files, and the reader needs exactly stored/deflated entries
 * from the central directory (with zip64 sizes), which node:zlib covers.
 */

export interface ZipLimits {
  /** Most entries the central directory may list (directories included). */
  maxEntries: number
  /** Largest uncompressed size of one accepted file. */
  maxEntryBytes: number
  /** Largest uncompressed size of all accepted files together. */
  maxTotalBytes: number
}

export interface ZipFile {
  /** Relative path inside the archive, '/'-separated. */
  name: string
  data: Buffer
}

export class ZipError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ZipError'
  }
}

const EOCD = 0x06054b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
const ZIP64_EXTRA = 0x0001
const UNIX_HOST = 3
const S_IFMT = 0o170000
const S_IFREG = 0o100000

interface CentralEntry {
  name: string
  method: number
  flags: number
  crc: number
  compressedSize: number
  size: number
  localOffset: number
  unixMode: number | null
}

/** The End Of Central Directory record sits in the last 22 bytes plus a comment of at most 65535. */
function findEocd(buf: Buffer): number {
  const stop = Math.max(0, buf.length - 22 - 0xffff)
  for (let i = buf.length - 22; i >= stop; i--) {
    if (buf.readUInt32LE(i) === EOCD && i + 22 + buf.readUInt16LE(i + 20) === buf.length) return i
  }
  throw new ZipError('not a zip file (no end of central directory record)')
}

/** Replaces 0xFFFFFFFF sizes and offsets with the 64-bit values in the zip64 extra field, in their fixed order. */
function applyZip64(e: CentralEntry, extra: Buffer): void {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p)
    const len = extra.readUInt16LE(p + 2)
    if (id === ZIP64_EXTRA) {
      let q = p + 4
      const next = (): number => {
        if (q + 8 > p + 4 + len) throw new ZipError(`${e.name}: truncated zip64 field`)
        const v = Number(extra.readBigUInt64LE(q))
        q += 8
        return v
      }
      if (e.size === 0xffffffff) e.size = next()
      if (e.compressedSize === 0xffffffff) e.compressedSize = next()
      if (e.localOffset === 0xffffffff) e.localOffset = next()
      return
    }
    p += 4 + len
  }
}

function centralDirectory(buf: Buffer, limits: ZipLimits): CentralEntry[] {
  const eocd = findEocd(buf)
  const count = buf.readUInt16LE(eocd + 10)
  const offset = buf.readUInt32LE(eocd + 16)
  if (count === 0xffff || offset === 0xffffffff) throw new ZipError('zip64 archives this large are not accepted')
  if (count > limits.maxEntries) throw new ZipError(`${count} entries, more than the ${limits.maxEntries} accepted`)
  const entries: CentralEntry[] = []
  let p = offset
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw new ZipError('corrupt central directory')
    const nameLen = buf.readUInt16LE(p + 28)
    const extraLen = buf.readUInt16LE(p + 30)
    const commentLen = buf.readUInt16LE(p + 32)
    if (p + 46 + nameLen + extraLen + commentLen > buf.length) throw new ZipError('corrupt central directory')
    const host = buf.readUInt8(p + 5)
    const external = buf.readUInt32LE(p + 38)
    const e: CentralEntry = {
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
      flags: buf.readUInt16LE(p + 8),
      method: buf.readUInt16LE(p + 10),
      crc: buf.readUInt32LE(p + 16),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      localOffset: buf.readUInt32LE(p + 42),
      unixMode: host === UNIX_HOST ? external >>> 16 : null
    }
    applyZip64(e, buf.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen))
    entries.push(e)
    p += 46 + nameLen + extraLen + commentLen
  }
  return entries
}

/** A name we would accept as a relative file path: no traversal, no absolute or drive paths, no backslashes. */
export function isSafeName(name: string): boolean {
  if (!name || name.length > 512 || /[\0\\]/.test(name) || name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return false
  return name.split('/').every(part => part !== '..' && part !== '.' && part !== '')
}

function extract(buf: Buffer, e: CentralEntry, room: number): Buffer {
  if (e.flags & 1) throw new ZipError(`${e.name}: encrypted entries are not accepted`)
  if (e.method !== 0 && e.method !== 8) throw new ZipError(`${e.name}: compression method ${e.method} is not supported`)
  if (e.size > room) throw new ZipError(`${e.name}: ${e.size} bytes uncompressed, over the size limit`)
  const p = e.localOffset
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== LOCAL) throw new ZipError(`${e.name}: corrupt local header`)
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28)
  if (start + e.compressedSize > buf.length) throw new ZipError(`${e.name}: data runs past the end of the archive`)
  const raw = buf.subarray(start, start + e.compressedSize)
  let data: Buffer
  if (e.method === 0) data = Buffer.from(raw)
  else {
    try {
      // maxOutputLength stops a zip bomb whose central directory lies about its size.
      data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, e.size) })
    } catch (err) {
      throw new ZipError(`${e.name}: cannot inflate (${(err as Error).message})`)
    }
  }
  if (data.length !== e.size) throw new ZipError(`${e.name}: ${data.length} bytes, the directory says ${e.size}`)
  if (zlib.crc32(data) >>> 0 !== e.crc >>> 0) throw new ZipError(`${e.name}: CRC mismatch`)
  return data
}

/**
 * The regular files whose names `accept` takes, in archive order. Directory
 * entries are skipped; a symlink, device or unsafe name is an error, as is
 * anything over the limits.
 */
export function readZip(buf: Buffer, accept: (name: string) => boolean, limits: ZipLimits): ZipFile[] {
  const files: ZipFile[] = []
  let total = 0
  for (const e of centralDirectory(buf, limits)) {
    if (!isSafeName(e.name.replace(/\/$/, ''))) throw new ZipError(`unsafe entry name ${JSON.stringify(e.name.slice(0, 100))}`)
    const type = e.unixMode === null || e.unixMode === 0 ? null : e.unixMode & S_IFMT
    if (e.name.endsWith('/') || type === 0o040000) continue
    if (type !== null && type !== S_IFREG) throw new ZipError(`${e.name}: not a regular file (mode ${type.toString(8)})`)
    if (!accept(e.name)) continue
    const data = extract(buf, e, Math.min(limits.maxEntryBytes, limits.maxTotalBytes - total))
    total += data.length
    files.push({ name: e.name, data })
  }
  return files
}
