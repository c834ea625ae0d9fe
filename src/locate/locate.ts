import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { globFiles } from './glob.js'

export const SHARED_LIBRARIES = ['**/*.{so,dylib,pyd}']
const C_SOURCES = ['**/*.{c,cc,cpp,cxx,c++,h,hh,hpp,hxx,cu,cuh,inl}']

/** A file's sha256: identical binaries are one binary. */
export function digest(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

/**
 * The extension binaries to inspect. Without patterns: the shared libraries
 * written since the build started (all of them when it wrote none). setuptools' --inplace copies build/lib*
 * into the tree, so identical files are kept once, preferring the copy
 * outside build/ (the one Python imports).
 */
export function locateBinaries(cwd: string, patterns: readonly string[], builtSince: number | null): string[] {
  let files = globFiles(cwd, patterns.length ? patterns : SHARED_LIBRARIES)
  if (!patterns.length && builtSince !== null) {
    const fresh = files.filter(f => fs.statSync(f).mtimeMs >= builtSince - 2000)
    // An up-to-date build writes nothing; then its earlier output is what Python imports.
    if (fresh.length) files = fresh
  }
  return onePerContent(cwd, files)
}

/** Identical files kept once, preferring the copy outside build/ (the one Python imports); sorted that way. */
export function onePerContent(cwd: string, files: readonly string[]): string[] {
  const underBuild = (f: string): boolean => path.relative(cwd, f).split(path.sep).includes('build')
  const sorted = [...files].sort((a, b) => Number(underBuild(a)) - Number(underBuild(b)) || a.localeCompare(b))
  const seen = new Set<string>()
  return sorted.filter(f => {
    const d = digest(f)
    if (seen.has(d)) return false
    seen.add(d)
    return true
  })
}

/** C/C++ sources to scan. Without patterns: every C/C++ file outside build output. */
export function locateSources(cwd: string, patterns: readonly string[]): string[] {
  return globFiles(cwd, patterns.length ? patterns : [...C_SOURCES, '!build/**'])
}
