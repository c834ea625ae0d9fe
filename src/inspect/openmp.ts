import type { BinaryImage } from './binary-types.js'

/** Family of an OpenMP runtime, by library name. */
export type RuntimeFamily = 'gnu' | 'llvm' | 'intel' | 'msvc' | 'torch-bundled-gnu'

export interface LinkedRuntime {
  /** Library name as recorded in the binary. */
  library: string
  family: RuntimeFamily
}

/** What one binary image says about OpenMP. */
export interface OpenMPEvidence {
  /** True when the image imports an OpenMP fork entry: parallel regions were compiled in. */
  parallel: boolean
  /** Fork entries imported (names as in the binary). */
  forkImports: string[]
  /** Every OpenMP symbol imported (fork entries, omp_* API, GOMP_*, __kmpc_*). */
  imports: string[]
  /** OpenMP runtimes the image links. */
  runtimes: LinkedRuntime[]
  /** Outlined parallel-region functions in the symbol table (empty when stripped). */
  outlinedRegions: string[]
}

// Entries that start a team of threads; everything else in the runtime API
// (omp_get_thread_num, barriers, locks) can be imported by serial code.
const FORK_ENTRY = /^(GOMP_parallel(?:_start|_loop_\w+|_sections\w*|_reductions)?|GOMP_teams\w*|__kmpc_fork_call|__kmpc_fork_teams|__kmpc_fork_call_if|_vcomp_fork)$/
const OPENMP_SYMBOL = /^(GOMP_\w+|__kmpc_\w+|omp_\w+|kmp_\w+|_vcomp_\w+|ompt_\w+)$/
const OUTLINED = /(\._omp_fn\.\d+|omp_outlined)/

/** Mach-O prefixes every C name with '_'; ELF and PE do not. */
export function cName(name: string, format: BinaryImage['format']): string {
  return format === 'macho' && name.startsWith('_') ? name.slice(1) : name
}

export function runtimeFamily(library: string): RuntimeFamily | null {
  const base = library.split(/[\\/]/).pop() ?? library
  if (/^libgomp-[0-9a-f]{6,}\.so/.test(base)) return 'torch-bundled-gnu'
  if (/^libgomp(\.\d+)*\.(so|dylib)|^libgomp\.so/.test(base)) return 'gnu'
  if (/^libiomp5(md)?\.(so|dylib|dll)/.test(base)) return 'intel'
  if (/^libomp(140\.\w+)?(\.\d+)*\.(so|dylib|dll)/.test(base) || /^libomp\.so/.test(base)) return 'llvm'
  if (/^vcomp\d*d?\.dll$/i.test(base)) return 'msvc'
  return null
}

/** Keep-test for the readers: outlined OpenMP regions are the only defined symbols we need. */
export const isOutlinedRegion = (name: string): boolean => OUTLINED.test(name)

export function openmpEvidence(image: BinaryImage): OpenMPEvidence {
  const imports = image.imports.map(s => s.name).filter(n => OPENMP_SYMBOL.test(cName(n, image.format)))
  const forkImports = imports.filter(n => FORK_ENTRY.test(cName(n, image.format)))
  const runtimes: LinkedRuntime[] = []
  for (const library of image.libraries) {
    const family = runtimeFamily(library)
    if (family) runtimes.push({ library, family })
  }
  return {
    parallel: forkImports.length > 0,
    forkImports: [...new Set(forkImports)].sort(),
    imports: [...new Set(imports)].sort(),
    runtimes,
    outlinedRegions: image.defined.filter(isOutlinedRegion)
  }
}
