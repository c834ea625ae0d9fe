import * as fs from 'node:fs'
import * as path from 'node:path'
import { linkedSources, sharedLibraryLinks, type BuildRecord } from '../build/build-record.js'
import type { LinkEntry } from '../build/compile-db.js'
import { realPath } from '../paths.js'
import { digest } from '../locate/locate.js'
import type { BinarySources } from './compile-map.js'


/** The recorded link that wrote `binary` (absolute): its own output, or one whose output has the same content (an --inplace copy). */
export function recordedLink(record: BuildRecord | null, binary: string): { link: LinkEntry; copied: boolean } | null {
  if (!record) return null
  const links = sharedLibraryLinks(record)
  const self = realPath(binary) ?? binary
  const own = links.find(l => l.output === binary || realPath(l.output) === self)
  if (own) return { link: own, copied: false }
  const size = fs.statSync(binary, { throwIfNoEntry: false })?.size
  if (size === undefined) return null
  const sameSize = links.filter(l => fs.statSync(l.output, { throwIfNoEntry: false })?.size === size)
  if (sameSize.length === 0) return null
  try {
    const content = digest(binary)
    const copy = sameSize.find(l => digest(l.output) === content)
    return copy ? { link: copy, copied: true } : null
  } catch {
    return null // unreadable: inspecting it already says so
  }
}

/**
 * The sources of `binary` from the record's link and compile entries. Null
 * when the record has no link for it; `sources` null when some object on
 * the link was compiled by no recorded command (another source may know).
 */
export function recordedSources(record: BuildRecord | null, binary: string, cwd: string): BinarySources | null {
  const found = recordedLink(record, binary)
  if (!record || !found) return null
  const rel = (p: string): string => path.relative(cwd, p) || p
  const { sources, untraced } = linkedSources(record, found.link)
  const how = `recorded link of ${rel(found.link.output)}${found.copied ? `, copied to ${rel(binary)}` : ''}`
  if (sources === null) return { binary, sources: null, how: `${how}: objects compiled by no recorded command: ${untraced.map(o => path.basename(o)).join(', ')}` }
  return { binary, sources, how }
}
