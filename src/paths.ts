import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The action's root folder: the first folder above this module that holds
 * package.json. This code runs as src/paths.ts (tests), in dist/*.js, or in a
 * split chunk under dist/chunks/ (runner, CLI): the depth differs.
 */
export function actionRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let up = 0; up < 4 && !fs.existsSync(path.join(dir, 'package.json')); up++) dir = path.dirname(dir)
  return dir
}

/** harness.py ships as a plain file beside the bundle's sources. */
export function harnessPath(): string {
  return path.join(actionRoot(), 'src', 'measure', 'harness.py')
}

/** Built-in workloads ship beside the harness. */
export function presetPath(name: string): string {
  return path.join(actionRoot(), 'src', 'measure', 'presets', `${name}.py`)
}

/** The parallel-region counter ships as C source beside the harness and is compiled on the runner. */
export function countSourcePath(): string {
  return path.join(actionRoot(), 'src', 'measure', 'count_regions.c')
}

/** The file's real path (links resolved), or null when it doesn't exist. */
export function realPath(p: string): string | null {
  try {
    return fs.realpathSync(p)
  } catch {
    return null
  }
}
