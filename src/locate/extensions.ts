import type { BuildRecord } from '../build/build-record.js'
import { CheckError } from '../check-error.js'
import type { Settings } from '../config/settings.js'
import { linkedBinaries } from './linked.js'
import { locateBinaries } from './locate.js'

/**
 * The binaries to check: the `extensions` patterns when given, else what the
 * build's link records name, else the shared libraries the build wrote (by
 * modification time). Finding none stops the check, since there is nothing
 * to inspect or load.
 */
export function locateExtensions(s: Pick<Settings, 'workingDirectory' | 'extensions'>, record: BuildRecord | null): string[] {
  const linked = s.extensions.length === 0 && record ? linkedBinaries(s.workingDirectory, record) : []
  const binaries = linked.length ? linked : locateBinaries(s.workingDirectory, s.extensions, record?.startedAt ?? null)
  if (binaries.length === 0) {
    const what = s.extensions.length ? `match ${s.extensions.join(', ')}` : record !== null ? 'were written by the build' : 'exist'
    throw new CheckError(`Input 'extensions': no extension binaries ${what} under ${s.workingDirectory}. Set 'extensions' to a glob of the built .so/.dylib files, relative to working-directory.`)
  }
  return binaries
}
