import { execFileSync } from 'node:child_process'
import * as os from 'node:os'
import * as path from 'node:path'

/** One torch the tests build and measure real extensions against. */
export interface Torch {
  /** Short label for test names: 'torch 1.13.0a0 (Debian)', 'torch 2.13.0+cpu (pip)'. */
  name: string
  /** torch.__version__ as that interpreter reports it. */
  version: string
  /** Interpreter that imports it. */
  python: string
  origin: 'debian' | 'pip'
}

/** Where scripts/setup-torch-venv.sh puts pip's torch; $TSC_VENV_ROOT moves it. */
export const PIP_TORCH_VERSION = '2.13.0'
export function pipTorchPython(): string {
  const root = process.env.TSC_VENV_ROOT ?? path.join(os.homedir(), '.cache', 'tsc-venvs')
  return path.join(root, `torch-${PIP_TORCH_VERSION}`, 'bin', 'python')
}

function probe(python: string): string {
  return execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 180_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

let found: Torch[] | null = null

/**
 * Both torches of the test matrix: Debian's python3-torch 1.13 and pip's
 * 2.13.0+cpu in the venv that .ci/run creates. Either one missing is a CI
 * setup error, never a skip: the tests that need it must run.
 */
export function torches(): Torch[] {
  if (found) return found
  const wanted: { python: string; origin: Torch['origin']; fix: string }[] = [
    { python: '/usr/bin/python3', origin: 'debian', fix: 'run scripts/setup-debian.sh (apt-get install python3-torch)' },
    { python: pipTorchPython(), origin: 'pip', fix: 'run scripts/setup-torch-venv.sh' }
  ]
  found = wanted.map(({ python, origin, fix }) => {
    let version: string
    try {
      version = probe(python)
    } catch (e) {
      throw new Error(`No ${origin} torch: '${python} -c "import torch"' failed (${(e as Error).message.split('\n')[0]}). This is a CI setup error: ${fix}.`)
    }
    return { name: `torch ${version} (${origin})`, version, python, origin }
  })
  return found
}

/** 'major.minor' of a torch version as a number pair compare. */
export function atLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split(/[.+a-z]/).map(Number)
  return a > major || (a === major && b >= minor)
}

/** The torches with the stable ABI (torch::stable::parallel_for, 2.10+). */
export function stableAbiTorches(): Torch[] {
  const out = torches().filter(t => atLeast(t.version, 2, 10))
  if (out.length === 0) throw new Error('No torch >= 2.10 among the test torches: run scripts/setup-torch-venv.sh')
  return out
}
