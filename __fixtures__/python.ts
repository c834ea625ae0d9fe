import { execFileSync } from 'node:child_process'

let found: string | null = null

/**
 * The interpreter that has torch. On Debian that is /usr/bin/python3, not the
 * pyenv python3 first on PATH. A machine without one is a setup error, never
 * a reason to skip: the tests that need torch must run.
 */
export function torchPython(): string {
  if (found) return found
  const candidates = [process.env.TORCH_PYTHON, '/usr/bin/python3', 'python3', 'python'].filter((c): c is string => !!c)
  for (const c of candidates) {
    try {
      execFileSync(c, ['-c', 'import torch'], { stdio: 'ignore', timeout: 120_000 })
      found = c
      return c
    } catch {
      // try the next one
    }
  }
  throw new Error(`No Python interpreter with torch among ${candidates.join(', ')}. This is a CI setup error: install python3-torch (Debian) or set TORCH_PYTHON.`)
}
