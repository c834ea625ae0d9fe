import * as fs from 'node:fs'
import * as path from 'node:path'
import { scanSource, type SourceHit } from './scan.js'

const MAX_SOURCE_BYTES = 4 * 1024 * 1024

/** Scans source files for parallel constructs; unreadable or huge files are skipped. */
export function scanSources(files: readonly string[]): SourceHit[] {
  const hits: SourceHit[] = []
  for (const f of files) {
    const st = fs.statSync(f, { throwIfNoEntry: false })
    if (!st || st.size > MAX_SOURCE_BYTES) continue
    hits.push(...scanSource(f, fs.readFileSync(f, 'utf8')))
  }
  return hits
}

/** The parallel constructs in the given files, with paths relative to the working directory, as the report gives them. */
export function scanRelative(files: readonly string[], cwd: string): SourceHit[] {
  return scanSources(files).map(h => ({ ...h, file: path.relative(cwd, h.file) }))
}
