import * as fs from 'node:fs'
import * as path from 'node:path'

/** Why a file of ours could not be written; the message names the path. */
export class OwnFileError extends Error {
  constructor(
    readonly file: string,
    message: string
  ) {
    super(message)
    this.name = 'OwnFileError'
  }
}

export interface OwnFileOptions {
  /** True when the text of the file already there is one we wrote (so it may be replaced). */
  isOurs: (existing: string) => boolean
  /** What the file is, for messages: 'a thread-scaling-check report'. */
  what: string
  /** Writes all of the text to an open descriptor; a stub in tests (a full disk). */
  writeAll?: (fd: number, text: string) => void
}

/**
 * Writes one of our files (the report, the leg file) without ever following
 * a symbolic link and without replacing a file that isn't ours: a link or
 * anything other than a regular file at the path is refused, an existing
 * file must read as ours (it is opened with O_NOFOLLOW), and the text goes
 * to a new file created exclusively beside it, renamed over the path at the
 * end. rename() replaces the directory entry itself, so even a link put there
 * meanwhile is replaced, not followed, and a failed write (a full disk)
 * leaves the old file as it was.
 */
export function writeOwnFile(file: string, text: string, opts: OwnFileOptions): void {
  const fail = (why: string): never => {
    throw new OwnFileError(file, `${file} ${why}`)
  }
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true })
  } catch (e) {
    fail(`could not be written: its folder could not be made (${(e as Error).message})`)
  }
  const st = fs.lstatSync(file, { throwIfNoEntry: false })
  if (st?.isSymbolicLink()) fail(`is a symbolic link; it was left untouched. Give a path that is not a link.`)
  if (st && !st.isFile()) fail(`exists and is not a regular file; it was left untouched.`)
  // A file far larger than any report we write is not ours; don't read it to find out.
  if (st && (st.size > MAX_OURS || !opts.isOurs(readNoFollow(file, fail)))) fail(`exists and is not ${opts.what}; it was left untouched. Choose another path.`)

  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`)
  let fd: number | null = null
  try {
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW, 0o644)
    ;(opts.writeAll ?? ((d, t) => fs.writeFileSync(d, t)))(fd, text)
    fs.closeSync(fd)
    fd = null
    fs.renameSync(tmp, file)
  } catch (e) {
    if (fd !== null) fs.closeSync(fd)
    fs.rmSync(tmp, { force: true })
    const err = e as NodeJS.ErrnoException
    fail(`could not be written: ${err.code === 'ENOSPC' ? 'the disk is full' : err.code === 'EDQUOT' ? 'the disk quota is used up' : err.message}.`)
  }
}

const MAX_OURS = 64 << 20

/** O_NOFOLLOW where the platform has it (not on Windows, where lstat above already refused links). */
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0

function readNoFollow(file: string, fail: (why: string) => never): string {
  let fd: number
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | NOFOLLOW)
  } catch (e) {
    return fail(`could not be read to check it is ours: ${(e as Error).message}`)
  }
  try {
    return fs.readFileSync(fd, 'utf8')
  } finally {
    fs.closeSync(fd)
  }
}
