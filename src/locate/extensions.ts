import { CheckError } from '../check-error.js'
import type { Settings } from '../config/settings.js'
import { locateBinaries } from './locate.js'

/** The binaries to check; finding none stops the check, since there is nothing to inspect or load. */
export function locateExtensions(s: Settings, builtSince: number | null): string[] {
  const binaries = locateBinaries(s.workingDirectory, s.extensions, builtSince)
  if (binaries.length === 0) {
    const what = s.extensions.length ? `match ${s.extensions.join(', ')}` : builtSince !== null ? 'were written by the build' : 'exist'
    throw new CheckError(`Input 'extensions': no extension binaries ${what} under ${s.workingDirectory}. Set 'extensions' to a glob of the built .so/.dylib files, relative to working-directory.`)
  }
  return binaries
}
