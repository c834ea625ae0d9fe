/**
 * Two OpenMP runtimes in one process: the extension's and torch's. Pure:
 * evidence in, a finding out. torch's side comes from its libtorch_cpu
 * (see torch-libs.ts), the extension's from openmpEvidence().
 */
import type { BinaryImage } from './binary/binary-types.js'
import { runtimeFamily, type LinkedRuntime, type OpenMPEvidence, type RuntimeFamily } from './openmp.js'

/** The OpenMP runtime torch brings into the process, read from its libtorch_cpu. */
export interface TorchRuntime {
  /** The libtorch_cpu file that was read. */
  library: string
  format: BinaryImage['format']
  /** OpenMP runtimes libtorch_cpu links, as recorded there (ELF soname, Mach-O install name). */
  runtimes: LinkedRuntime[]
  /** torch's lib dir (torch/lib), where wheels keep their bundled runtime; null when unknown. */
  libDir: string | null
}

/** What the static check needs of one extension image. */
export interface ExtensionImage {
  format: BinaryImage['format']
  openmp: OpenMPEvidence
}

export interface RuntimeFinding {
  /**
   * - 'duplicate-libomp': a second runtime of the LLVM/Intel family (libomp,
   *   libiomp5): it aborts at start-up with OMP Error #15.
   * - 'two-runtimes': a second runtime of another family, or another copy of
   *   libgomp: it works, with two thread pools.
   * - 'missing-runtime': the extension calls __kmpc_* entry points it links
   *   no runtime for, and torch's libgomp has none: the import fails.
   */
  code: 'duplicate-libomp' | 'two-runtimes' | 'missing-runtime'
  /** 'error' when the extension can't run as built; 'warning' when it runs, badly sized. */
  severity: 'error' | 'warning'
  /** The extension's runtime; null for 'missing-runtime'. */
  extension: LinkedRuntime | null
  /** The torch runtime it meets. */
  torch: LinkedRuntime
  /** One sentence: what goes wrong. */
  summary: string
  /** What happens at run time. */
  effect: string
  /** How to fix it, most direct way first. */
  fix: string[]
  /**
   * The OpenMP runtime files the measuring process had mapped once it
   * imported the extension: what the loader decided, not a prediction.
   * Absent when the process didn't load the extension (no workload).
   */
  mapped?: string[]
}

const KMP_FAMILIES: ReadonlySet<RuntimeFamily> = new Set(['llvm', 'intel'])
const GNU_FAMILIES: ReadonlySet<RuntimeFamily> = new Set(['gnu', 'torch-bundled-gnu'])

const FAMILY_NAMES: Record<RuntimeFamily, string> = {
  gnu: "GNU's libgomp",
  'torch-bundled-gnu': "torch's bundled copy of libgomp",
  llvm: "LLVM's libomp",
  intel: "Intel's libiomp5",
  msvc: "MSVC's vcomp"
}

const base = (library: string): string => library.split(/[\\/]/).pop() ?? library

/**
 * Whether two linked runtimes are one library at run time. ELF loads a
 * soname once per process; Mach-O loads an install name once (an @rpath name
 * is taken to resolve to torch's lib dir, where wheels put it).
 */
function sameLibrary(a: LinkedRuntime, b: LinkedRuntime, format: BinaryImage['format']): boolean {
  return format === 'elf' ? base(a.library) === base(b.library) : a.library === b.library
}

/** The runtime the extension's OpenMP calls go to, when it brings its own. */
function extensionRuntime(img: ExtensionImage): LinkedRuntime | null {
  const r = img.openmp.resolution
  if (r === null) return null
  if (r.via === 'linked-runtime' && r.library !== undefined && r.family !== undefined) return { library: r.library, family: r.family }
  // A flat-namespace image still loads the runtime it links, beside whatever the process has.
  if (r.via === 'flat-namespace') return img.openmp.runtimes[0] ?? null
  return null
}

const usesKmpc = (img: ExtensionImage): boolean => img.openmp.forkImports.some(n => /^_{0,1}__kmpc_/.test(n))

/**
 * Compares the extension's OpenMP runtime with torch's. Returns null when
 * they are the same library, when the extension calls no OpenMP entry point
 * (a linked runtime that is never called starts no threads), or when its
 * calls resolve through the process to torch's own runtime.
 */
export function compareRuntimes(img: ExtensionImage, torch: TorchRuntime | null): RuntimeFinding | null {
  if (torch === null || torch.runtimes.length === 0 || !img.openmp.parallel) return null
  const theirs = torch.runtimes[0]
  const lib = torch.libDir ?? '<torch>/lib'
  const via = img.openmp.resolution?.via

  if ((via === 'process' || via === 'dynamic-lookup') && usesKmpc(img) && torch.runtimes.every(t => GNU_FAMILIES.has(t.family))) {
    return {
      code: 'missing-runtime',
      severity: 'error',
      extension: null,
      torch: theirs,
      summary: `The extension calls ${img.openmp.forkImports.join(', ')} (LLVM's OpenMP entry points) and links no OpenMP runtime, while torch's is ${FAMILY_NAMES[theirs.family]} (${theirs.library}), which has none of them.`,
      effect: `Importing the extension fails with "undefined symbol: ${img.openmp.forkImports[0].replace(/^_(?=__kmpc)/, '')}" (or the first parallel region does, under lazy binding).`,
      fix: [
        `Build the extension with g++ (CC=gcc CXX=g++) and -fopenmp: gcc emits GOMP_* calls, which torch's ${theirs.library} serves.`,
        `clang can't target libgomp: -fopenmp=libgomp makes clang drop every '#pragma omp' (it leaves _OPENMP undefined), so the extension would build serial.`
      ]
    }
  }

  const ours = extensionRuntime(img)
  if (ours === null || torch.runtimes.some(t => sameLibrary(ours, t, img.format))) return null

  const bothKmp = KMP_FAMILIES.has(ours.family) && torch.runtimes.some(t => KMP_FAMILIES.has(t.family))
  const fix = fixes(img.format, ours, theirs, lib)
  if (bothKmp) {
    return {
      code: 'duplicate-libomp',
      severity: 'error',
      extension: ours,
      torch: theirs,
      summary: `The extension links ${ours.library}, a second copy of ${FAMILY_NAMES[ours.family]} next to torch's ${theirs.library}.`,
      effect:
        `Two runtimes of the libomp family in one process: the second to start aborts the process with "OMP: Error #15: Initializing ${base(ours.library)}, but found ${base(theirs.library)} already initialized". ` +
        `KMP_DUPLICATE_LIB_OK=TRUE only hides the abort; the runtime documents that as unsafe (crashes or silently wrong results), so it is no fix.`,
      fix
    }
  }
  return {
    code: 'two-runtimes',
    severity: 'warning',
    extension: ours,
    torch: theirs,
    summary: `The extension's parallel regions run on ${FAMILY_NAMES[ours.family]} (${ours.library}), torch's on ${FAMILY_NAMES[theirs.family]} (${theirs.library}): two OpenMP runtimes in one process.`,
    effect:
      `Each runtime keeps its own thread pool. torch.set_num_threads() sizes only torch's, so the extension's team follows OMP_NUM_THREADS or defaults to every core; ` +
      `when both pools are busy they oversubscribe the CPUs, and their idle threads spin-wait against each other. Timings then depend on which ran last.`,
    fix
  }
}

/** How to make the extension use torch's runtime, by platform and by the two runtimes involved. */
function fixes(format: BinaryImage['format'], ours: LinkedRuntime, theirs: LinkedRuntime, lib: string): string[] {
  if (format === 'macho') {
    return [
      `Link torch's bundled libomp instead of ${ours.library}: -Xpreprocessor -fopenmp at compile time, and -L${lib} -lomp -Wl,-rpath,${lib} at link time (its install name is @rpath/libomp.dylib).`,
      `Or link no runtime at all (-undefined dynamic_lookup): the __kmpc_* calls then bind to the libomp torch already loaded.`,
      `Remove Homebrew's or conda's libomp from the library search path of this build (-L$(brew --prefix libomp)/lib and the like).`
    ]
  }
  if (GNU_FAMILIES.has(theirs.family)) {
    const torchCopy = theirs.family === 'torch-bundled-gnu'
    const out: string[] = []
    if (!GNU_FAMILIES.has(ours.family)) {
      out.push(
        `Build the extension with g++ (CC=gcc CXX=g++) and -fopenmp, so its parallel regions call GOMP_*, the entry points of torch's ${theirs.library}.`,
        `clang can't target libgomp: -fopenmp=libgomp makes clang drop every '#pragma omp' (it leaves _OPENMP undefined), so the extension would build serial.`
      )
    }
    if (torchCopy) {
      out.push(
        `Compile with -fopenmp but leave it (and -lgomp) off the link line: GOMP_* then resolve through libtorch_cpu to torch's ${theirs.library}.`,
        `Or link torch's copy by name: -L${lib} -l:${base(theirs.library)} -Wl,-rpath,${lib}.`
      )
    } else {
      out.push(`Link the same libgomp as torch (${theirs.library}): with gcc -fopenmp on the compile and link lines that is the default.`)
    }
    return out
  }
  // torch runs on libomp or libiomp5; both also export GOMP_*, so gcc-built code can use them.
  return [
    `Link torch's ${theirs.library} instead of ${ours.library}: keep -fopenmp for compiling, and link with -L<dir of ${base(theirs.library)}> -l:${base(theirs.library)} (not -fopenmp, which adds ${base(ours.library)}). ${FAMILY_NAMES[theirs.family]} also serves gcc's GOMP_* calls.`,
    `Or leave the runtime off the link line: the calls then resolve through libtorch_cpu to ${theirs.library}.`
  ]
}

/** An OpenMP runtime file a process mapped (path as /proc/self/maps shows it). */
export interface MappedRuntime {
  path: string
  family: RuntimeFamily
}

/** The OpenMP runtimes among a process's mapped libraries, in mapping order. */
export function mappedRuntimes(mapped: readonly string[]): MappedRuntime[] {
  const out: MappedRuntime[] = []
  for (const p of mapped) {
    const family = runtimeFamily(p)
    if (family && !out.some(r => r.path === p)) out.push({ path: p, family })
  }
  return out
}

/** Which mapped runtime is torch's: the one in torch/lib (wheels), else the one libtorch_cpu names. */
function torchsCopy(runtimes: readonly MappedRuntime[], torch: TorchRuntime): MappedRuntime {
  const inLib = torch.libDir === null ? undefined : runtimes.find(r => r.path.startsWith(torch.libDir + '/'))
  return inLib ?? runtimes.find(r => torch.runtimes.some(t => base(r.path).startsWith(base(t.library)))) ?? runtimes[0]
}

/**
 * The finding once the process that imported the extension has said what it
 * mapped. The loader decides whether the extension's runtime and torch's are
 * one copy (same soname: the first one loaded serves both, in either import
 * order) or two (another soname, or a runtime linked by full path), so the
 * mapping replaces the static prediction: one runtime mapped is no finding,
 * two or more is one, naming each file. A missing runtime stays as found
 * statically: with lazy binding the import succeeds and the first region fails.
 */
export function withMappedRuntimes(img: ExtensionImage, found: RuntimeFinding | null, runtimes: readonly MappedRuntime[], torch: TorchRuntime): RuntimeFinding | null {
  if (!img.openmp.parallel || found?.code === 'missing-runtime') return found
  if (runtimes.length < 2) return null
  const theirs = torchsCopy(runtimes, torch)
  const ours = runtimes.find(r => r !== theirs) as MappedRuntime
  const label = (r: MappedRuntime): string => `${r.path}${r === theirs ? " (torch's)" : ''}`
  const seen = `The measuring process had ${runtimes.length} OpenMP runtimes mapped once it imported the extension: ${runtimes.map(label).join(', ')}.`
  const mapped = runtimes.map(r => r.path)
  if (found) return { ...found, summary: `${seen} ${found.summary}`, mapped }
  // Same soname as torch's runtime: the copy loaded first under that soname serves
  // this image and torch alike; another copy in the process is someone else's.
  if (img.openmp.runtimes.every(r => torch.runtimes.some(t => base(t.library) === r.library))) return null
  // Statically one library (same soname), yet two files: linked by full path, or loaded from another directory.
  const fix = [
    `Link the OpenMP runtime by its soname (-fopenmp, or -l${base(theirs.path).replace(/^lib|\.so.*$/g, '')}), never by a full path or from a private directory: the loader then reuses the copy torch already loaded.`,
    ...fixes(img.format, { library: ours.path, family: ours.family }, { library: theirs.path, family: theirs.family }, torch.libDir ?? '<torch>/lib')
  ]
  return {
    code: 'two-runtimes',
    severity: 'warning',
    extension: { library: ours.path, family: ours.family },
    torch: { library: theirs.path, family: theirs.family },
    summary: `${seen} The extension's parallel regions run on ${ours.path}, torch's on ${theirs.path}: two copies, two thread pools.`,
    effect:
      `Each copy keeps its own thread pool. torch.set_num_threads() sizes only torch's, so the extension's team follows OMP_NUM_THREADS or defaults to every core; ` +
      `when both pools are busy they oversubscribe the CPUs.`,
    fix,
    mapped
  }
}
