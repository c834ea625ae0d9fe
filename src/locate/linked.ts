import * as fs from 'node:fs'
import { sharedLibraryLinks, type BuildRecord } from '../build/build-record.js'
import { realPath } from '../paths.js'
import { globFiles } from './glob.js'
import { digest, onePerContent, SHARED_LIBRARIES } from './locate.js'


/**
 * The binaries the build's link records name: the shared libraries it
 * linked that are still there, each found in the tree as the output itself
 * or as a copy of it with the same content (setuptools' --inplace and
 * build_ext copy build/lib*); one file per content, the copy outside build/
 * first. Empty when the record names none that exists: globs decide then.
 */
export function linkedBinaries(cwd: string, record: BuildRecord): string[] {
  const outputs = sharedLibraryLinks(record).flatMap(l => {
    const r = realPath(l.output)
    const size = r === null ? undefined : fs.statSync(r, { throwIfNoEntry: false })?.size
    return r !== null && size !== undefined ? [{ real: r, size }] : []
  })
  if (outputs.length === 0) return []
  const reals = new Set(outputs.map(o => o.real))
  const sizes = new Set(outputs.map(o => o.size))
  let digests: Set<string> | null = null
  const copyOfOutput = (f: string): boolean => {
    if (!sizes.has(fs.statSync(f).size)) return false
    digests ??= new Set(outputs.map(o => digest(o.real)))
    return digests.has(digest(f))
  }
  const found = globFiles(cwd, SHARED_LIBRARIES).filter(f => reals.has(realPath(f) ?? f) || copyOfOutput(f))
  return onePerContent(cwd, found)
}
