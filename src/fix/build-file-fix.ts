import * as fs from 'node:fs'
import * as path from 'node:path'
import { patchCMakeLists, patchSetupPy, type BuildFilePatch, type FixCompiler } from './remediation.js'
import type { PatchParts } from './setup-py-patch.js'

/** Each build file we can patch, in the order we try them: setup.py first, since torch extensions mostly build through it. */
const PATCHERS: readonly [string, (text: string, rel: string, platform: string, compiler: FixCompiler, parts: PatchParts) => BuildFilePatch | null][] = [
  ['setup.py', (text, rel, platform, compiler, parts) => patchSetupPy(text, platform, compiler, rel, parts)],
  ['CMakeLists.txt', (text, rel, platform, compiler) => patchCMakeLists(text, platform, compiler, rel)]
]

/**
 * The patch for the first build file in `dir` that one of the patchers can
 * change, with its path relative to the repository root `root`; null when none can.
 */
export function patchBuildFile(dir: string, root: string, platform: string, compiler: FixCompiler, parts: PatchParts): { file: string; diff: string; note: string } | null {
  for (const [file, patch] of PATCHERS) {
    const full = path.join(dir, file)
    if (!fs.existsSync(full)) continue
    const rel = path.relative(root, full).split(path.sep).join('/')
    const p = patch(fs.readFileSync(full, 'utf8'), rel, platform, compiler, parts)
    if (p) return { file: rel, diff: p.diff, note: p.note }
  }
  return null
}
