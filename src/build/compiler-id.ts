/** Which compiler a path is, from what it says about itself. */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { FixCompiler } from '../fix/remediation.js'
import { userEnv } from '../process/user-env.js'

/** Compiler families whose OpenMP flags differ: the ones fix/ has flags for, and nvcc, which passes host code on to a host compiler (see flags.ts). */
export type CompilerFamily = FixCompiler | 'nvcc'

/** The family whose flags a fix uses: nvcc's host compiler isn't known here, so it gets the default flags, as 'unknown' does. */
export function fixCompiler(family: CompilerFamily): FixCompiler {
  return family === 'nvcc' ? 'unknown' : family
}

export interface CompilerInfo {
  /** The path as run. */
  path: string
  family: CompilerFamily
  /** First line of `--version` (empty when it printed nothing). */
  version: string
}

/** Family from a `--version` banner (pure). */
export function familyFromVersion(banner: string): CompilerFamily {
  if (/NVIDIA \(R\) Cuda compiler driver|Cuda compilation tools/i.test(banner)) return 'nvcc'
  if (/Apple (LLVM|clang)/i.test(banner)) return 'apple-clang'
  if (/clang/i.test(banner)) return 'clang'
  if (/Microsoft.*C\/C\+\+|\bcl\.exe\b/i.test(banner)) return 'msvc'
  if (/(^|[^\w+])(gcc|g\+\+|GCC)(?![\w+])|Free Software Foundation/.test(banner)) return 'gcc'
  return 'unknown'
}

/** Family from a compiler's file name alone, for when it can't be run (pure). */
export function familyFromName(file: string, platform: string = process.platform): CompilerFamily {
  const base = path.basename(file).replace(/\.exe$/i, '')
  if (base === 'nvcc') return 'nvcc'
  if (/clang/.test(base)) return platform === 'darwin' ? 'apple-clang' : 'clang'
  if (/^(cl|clang-cl)$/i.test(base)) return 'msvc'
  if (/(^|-)(gcc|g\+\+)(-[\d.]+)?$/.test(base)) return 'gcc'
  if (/^(cc|c\+\+)$/.test(base)) return platform === 'darwin' ? 'apple-clang' : 'gcc'
  return 'unknown'
}

/** Runs `<compiler> --version` and classifies it; never throws (an unrunnable compiler is 'unknown'). */
export function identifyCompiler(compiler: string, env: NodeJS.ProcessEnv = process.env): Promise<CompilerInfo> {
  return new Promise(resolve => {
    execFile(compiler, ['--version'], { env: { ...userEnv(env), LC_ALL: 'C' }, timeout: 30_000 }, (err, stdout, stderr) => {
      const version = `${stdout}\n${stderr}`.split('\n').map(l => l.trim()).find(l => l.length > 0) ?? ''
      const family = err && !version ? familyFromName(compiler) : familyFromVersion(`${stdout}\n${stderr}`)
      resolve({ path: compiler, family: family === 'unknown' ? familyFromName(compiler) : family, version })
    })
  })
}

/** Finds an executable on PATH (or checks a path); null when absent. `skip` rejects candidates (e.g. ccache's masquerade links). */
export function which(name: string, env: NodeJS.ProcessEnv = process.env, skip: (resolved: string) => boolean = () => false): string | null {
  const isExe = (p: string): boolean => {
    try {
      fs.accessSync(p, fs.constants.X_OK)
      return fs.statSync(p).isFile()
    } catch {
      return false
    }
  }
  if (name.includes('/') || name.includes('\\')) return isExe(name) && !skip(path.resolve(name)) ? path.resolve(name) : null
  const exts = process.platform === 'win32' ? ['', '.exe', '.cmd', '.bat'] : ['']
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const ext of exts) {
      const p = path.join(dir, name + ext)
      if (isExe(p) && !skip(p)) return p
    }
  }
  return null
}
