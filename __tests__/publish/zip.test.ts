/** The artifact zip reader: real archives in, plain files out, and every hostile trick refused. */
import { describe, expect, it } from '@jest/globals'
import * as zlib from 'node:zlib'
import { makeZip } from '../../__fixtures__/zip.js'
import { isSafeName, readZip, ZipError } from '../../src/publish/zip.js'

const LIMITS = { maxEntries: 10, maxEntryBytes: 1024 * 1024, maxTotalBytes: 2 * 1024 * 1024 }
const json = (n: string): boolean => n.endsWith('.json')
const read = (zip: Buffer, limits = LIMITS) => readZip(zip, json, limits)

describe('readZip', () => {
  it('reads deflated and stored files, in order, and only those accepted', () => {
    const big = JSON.stringify({ data: 'x'.repeat(50_000) })
    const files = read(makeZip([{ name: 'report.json', data: big }, { name: 'notes.txt', data: 'skip me' }, { name: 'sub/other.json', data: '{}', method: 0 }]))
    expect(files.map(f => f.name)).toEqual(['report.json', 'sub/other.json'])
    expect(files[0].data.toString()).toBe(big)
    expect(files[1].data.toString()).toBe('{}')
  })

  it('skips directory entries', () => {
    expect(read(makeZip([{ name: 'dir/', data: '', method: 0, mode: 0o040755 }, { name: 'dir/a.json', data: '1' }])).map(f => f.name)).toEqual(['dir/a.json'])
  })

  it.each(['../escape.json', 'a/../../escape.json', '/etc/passwd.json', 'C:/x.json', 'a\\..\\b.json', 'a//b.json', './a.json'])('refuses the unsafe name %s', name => {
    expect(() => read(makeZip([{ name, data: '{}' }]))).toThrow(/unsafe entry name/)
  })

  it('refuses a symlink, even to a harmless-looking name', () => {
    expect(() => read(makeZip([{ name: 'report.json', data: '/etc/shadow', mode: 0o120777 }]))).toThrow(/not a regular file/)
  })

  it('stops a zip bomb whose directory understates the size', () => {
    const bomb = Buffer.alloc(5 * 1024 * 1024, 0x20)
    expect(() => read(makeZip([{ name: 'bomb.json', data: bomb, claimedSize: 1000 }]))).toThrow(ZipError)
  })

  it('refuses a file over the size limit before inflating it', () => {
    expect(() => read(makeZip([{ name: 'big.json', data: Buffer.alloc(2 * 1024 * 1024) }]))).toThrow(/over the size limit/)
  })

  it('refuses more entries than the limit', () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.json`, data: '{}' }))
    expect(() => read(makeZip(many))).toThrow(/11 entries/)
  })

  it('refuses corrupt data (CRC) and things that are not zips', () => {
    const zip = makeZip([{ name: 'a.json', data: 'hello hello hello', method: 0 }])
    const corrupt = Buffer.from(zip)
    corrupt[30 + 'a.json'.length] ^= 0xff
    expect(() => read(corrupt)).toThrow(/CRC/)
    expect(() => read(Buffer.from('PK not really'))).toThrow(/not a zip/)
    expect(() => read(zlib.gzipSync('{}'))).toThrow(/not a zip/)
  })

  it('keeps only safe relative names', () => {
    expect(isSafeName('thread-scaling-report/report.json')).toBe(true)
    expect(isSafeName('a\0b')).toBe(false)
  })
})
