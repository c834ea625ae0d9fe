/**
 * The report and the leg file are written without following a symbolic link
 * and never over a file that isn't ours; a full disk ends in one message
 * that names the path.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { OwnFileError, writeOwnFile } from '../../src/report/own-file.js'

const OURS = '{"schema":"ours"}\n'
const opts = { isOurs: (t: string) => t.includes('"schema":"ours"'), what: 'one of our files' }
let dir = ''
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-own-file-'))
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

const errorOf = (f: () => void): OwnFileError => {
  try {
    f()
  } catch (e) {
    return e as OwnFileError
  }
  throw new Error('no error')
}

describe('writeOwnFile', () => {
  it('writes a new file, folders included, and replaces one of ours', () => {
    const file = path.join(dir, 'out', 'report.json')
    writeOwnFile(file, OURS, opts)
    writeOwnFile(file, '{"schema":"ours","n":2}\n', opts)
    expect(fs.readFileSync(file, 'utf8')).toBe('{"schema":"ours","n":2}\n')
    expect(fs.readdirSync(path.dirname(file))).toEqual(['report.json'])
  })

  it('does not follow a dangling symlink out of the workspace', () => {
    const outside = path.join(dir, 'outside', 'target.json')
    fs.mkdirSync(path.dirname(outside))
    const file = path.join(dir, 'ws', 'report.json')
    fs.mkdirSync(path.dirname(file))
    fs.symlinkSync(outside, file)
    const e = errorOf(() => writeOwnFile(file, OURS, opts))
    expect(e).toBeInstanceOf(OwnFileError)
    expect(e.message).toBe(`${file} is a symbolic link; it was left untouched. Give a path that is not a link.`)
    expect(fs.existsSync(outside)).toBe(false)
  })

  it('does not follow a symlink to one of our own files either', () => {
    const real = path.join(dir, 'real.json')
    fs.writeFileSync(real, OURS)
    const file = path.join(dir, 'link.json')
    fs.symlinkSync(real, file)
    expect(() => writeOwnFile(file, '{"schema":"ours","n":3}', opts)).toThrow(/is a symbolic link/)
    expect(fs.readFileSync(real, 'utf8')).toBe(OURS)
  })

  it('leaves a file that is not ours untouched', () => {
    const file = path.join(dir, 'notes.json')
    fs.writeFileSync(file, 'precious')
    expect(() => writeOwnFile(file, OURS, opts)).toThrow(`${file} exists and is not one of our files; it was left untouched. Choose another path.`)
    expect(fs.readFileSync(file, 'utf8')).toBe('precious')
  })

  it('a full disk: one message naming the path, the old file kept, no temporary left', () => {
    const file = path.join(dir, 'report.json')
    fs.writeFileSync(file, OURS)
    const full = (): void => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    }
    const e = errorOf(() => writeOwnFile(file, '{"schema":"ours","n":4}', { ...opts, writeAll: full }))
    expect(e.message).toBe(`${file} could not be written: the disk is full.`)
    expect(fs.readFileSync(file, 'utf8')).toBe(OURS)
    expect(fs.readdirSync(dir)).toEqual(['report.json'])
  })

  it('a real ENOSPC from /dev/full reaches the same message', () => {
    const file = path.join(dir, 'report.json')
    const toDevFull = (_fd: number, text: string): void => {
      const fd = fs.openSync('/dev/full', 'w')
      try {
        fs.writeFileSync(fd, text)
      } finally {
        fs.closeSync(fd)
      }
    }
    expect(() => writeOwnFile(file, OURS, { ...opts, writeAll: toDevFull })).toThrow(`${file} could not be written: the disk is full.`)
    expect(fs.existsSync(file)).toBe(false)
  })
})
