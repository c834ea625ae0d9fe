import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

/** The torch the CUDA tests build against: a CUDA build, made by scripts/setup-cuda-venv.sh. */
export const CUDA_TORCH = '2.14.1'

export interface CudaToolchain {
  /** Interpreter of the torch 2.14.1 (CUDA) environment. */
  python: string
  /** The CUDA toolkit folder holding bin/nvcc. */
  cudaHome: string
}

let found: CudaToolchain | null = null

/**
 * nvcc and the torch 2.14.1 CUDA build, or a setup error saying how to get
 * them: a missing torch or nvcc must fail the tests, never skip them.
 */
export function cudaToolchain(): CudaToolchain {
  if (found) return found
  const cudaHome = process.env.CUDA_HOME || '/usr/local/cuda'
  const nvcc = path.join(cudaHome, 'bin', 'nvcc')
  if (!fs.existsSync(nvcc)) throw new Error(`No nvcc at ${nvcc}. This is a CI setup error: install the CUDA toolkit or set CUDA_HOME (scripts/setup-cuda-venv.sh checks it).`)
  const python = process.env.TSC_CUDA_PYTHON || path.join(process.env.TSC_VENV_ROOT || path.join(os.homedir(), '.cache', 'tsc-venvs'), `torch-${CUDA_TORCH}`, 'bin', 'python')
  let version = ''
  try {
    version = execFileSync(python, ['-c', 'import torch; print(torch.__version__, torch.version.cuda)'], { encoding: 'utf8', timeout: 180_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim()
  } catch (e) {
    throw new Error(`${python} cannot import torch (${(e as Error).message.split('\n')[0]}). This is a CI setup error: run scripts/setup-cuda-venv.sh, or set TSC_CUDA_PYTHON.`)
  }
  const [torch, cuda] = version.split(' ')
  if (!torch.startsWith(CUDA_TORCH) || cuda === 'None') throw new Error(`${python} has torch ${torch} (CUDA ${cuda}); the CUDA tests need torch ${CUDA_TORCH}, a CUDA build. Run scripts/setup-cuda-venv.sh.`)
  found = { python, cudaHome }
  return found
}
