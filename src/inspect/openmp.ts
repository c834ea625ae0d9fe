import type { BinaryImage, ImportedSymbol } from './binary/binary-types.js'

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
  /** Where the OpenMP imports will be found at load time; null when the image imports none. */
  resolution: Resolution | null
  /**
   * Parallel entries of libtorch's stable C shim the image imports
   * (torch_parallel_for): torch::stable::parallel_for (torch 2.10+) runs its
   * team inside libtorch, so such a binary is parallel with no OpenMP of its own.
   */
  libtorchParallel: string[]
}

/**
 * How the loader will find an image's OpenMP imports. Whether the image
 * *links* a runtime says nothing about whether it is parallel (`parallel`
 * says that); it says which runtime its parallel regions will run on.
 */
export interface Resolution {
  /**
   * - 'linked-runtime': a runtime among the image's own libraries provides them.
   * - 'linked-library': bound (Mach-O two-level) to a library that is not a known runtime.
   * - 'process': no runtime linked (ELF): whatever the process loaded first, in a
   *   torch extension libtorch_cpu's runtime.
   * - 'dynamic-lookup': Mach-O `-undefined dynamic_lookup`: searched in every loaded image.
   * - 'flat-namespace': Mach-O image linked without two-level namespaces: the first
   *   loaded image that exports the name wins, even when the image links a runtime.
   */
  via: 'linked-runtime' | 'linked-library' | 'process' | 'dynamic-lookup' | 'flat-namespace'
  /** The library the imports are bound to ('linked-runtime', 'linked-library'). */
  library?: string
  family?: RuntimeFamily
  /** The same for people: "linked runtime libgomp.so.1", "dynamic lookup", ... */
  text: string
}

// Entries that start a team of threads; everything else in the runtime API
// (omp_get_thread_num, barriers, locks) can be imported by serial code.
const FORK_ENTRY = /^(GOMP_parallel(?:_start|_loop_\w+|_sections\w*|_reductions)?|GOMP_teams\w*|__kmpc_fork_call|__kmpc_fork_teams|__kmpc_fork_call_if|_vcomp_fork)$/
const OPENMP_SYMBOL = /^(GOMP_\w+|__kmpc_\w+|omp_\w+|kmp_\w+|_vcomp_\w+|ompt_\w+)$/
const OUTLINED = /(\._omp_fn\.\d+|omp_outlined)/
// The stable ABI's shim (torch/csrc/stable/c/shim.h): torch_parallel_for
// starts libtorch's team. torch_get_num_threads and friends only ask.
const LIBTORCH_PARALLEL = /^(torch_parallel_for|torch_parallel_reduce\w*|aoti_torch_parallel_for)$/

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

/**
 * Every name isOutlinedRegion accepts contains one of these. Exact, not just
 * 'omp_': libtorch_cpu has thousands of names with 'omp_' in them (decomp_,
 * ...), and each one decoded cost time on the 434 MB file.
 */
export const OUTLINED_REGION_HINT: readonly string[] = ['._omp_fn.', 'omp_outlined']

const PROCESS_TEXT = "through the process (e.g. libtorch's OpenMP runtime)"

/**
 * Where the OpenMP imports resolve. The fork entries decide when there are
 * any (they are what runs the team); otherwise any OpenMP import does.
 */
function resolve(image: BinaryImage, openmpImports: ImportedSymbol[], runtimes: LinkedRuntime[]): Resolution | null {
  if (openmpImports.length === 0) return null
  const forks = openmpImports.filter(s => FORK_ENTRY.test(cName(s.name, image.format)))
  const deciding = forks.length > 0 ? forks : openmpImports
  const bound = deciding.find(s => s.library !== undefined)?.library
  if (bound === 'dynamic-lookup') return { via: 'dynamic-lookup', text: "dynamic lookup (whatever the process loaded, e.g. libtorch's OpenMP runtime)" }
  if (bound === 'flat-namespace') {
    const also = runtimes.length > 0 ? `; the image also loads ${runtimes.map(r => r.library).join(', ')}` : ''
    return { via: 'flat-namespace', text: `flat namespace (the first loaded image that exports them${also})` }
  }
  if (bound !== undefined && image.format === 'macho') {
    // Two-level namespace: the binding names the library, runtime or not.
    const family = runtimeFamily(bound)
    if (family) return { via: 'linked-runtime', library: bound, family, text: `linked runtime ${bound}` }
    return { via: 'linked-library', library: bound, text: `linked library ${bound}` }
  }
  // ELF: a version need names the library that defined the version at link
  // time; without one, a linked runtime is where the loader finds them first.
  const runtime = runtimes.find(r => r.library === bound) ?? runtimes[0]
  if (runtime) return { via: 'linked-runtime', library: runtime.library, family: runtime.family, text: `linked runtime ${runtime.library}` }
  return { via: 'process', text: PROCESS_TEXT }
}

export function openmpEvidence(image: BinaryImage): OpenMPEvidence {
  const openmpImports = image.imports.filter(s => OPENMP_SYMBOL.test(cName(s.name, image.format)))
  const imports = openmpImports.map(s => s.name)
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
    outlinedRegions: image.defined.filter(isOutlinedRegion),
    resolution: resolve(image, openmpImports, runtimes),
    libtorchParallel: [...new Set(image.imports.map(s => cName(s.name, image.format)).filter(n => LIBTORCH_PARALLEL.test(n)))].sort()
  }
}

/**
 * How an image runs parallel work, in words that need no sources: OpenMP
 * regions of its own, libtorch's team through the stable ABI, or neither.
 * Reports older than 1.3 have no libtorchParallel.
 */
export function parallelPath(o: Pick<OpenMPEvidence, 'parallel'> & { libtorchParallel?: string[] }): string {
  const shim = o.libtorchParallel ?? []
  const stable = `parallel through libtorch (stable ABI: imports ${shim.join(', ')})`
  if (o.parallel) return `OpenMP parallel regions compiled in${shim.length ? `; also ${stable}` : ''}`
  if (shim.length) return `${stable}, no OpenMP parallel regions of its own`
  return 'no OpenMP parallel regions and no parallel entry of libtorch (torch_parallel_for): every kernel in it runs on one thread unless it calls into libtorch'
}
