import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The action's root folder. This file sits one level below it both as
 * src/paths.ts (tests) and bundled into dist/*.js (runner, CLI).
 */
export function actionRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
}

/** harness.py ships as a plain file beside the bundle's sources. */
export function harnessPath(): string {
  return path.join(actionRoot(), 'src', 'measure', 'harness.py')
}

/** Built-in workloads ship beside the harness. */
export function presetPath(name: string): string {
  return path.join(actionRoot(), 'src', 'measure', 'presets', `${name}.py`)
}
